package models

import (
	"database/sql"
	"time"

	"gorm.io/gorm"
)

// indicatorContext is what an indicator roll-up must know before it counts, read in
// one statement (readIndicatorContext): a roll-up's context, the district's yellow
// band at the instant, the district's target, and the indicator itself with its
// definition in force at the instant.
type indicatorContext struct {
	rollupContext
	band int64
	// districtTarget is the district's target of the indicator for the year in force
	// at the instant (nil: none).
	districtTarget *int64
	// found says the district has the indicator; indicator is its definition in
	// force at the instant (IndicatorAsOf), nil when it was not yet defined then.
	found     bool
	indicator *Indicator
}

// readIndicatorContext reads an indicator roll-up's context in one statement: the
// data revision, the last open year, whether the district's year was in progress
// at the instant, the district's name, whether anything the indicator roll-up
// counts changed after the instant — a value's approval (or rejection) or a
// village's master data — so that the maintained cells give the answer when
// nothing did, the yellow band in force then (YellowBand), the district's target
// of the indicator code for the year (the latest recorded by then, as currentTargets
// reads it), and the district's indicator code with its definition in force then.
func readIndicatorContext(db *gorm.DB, district, code string, year int, at time.Time) (*indicatorContext, error) {
	var lastYear, districtName sql.NullString
	var revision, band, target sql.NullInt64
	var closedAt, closes, approval, master any
	var id, revID, fromYear, untilYear, version sql.NullInt64
	var dcode, icode, name, kind, unit, enteredBy, rollup, wording sql.NullString
	var plan sql.NullBool
	err := db.Raw(`SELECT
		(SELECT n FROM data_revision WHERE id = 1) AS revision,
		(SELECT value FROM settings WHERE key = ?) AS last_year,
		(SELECT MIN(closed_at) FROM year_closings WHERE district_code = ? AND year = ? AND closed_at <= ?) AS closed_at,
		(SELECT MIN(closes) FROM reporting_windows WHERE district_code = ? AND year = ?) AS closes,
		(SELECT name FROM districts WHERE code = ?) AS district_name,
		(SELECT MAX(reviewed_at) FROM indicator_values) AS approval,
		(SELECT MAX(valid_from) FROM village_revisions) AS master,
		(SELECT value FROM district_settings WHERE district_code = ? AND key = ? AND recorded_at <= ?
			ORDER BY recorded_at DESC, id DESC LIMIT 1) AS band,
		(SELECT value FROM targets WHERE scope_code = ? AND indicator = ? AND year = ? AND recorded_at <= ?
			ORDER BY recorded_at DESC, id DESC LIMIT 1) AS district_target,
		i.id, i.district_code, i.code, r.id, r.name, r.kind, r.unit, r.entered_by, r.from_year, r.until_year,
		r.rollup, r.plan, r.wording, r.version
		FROM (SELECT 1 AS one) o
		LEFT JOIN indicators i ON i.district_code = ? AND i.code = ?
		LEFT JOIN indicator_revisions r ON r.id = (SELECT r2.id FROM indicator_revisions r2
			WHERE r2.indicator_id = i.id AND r2.valid_from <= ? AND (r2.valid_to IS NULL OR r2.valid_to > ?)
			ORDER BY r2.valid_from DESC, r2.id DESC LIMIT 1)`,
		settingLastYear, district, year, at, district, year, district, district, settingYellowBand, at,
		district, code, year, at, district, code, at, at).Row().
		Scan(&revision, &lastYear, &closedAt, &closes, &districtName, &approval, &master, &band, &target,
			&id, &dcode, &icode, &revID, &name, &kind, &unit, &enteredBy, &fromYear, &untilYear, &rollup, &plan, &wording, &version)
	if err != nil {
		return nil, err
	}
	c := &indicatorContext{rollupContext: rollupContext{districtName: districtName.String, revision: revision.Int64},
		band: defaultYellowBand, found: id.Valid}
	if band.Valid {
		c.band = band.Int64
	}
	if target.Valid {
		c.districtTarget = &target.Int64
	}
	if revID.Valid {
		d := &Indicator{ID: uint(id.Int64), DistrictCode: dcode.String, Code: icode.String, Name: name.String, Kind: kind.String,
			Unit: unit.String, EnteredBy: enteredBy.String, FromYear: int(fromYear.Int64), Rollup: rollup.String,
			Plan: plan.Bool, Wording: wording.String, Version: int(version.Int64)}
		if untilYear.Valid {
			u := int(untilYear.Int64)
			d.UntilYear = &u
		}
		c.indicator = d
	}
	var ly *string
	if lastYear.Valid {
		ly = &lastYear.String
	}
	if c.lastYear, err = lastYearOf(ly); err != nil {
		return nil, err
	}
	var ts [4]*time.Time
	for i, v := range []any{closedAt, closes, approval, master} {
		if ts[i], err = dbTime(v); err != nil {
			return nil, err
		}
	}
	c.inProgress = inProgressAt(ts[0] != nil, ts[1], at)
	c.changed = after(ts[2], at) || after(ts[3], at)
	return c, nil
}

// IndicatorRollup is ComputeIndicatorRollup through the cache, kept by the same
// rules as the report's roll-up (RollupCache). now says that the caller asked for
// the roll-up of now (no as_of): asOf is then the request's instant, and any answer
// kept at the same revision serves it.
func (rc *RollupCache) IndicatorRollup(db *gorm.DB, a *Actor, code string, year int, street string, asOf time.Time, now bool) (*IndicatorRollup, error) {
	return computeIndicatorRollup(db, a, code, year, street, asOf, rc, now)
}

// IndicatorTrend is the package's IndicatorTrend with each year's roll-up through
// the cache.
func (rc *RollupCache) IndicatorTrend(db *gorm.DB, a *Actor, code, street string, asOf time.Time, now bool) ([]*IndicatorRollup, error) {
	return indicatorTrend(db, a, code, street, asOf, rc, now)
}

func (rc *RollupCache) getIndicator(k rollupKey, asOf time.Time) *IndicatorRollup {
	if rc == nil {
		return nil
	}
	rc.mu.Lock()
	ru := rc.indicators[k]
	rc.mu.Unlock()
	if ru == nil {
		rc.misses.Add(1)
		return nil
	}
	rc.hits.Add(1)
	cp := *ru
	cp.AsOf = asOf.UTC()
	return &cp
}

func (rc *RollupCache) putIndicator(k rollupKey, ru *IndicatorRollup) {
	if rc == nil {
		return
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if _, ok := rc.indicators[k]; ok {
		return
	}
	rc.evict()
	rc.indicators[k] = ru
	rc.order = append(rc.order, k)
}
