package models

import (
	"database/sql"
	"time"

	"gorm.io/gorm"
)

// rollupContext is what a roll-up must know before it counts, read in one
// statement instead of four: the data revision, the last open year (CheckYear), whether the year was
// in progress at the instant (YearInProgress), the district's name, and whether
// the history changed after the instant (historyChangedAfter). Each is decided by
// the same rule as the function named, over the same rows.
type rollupContext struct {
	lastYear     int
	inProgress   bool
	districtName string
	changed      bool
	// revision is the data revision (DataRevision) before anything is counted.
	revision int64
}

func readRollupContext(db *gorm.DB, district string, year int, at time.Time) (*rollupContext, error) {
	var lastYear, districtName sql.NullString
	var revision sql.NullInt64
	var closedAt, closes any
	var changes [changeCount]any
	err := db.Raw(`SELECT
		(SELECT n FROM data_revision WHERE id = 1) AS revision,
		(SELECT value FROM settings WHERE key = ?) AS last_year,
		(SELECT MIN(closed_at) FROM year_closings WHERE district_code = ? AND year = ? AND closed_at <= ?) AS closed_at,
		(SELECT MIN(closes) FROM reporting_windows WHERE district_code = ? AND year = ?) AS closes,
		(SELECT name FROM districts WHERE code = ?) AS district_name,
		`+latestChangesSQL, settingLastYear, district, year, at, district, year, district).Row().
		Scan(append([]any{&revision, &lastYear, &closedAt, &closes, &districtName}, changePointers(&changes)...)...)
	if err != nil {
		return nil, err
	}
	c := &rollupContext{districtName: districtName.String, revision: revision.Int64}
	var ly *string
	if lastYear.Valid {
		ly = &lastYear.String
	}
	if c.lastYear, err = lastYearOf(ly); err != nil {
		return nil, err
	}
	closed, err := dbTime(closedAt)
	if err != nil {
		return nil, err
	}
	windowCloses, err := dbTime(closes)
	if err != nil {
		return nil, err
	}
	c.inProgress = inProgressAt(closed != nil, windowCloses, at)
	l, err := readChanges(changes)
	if err != nil {
		return nil, err
	}
	c.changed = l.changedAfter(at)
	return c, nil
}
