package main

import (
	"fmt"
	"os"
	"syscall"
)

// lockDB holds an exclusive advisory lock on <db>.lock for as long as the process
// runs, so that a restore (or a second server) cannot replace a SQLite database in
// use. It returns a release function.
func lockDB(dbPath string) (func(), error) {
	if err := privateDir(dbPath); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(dbPath+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s is in use by a running cunji; stop it first", dbPath)
	}
	return func() { syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
}
