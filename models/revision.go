package models

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
