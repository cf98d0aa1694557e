package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"cunji/models"
)

// backupCmd runs `cunji backup --db FILE --out COPY`: a consistent copy of a SQLite
// database taken while the server keeps writing (SQLite's VACUUM INTO reads one
// snapshot). PostgreSQL deployments use pg_dump.
func backupCmd(args []string) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	dbPath := fs.String("db", defaultDB(), "SQLite database file")
	out := fs.String("out", "", "the copy to write (must not exist)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if models.IsPostgres(*dbPath) {
		return errors.New("backup: for PostgreSQL use pg_dump (see the README)")
	}
	if *out == "" {
		return errors.New("backup: give --out COPY")
	}
	if _, err := os.Stat(*out); err == nil {
		return fmt.Errorf("backup: %s exists; choose a new name", *out)
	}
	db, err := openDB(*dbPath)
	if err != nil {
		return err
	}
	// The copy is private from its first byte (models.BackupSQLite).
	if err := models.BackupSQLite(db, *out); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Printf("backed up %s to %s\n", *dbPath, *out)
	return nil
}

// restoreCmd runs `cunji restore --from COPY --db FILE` with the server stopped: it
// checks the copy, then replaces the database with it.
func restoreCmd(args []string) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	dbPath := fs.String("db", defaultDB(), "SQLite database file to replace")
	from := fs.String("from", "", "a copy made by cunji backup")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" || models.IsPostgres(*dbPath) {
		return errors.New("restore: give --from COPY and a SQLite --db (PostgreSQL: pg_restore)")
	}
	if err := checkRestoreSource(*from); err != nil {
		return fmt.Errorf("restore: %w (nothing was restored)", err)
	}
	// Refuse while a server holds the database.
	release, err := lockDB(*dbPath)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer release()
	tmp := *dbPath + ".restoring"
	if err := copyFile(*from, tmp); err != nil {
		return err
	}
	os.Remove(*dbPath + "-wal")
	os.Remove(*dbPath + "-shm")
	if err := os.Rename(tmp, *dbPath); err != nil {
		return err
	}
	fmt.Printf("restored %s from %s\n", *dbPath, *from)
	return nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
