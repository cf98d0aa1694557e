package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"cunji/models"

	"gorm.io/gorm"
)

// openDB opens (and migrates) the database; a SQLite file is made private first.
func openDB(dsn string) (*gorm.DB, error) {
	if !models.IsPostgres(dsn) {
		if err := privateDB(dsn); err != nil {
			return nil, err
		}
	}
	return models.Open(dsn)
}

// privateDB makes a SQLite database readable by its owner only, whatever the umask:
// a missing folder is created 0700 and a missing file 0600, and SQLite gives its
// -wal and -shm files the database file's mode. Files left readable by others
// (by an earlier version) lose those bits.
func privateDB(path string) error {
	if err := privateDir(path); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	f.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm", path + ".jwt-secret", path + ".lock"} {
		if st, err := os.Stat(p); err == nil && st.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(p, st.Mode().Perm()&0o700); err != nil {
				return err
			}
		}
	}
	return nil
}

// privateDir creates the missing folder of path with mode 0700.
func privateDir(path string) error {
	dir := filepath.Dir(path)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return os.MkdirAll(dir, 0o700)
	}
	return nil
}
