package models

import (
	"time"

	"gorm.io/gorm"
)

// BaselineTotals are the figures of a scope computed by BaselineRollup.
type BaselineTotals struct {
	Villages, Reported, Meets, Rated, Hemei             int64
	TotalFen, OperatingFen, AssetsFen                   int64
	Companies, MemberVillages, Workshops, WorkshopsJobs int64
	WorkshopsBuilt                                      int64
	// WorkshopsByStar counts the operating workshops by star level 0–5.
	WorkshopsByStar [6]int64 `gorm:"-"`
}

// BaselineRollup is the hand-written SQL aggregate of a scope's figures for a year
// as of an instant, written straight against the tables with no help from the
// application (no maintained tables): the latest approved version of each village
// grouped by street and type, the same for the first year when firstYear is set
// (kept for benchmarks against the earlier roll-up, which drew target paths from
// the first year; the roll-up no longer reads it), the 强村公司 members and the
// operating 共富工坊.
// It is the yardstick of the roll-up's benchmarks (the storage's physical limit for
// the same figures) and the independent recount its tests compare with. region is
// a district code (one index lookup per village) or a prefix of one, "" for all
// (one pass over the year's versions). The COALESCE around valid_from keeps SQLite
// from scanning the whole revision history by that column's index.
func BaselineRollup(db *gorm.DB, region string, year int, asOf time.Time, firstYear bool) (*BaselineTotals, error) {
	t, err := baselineReports(db, region, year, asOf)
	if err != nil {
		return nil, err
	}
	if firstYear && year != FirstYear {
		if _, err := baselineReports(db, region, FirstYear, asOf); err != nil {
			return nil, err
		}
	}
	// A district by equality (its index), a region by prefix.
	op, like := "LIKE", region+"%"
	if len(region) == 6 {
		op, like = "=", region
	}
	err = db.Raw(`
SELECT COUNT(DISTINCT cm.company_id) AS companies, COUNT(DISTINCT cm.village_code) AS member_villages
FROM company_members cm
JOIN companies c ON c.id = cm.company_id
JOIN village_revisions v ON v.code = cm.village_code
WHERE v.district_code `+op+` ? AND COALESCE(v.valid_from, v.valid_from) <= ? AND (v.valid_to IS NULL OR v.valid_to > ?)
  AND v.active_from <= ? AND (v.active_until IS NULL OR v.active_until >= ?)
  AND cm.added_at <= ? AND (cm.removed_at IS NULL OR cm.removed_at > ?)
  AND cm.from_year <= ? AND (cm.until_year IS NULL OR cm.until_year >= ?)
  AND c.created_at <= ? AND NOT EXISTS (SELECT 1 FROM company_statuses e WHERE e.company_id = c.id AND e.kind = 'dissolved'
        AND e.recorded_at <= ? AND NOT EXISTS (SELECT 1 FROM company_statuses r WHERE r.company_id = c.id
        AND r.kind = 'restored' AND r.recorded_at <= ? AND (r.recorded_at > e.recorded_at OR (r.recorded_at = e.recorded_at AND r.id > e.id))))`,
		like, asOf, asOf, year, year, asOf, asOf, year, year, asOf, asOf, asOf).Row().Scan(&t.Companies, &t.MemberVillages)
	if err != nil {
		return nil, err
	}
	cutoff := time.Date(year+1, 1, 1, 0, 0, 0, 0, Shanghai).UTC()
	if asOf.Before(cutoff) {
		cutoff = asOf
	}
	// Each workshop's latest approved version as of asOf (wa) and as of the year's
	// end (wb). A dated workshop is built when founded before the year's end and
	// operating when, besides, not closed by then and not 筹建; an undated one (from
	// before dates) is built when approved by the year's end past 筹建, operating if 运营.
	latest := func(alias string) string {
		if len(region) == 6 {
			return `LEFT JOIN workshop_versions ` + alias + ` ON ` + alias + `.id = (SELECT w2.id FROM workshop_versions w2
      WHERE w2.workshop_id = w.id AND w2.status = 'approved' AND w2.reviewed_at <= ? ORDER BY w2.seq DESC LIMIT 1)`
		}
		return `LEFT JOIN (SELECT workshop_id, MAX(seq) AS seq FROM workshop_versions
      WHERE status = 'approved' AND reviewed_at <= ? GROUP BY workshop_id) l` + alias + ` ON l` + alias + `.workshop_id = w.id
LEFT JOIN workshop_versions ` + alias + ` ON ` + alias + `.workshop_id = l` + alias + `.workshop_id AND ` + alias + `.seq = l` + alias + `.seq`
	}
	end := time.Date(year+1, 1, 1, 0, 0, 0, 0, Shanghai).UTC()
	const operating = `((wa.founded_on IS NOT NULL AND wa.founded_on < ? AND (wa.closed_on IS NULL OR wa.closed_on >= ?) AND wa.state <> '筹建')
      OR (wa.founded_on IS NULL AND wb.state = '运营'))`
	// The star level at the year's end as of asOf: the evaluation dated latest by
	// the year's last day among those recorded by asOf.
	const star = `COALESCE((SELECT s.level FROM workshop_stars s WHERE s.workshop_id = w.id AND s.evaluated_on <= ?
      AND s.recorded_at <= ? ORDER BY s.evaluated_on DESC, s.id DESC LIMIT 1), 0)`
	lastDay := time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC).Format("2006-01-02")
	byStar := ""
	var starArgs []any
	for l := 0; l <= 5; l++ {
		byStar += `,
       COALESCE(SUM(CASE WHEN ` + operating + ` AND ` + star + ` = ` + itoa(l) + ` THEN 1 ELSE 0 END), 0)`
		starArgs = append(starArgs, end, end, lastDay, asOf)
	}
	counts := `
SELECT COALESCE(SUM(CASE WHEN (wa.founded_on IS NOT NULL AND wa.founded_on < ?) OR (wa.founded_on IS NULL AND wb.state <> '筹建') THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN ` + operating + ` THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN ` + operating + ` THEN (CASE WHEN wa.founded_on IS NULL THEN wb.employed ELSE wa.employed END) ELSE 0 END), 0)` + byStar
	args := append([]any{end, end, end, end, end}, starArgs...)
	// Workshops hosted by the region's villages active in the year, and those
	// registered under its streets (in a 社区, 园区 or enterprise).
	for _, from := range []struct {
		join, where string
		args        []any
	}{
		{`JOIN village_revisions v ON v.code = w.village_code`, `v.district_code ` + op + ` ? AND COALESCE(v.valid_from, v.valid_from) <= ? AND (v.valid_to IS NULL OR v.valid_to > ?)
  AND v.active_from <= ? AND (v.active_until IS NULL OR v.active_until >= ?)`, []any{like, asOf, asOf, year, year}},
		{`JOIN streets st ON st.code = w.street_code`, `st.district_code ` + op + ` ?`, []any{like}},
	} {
		var c [9]int64
		q := append(append(append([]any{}, args...), asOf, cutoff), from.args...)
		err = db.Raw(counts+`
FROM workshops w
`+from.join+`
`+latest("wa")+`
`+latest("wb")+`
WHERE wa.id IS NOT NULL AND `+from.where, q...).Row().Scan(&c[0], &c[1], &c[2], &c[3], &c[4], &c[5], &c[6], &c[7], &c[8])
		if err != nil {
			return nil, err
		}
		t.WorkshopsBuilt += c[0]
		t.Workshops += c[1]
		t.WorkshopsJobs += c[2]
		for l := 0; l <= 5; l++ {
			t.WorkshopsByStar[l] += c[3+l]
		}
	}
	return t, err
}

// baselineReports is the report part of the baseline, grouped by street and type as
// the roll-up answers it, and summed here.
func baselineReports(db *gorm.DB, region string, year int, asOf time.Time) (*BaselineTotals, error) {
	latest := `LEFT JOIN (SELECT village_code, MAX(seq) AS seq FROM report_versions
           WHERE year = ? AND status = 'approved' AND reviewed_at <= ? GROUP BY village_code) la
       ON la.village_code = v.code
LEFT JOIN report_versions r ON r.village_code = la.village_code AND r.year = ? AND r.seq = la.seq`
	args := []any{year, asOf, year}
	op, like := "LIKE", region+"%"
	if len(region) == 6 {
		op, like = "=", region
		latest = `LEFT JOIN report_versions r ON r.id = (SELECT r2.id FROM report_versions r2
           WHERE r2.village_code = v.code AND r2.year = ? AND r2.status = 'approved' AND r2.reviewed_at <= ?
           ORDER BY r2.seq DESC LIMIT 1)`
		args = []any{year, asOf}
	}
	// A title is held at the end of the year when the register, as recorded by
	// asOf, has a naming of it in the year or before that no revocation dated within
	// the year undoes.
	const heldTitle = `SELECT 1 FROM title_entries n WHERE n.village_code = v.code AND n.kind = 'named' AND n.title = ?
         AND n.year <= ? AND n.recorded_at <= ? AND NOT EXISTS (SELECT 1 FROM title_entries x
         WHERE x.revokes_id = n.id AND x.kind = 'revoked' AND x.recorded_at <= ? AND x.on_date < ?)`
	end := time.Date(year+1, 1, 1, 0, 0, 0, 0, Shanghai).UTC()
	titleArgs := []any{TitleStar, year, asOf, asOf, end, TitleHemei, year, asOf, asOf, end}
	var groups []BaselineTotals
	err := db.Raw(`
SELECT v.street_code, v.type, COUNT(*) AS villages, COUNT(r.id) AS reported,
       COALESCE(SUM(CASE WHEN r.operating_fen >= 50000000 THEN 1 ELSE 0 END), 0) AS meets,
       COALESCE(SUM(CASE WHEN EXISTS (`+heldTitle+`) THEN 1 ELSE 0 END), 0) AS rated,
       COALESCE(SUM(CASE WHEN EXISTS (`+heldTitle+`) THEN 1 ELSE 0 END), 0) AS hemei,
       COALESCE(SUM(r.total_fen), 0) AS total_fen, COALESCE(SUM(r.operating_fen), 0) AS operating_fen,
       COALESCE(SUM(r.assets_fen), 0) AS assets_fen
FROM village_revisions v
`+latest+`
WHERE v.district_code `+op+` ? AND COALESCE(v.valid_from, v.valid_from) <= ? AND (v.valid_to IS NULL OR v.valid_to > ?)
  AND v.active_from <= ? AND (v.active_until IS NULL OR v.active_until >= ?)
GROUP BY v.street_code, v.type`, append(append(titleArgs, args...), like, asOf, asOf, year, year)...).Scan(&groups).Error
	if err != nil {
		return nil, err
	}
	var t BaselineTotals
	for _, g := range groups {
		t.Villages += g.Villages
		t.Reported += g.Reported
		t.Meets += g.Meets
		t.Rated += g.Rated
		t.Hemei += g.Hemei
		t.TotalFen += g.TotalFen
		t.OperatingFen += g.OperatingFen
		t.AssetsFen += g.AssetsFen
	}
	return &t, nil
}

// Totals gives a roll-up's figures in the baseline's shape, to compare the two.
func (r *Rollup) Totals() BaselineTotals {
	return BaselineTotals{Villages: r.Villages, Reported: r.Reported, Meets: r.Income50w.Count, Rated: r.Star.Rated,
		Hemei: r.Hemei.Count, TotalFen: r.CollectiveIncomeTotalFen, OperatingFen: r.OperatingIncomeTotalFen,
		AssetsFen: r.AssetsTotalFen, Companies: r.Companies, MemberVillages: r.MemberVillages, Workshops: r.Workshops,
		WorkshopsJobs: r.WorkshopEmployed, WorkshopsBuilt: r.WorkshopsBuilt, WorkshopsByStar: r.WorkshopsByStar}
}
