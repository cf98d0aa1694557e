package models

import (
	"time"

	"gorm.io/gorm"
)

// BaselineIndicatorTotals are an indicator's figures of a district computed by
// BaselineIndicatorRollup.
type BaselineIndicatorTotals struct {
	Villages, Reported, Yes, Sum int64
}

// BaselineIndicatorRollup is the hand-written SQL aggregate of a catalogue
// indicator's figures of a district for a year as of an instant, written straight
// against the tables with no help from the application (no maintained cells): the
// villages' master data in force then, each with its latest value approved by then
// (one index lookup per village), grouped by street and type as the roll-up groups
// them. It is the yardstick of the indicator roll-up's benchmark (`cunji bench
// rollup`) and a recount it is checked against. The COALESCE around valid_from keeps
// SQLite from scanning the whole revision history by that column's index.
func BaselineIndicatorRollup(db *gorm.DB, indicatorID uint, district string, year int, asOf time.Time) (*BaselineIndicatorTotals, error) {
	var rows []BaselineIndicatorTotals
	err := db.Raw(`
SELECT COUNT(*) AS villages, COUNT(iv.value) AS reported,
  COALESCE(SUM(CASE WHEN iv.value > 0 THEN 1 ELSE 0 END), 0) AS yes, COALESCE(SUM(iv.value), 0) AS sum
FROM village_revisions v
LEFT JOIN indicator_values iv ON iv.id = (SELECT i2.id FROM indicator_values i2
  WHERE i2.indicator_id = ? AND i2.village_code = v.code AND i2.year = ? AND i2.status = 'approved' AND i2.reviewed_at <= ?
  ORDER BY i2.seq DESC LIMIT 1)
WHERE v.district_code = ? AND COALESCE(v.valid_from, v.valid_from) <= ? AND (v.valid_to IS NULL OR v.valid_to > ?)
  AND v.active_from <= ? AND (v.active_until IS NULL OR v.active_until >= ?)
GROUP BY v.street_code, v.type`, indicatorID, year, asOf, district, asOf, asOf, year, year).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	t := &BaselineIndicatorTotals{}
	for _, r := range rows {
		t.Villages += r.Villages
		t.Reported += r.Reported
		t.Yes += r.Yes
		t.Sum += r.Sum
	}
	return t, nil
}

// Totals are the roll-up's figures of its whole scope, as BaselineIndicatorRollup
// gives them.
func (ru *IndicatorRollup) Totals() BaselineIndicatorTotals {
	return BaselineIndicatorTotals{Villages: ru.Total.Villages, Reported: ru.Total.Reported, Yes: ru.Total.Yes, Sum: ru.Total.Sum}
}
