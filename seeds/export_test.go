package seeds

// SetFlushEvery makes the synthetic data's writer flush every n queued rows, so
// that a small data set is written in several flushes as a large one is; it
// returns a function that restores the default.
func SetFlushEvery(n int) (restore func()) {
	old := flushEvery
	flushEvery = n
	return func() { flushEvery = old }
}
