package models

import "gorm.io/gorm"

// cellsDefinedAt is the schema version that last changed what the roll-up cells
// hold (0015: the register figures). The cells are derived data, counted by
// today's rules (figures.go, cells_registers.go), so a database upgraded across
// that version has them recounted once, at start-up, after its migrations: a
// migration itself never calls today's functions (migrations.go).
const cellsDefinedAt = 15

// migrateAndRecount migrates the schema and, when the upgrade crossed
// cellsDefinedAt on a database that already had a schema, rebuilds the cells.
// Call it under WithLock.
func migrateAndRecount(tx *gorm.DB) error {
	have, err := SchemaVersion(tx)
	if err != nil {
		return err
	}
	if err := Migrate(tx); err != nil {
		return err
	}
	if have == 0 || have >= cellsDefinedAt {
		return nil
	}
	return RebuildCells(tx)
}
