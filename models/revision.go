package models

import "gorm.io/gorm"

// DataRevision holds one number that every change to the data the figures read
// moves, in the changing transaction (migration 0011's triggers: per row on
// SQLite, once per transaction at its commit on PostgreSQL). A figure computed at
// revision N is the figure of now for as long as the revision is N, on every
// instance of one database, so it may be kept until then (RollupCache).
type DataRevision struct {
	ID int64 `gorm:"primaryKey;autoIncrement:false"`
	N  int64 `gorm:"not null"`
}

// TableName is the one-row table's name.
func (DataRevision) TableName() string { return "data_revision" }

// moveRevision moves the data revision in tx, for a change to a table the
// revision's triggers do not watch but a kept page shows: the evidence files (the
// report page lists them, with the quotas they use: handlers/report_kept.go). It
// must be the transaction's last statement, so that on PostgreSQL the row's lock
// is taken after every other lock the transaction holds, as the triggers' deferred
// bump takes it at the commit: a transaction holding it then waits for no other,
// and none can deadlock on it.
func moveRevision(tx *gorm.DB) error {
	return tx.Exec("UPDATE data_revision SET n = n + 1 WHERE id = 1").Error
}
