package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"cunji/handlers"
	"cunji/models"

	"gorm.io/gorm"
)

// backupPrefix and backupSuffix frame the scheduled copies' names; the UTC time
// between them sorts them oldest first.
const (
	backupPrefix = "cunji-"
	backupSuffix = ".db"
	backupStamp  = "20060102T150405.000Z"
)

// backupSchedule makes the scheduled backups of a SQLite database while it serves.
type backupSchedule struct {
	db      *gorm.DB
	dir     string
	keep    int
	metrics *handlers.Metrics
	log     *slog.Logger
}

// run takes one backup, verifies it, and only then drops the oldest beyond keep.
// A failure is logged and counted; the copies already there stay.
func (b *backupSchedule) run(ctx context.Context) {
	start := time.Now().UTC()
	path, err := b.take(ctx, start)
	b.metrics.BackedUp(err, time.Now())
	if err != nil {
		if ctx.Err() == nil {
			b.log.Error("scheduled backup failed", "dir", b.dir, "error", err.Error())
		}
		return
	}
	removed, err := b.prune()
	if err != nil {
		b.log.Error("removing old backups", "error", err.Error())
	}
	b.log.Info("backup verified", "file", path, "seconds", time.Since(start).Seconds(), "removed", removed)
}

func (b *backupSchedule) take(ctx context.Context, at time.Time) (string, error) {
	path := filepath.Join(b.dir, backupPrefix+at.Format(backupStamp)+backupSuffix)
	tmp := path + ".partial"
	os.Remove(tmp)
	if err := models.BackupSQLite(b.db.WithContext(ctx), tmp); err != nil {
		os.Remove(tmp)
		return "", err
	}
	if err := models.VerifyCopy(tmp); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("verify %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return "", err
	}
	return path, nil
}

// prune removes the oldest scheduled copies beyond keep.
func (b *backupSchedule) prune() (int, error) {
	names, err := scheduledBackups(b.dir)
	if err != nil {
		return 0, err
	}
	removed := 0
	for len(names) > b.keep {
		if err := os.Remove(filepath.Join(b.dir, names[0])); err != nil {
			return removed, err
		}
		names, removed = names[1:], removed+1
	}
	return removed, nil
}

// scheduledBackups lists the scheduled copies in dir, oldest first.
func scheduledBackups(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if e.Type().IsRegular() && strings.HasPrefix(n, backupPrefix) && strings.HasSuffix(n, backupSuffix) {
			if _, err := time.Parse(backupStamp, strings.TrimSuffix(strings.TrimPrefix(n, backupPrefix), backupSuffix)); err == nil {
				names = append(names, n)
			}
		}
	}
	sort.Strings(names)
	return names, nil
}
