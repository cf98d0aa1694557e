package models

import (
	"database/sql"
	"time"

	"gorm.io/gorm"
)

// rollupContext is what a roll-up must know before it counts: the data revision,
// the last open year (CheckYear), whether the year was in progress at the instant
// (YearInProgress), the district's name, and whether the history changed after the
// instant (historyChangedAfter). Each is decided by the same rule as the function
// named, over the same rows.
type rollupContext struct {
	lastYear     int
	inProgress   bool
	districtName string
	changed      bool
	// revision is the data revision (DataRevision) before anything is counted.
	revision int64
}

// rollupInputs are what a rollupContext is decided from, read in one statement
// instead of four, with the data revision they were read at. None of it depends on
// the instant, so that they may be kept while the revision holds (RollupCache) and
// the context of any instant decided from them without a statement (at).
type rollupInputs struct {
	revision     int64
	lastYear     int
	districtName string
	// closedAt is the year's earliest closing by the district, closes its
	// reporting window's earliest close (nil: none).
	closedAt, closes *time.Time
	changes          *lastChanges
}

func readRollupInputs(db *gorm.DB, district string, year int) (*rollupInputs, error) {
	var lastYear, districtName sql.NullString
	var revision sql.NullInt64
	var closedAt, closes any
	var changes [changeCount]any
	err := db.Raw(`SELECT
		(SELECT n FROM data_revision WHERE id = 1) AS revision,
		(SELECT value FROM settings WHERE key = ?) AS last_year,
		(SELECT MIN(closed_at) FROM year_closings WHERE district_code = ? AND year = ?) AS closed_at,
		(SELECT MIN(closes) FROM reporting_windows WHERE district_code = ? AND year = ?) AS closes,
		(SELECT name FROM districts WHERE code = ?) AS district_name,
		`+latestChangesSQL, settingLastYear, district, year, district, year, district).Row().
		Scan(append([]any{&revision, &lastYear, &closedAt, &closes, &districtName}, changePointers(&changes)...)...)
	if err != nil {
		return nil, err
	}
	in := &rollupInputs{districtName: districtName.String, revision: revision.Int64}
	var ly *string
	if lastYear.Valid {
		ly = &lastYear.String
	}
	if in.lastYear, err = lastYearOf(ly); err != nil {
		return nil, err
	}
	if in.closedAt, err = dbTime(closedAt); err != nil {
		return nil, err
	}
	if in.closes, err = dbTime(closes); err != nil {
		return nil, err
	}
	if in.changes, err = readChanges(changes); err != nil {
		return nil, err
	}
	return in, nil
}

// at is the context at instant at: the year was closed by then when its earliest
// closing is no later than at (as YearInProgress's closed_at <= at).
func (in *rollupInputs) at(at time.Time) *rollupContext {
	closed := in.closedAt != nil && !in.closedAt.After(at)
	return &rollupContext{lastYear: in.lastYear, districtName: in.districtName, revision: in.revision,
		inProgress: inProgressAt(closed, in.closes, at), changed: in.changes.changedAfter(at)}
}
