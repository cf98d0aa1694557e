package models

import (
	"database/sql"
	"time"

	"gorm.io/gorm"
)

// reportContext is what every request on one village-year's report checks, read in
// one statement (loadReportContext): the village inside the actor's scope with its
// street, the last open year, the district's reporting window of the year, the
// village's latest submission exception of the year and, when asked, the titles it
// holds at the year's end from the register. Reading them together costs one round
// trip instead of five on the report page and a save, four on a submission and an
// approval.
type reportContext struct {
	Village  *Village
	LastYear int
	// Titles are the titles held at the end of the year as of the instant asked
	// (read only when asked).
	Titles Held
	// Window is the district's reporting window of the year (nil: none), and
	// ExceptUntil the latest exception the village holds for the year (zero: none).
	Window      *ReportingWindow
	ExceptUntil time.Time
}

// reportContextRow is the statement's row: the village's columns, then the others.
type reportContextRow struct {
	Code, Name, StreetCode, DistrictCode, Type string
	ActiveFrom                                 int
	ActiveUntil                                *int
	Demo                                       bool
	CreatedAt, UpdatedAt                       time.Time
	StreetName                                 *string
	LastYear                                   *string
	WindowID                                   *uint
	WindowOpens, WindowCloses                  *time.Time
	ExceptUntil                                *time.Time
	// The register entry of this row (nil id: none), one row per entry.
	TID           *uint
	TKind, TTitle *string
	TLevel, TYear *int
	TOn           *time.Time
	TRevokesID    *uint
}

// loadReportContext reads the report's context for year (see reportContext), or
// ErrNotFound when the village is outside the actor's scope; with titlesAt, the
// register's entries recorded by then are joined too (one row each, few), and the
// titles held folded from them as HeldTitles does. The joins keep each column's
// declared type, so that SQLite gives times as times.
func loadReportContext(db *gorm.DB, a *Actor, code string, year int, titlesAt *time.Time) (*reportContext, error) {
	var rows []reportContextRow
	cols := `villages.code, villages.name, villages.street_code, villages.district_code,
		villages.type, villages.active_from, villages.active_until, villages.demo, villages.created_at, villages.updated_at,
		streets.name AS street_name, settings.value AS last_year,
		reporting_windows.id AS window_id, reporting_windows.opens AS window_opens, reporting_windows.closes AS window_closes,
		submit_exceptions.until AS except_until`
	if titlesAt != nil {
		cols += `, t.id AS t_id, t.kind AS t_kind, t.title AS t_title, t.level AS t_level, t.year AS t_year,
		t.on_date AS t_on, t.revokes_id AS t_revokes_id`
	}
	// The statement's text depends only on the scope's kind and on titlesAt.
	q := prepared(db).Table("villages").Select(cols).
		Joins("LEFT JOIN streets ON streets.code = villages.street_code").
		Joins("LEFT JOIN settings ON settings.key = ?", settingLastYear).
		Joins("LEFT JOIN reporting_windows ON reporting_windows.district_code = villages.district_code AND reporting_windows.year = ?", year).
		Joins(`LEFT JOIN submit_exceptions ON submit_exceptions.village_code = villages.code AND submit_exceptions.year = ?
			AND NOT EXISTS (SELECT 1 FROM submit_exceptions x WHERE x.village_code = submit_exceptions.village_code
				AND x.year = submit_exceptions.year AND x.until > submit_exceptions.until)`, year)
	if titlesAt != nil {
		q = q.Joins("LEFT JOIN title_entries t ON t.village_code = villages.code AND t.recorded_at <= ? AND (t.kind = ? OR t.year <= ?)",
			*titlesAt, TitleRevoked, year).Order("t.id")
	} else {
		q = q.Limit(1)
	}
	err := scanRows(a.Scope().Villages(q.Where("villages.code = ?", code)).Rows())(func(rs *sql.Rows) error {
		var r reportContextRow
		dst := []any{&r.Code, &r.Name, &r.StreetCode, &r.DistrictCode, &r.Type, &r.ActiveFrom, &r.ActiveUntil, &r.Demo,
			&r.CreatedAt, &r.UpdatedAt, &r.StreetName, &r.LastYear, &r.WindowID, &r.WindowOpens, &r.WindowCloses, &r.ExceptUntil}
		if titlesAt != nil {
			dst = append(dst, &r.TID, &r.TKind, &r.TTitle, &r.TLevel, &r.TYear, &r.TOn, &r.TRevokesID)
		}
		if err := rs.Scan(dst...); err != nil {
			return err
		}
		rows = append(rows, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, ErrNotFound
	}
	r := rows[0]
	v := &Village{Code: r.Code, Name: r.Name, StreetCode: r.StreetCode, DistrictCode: r.DistrictCode, Type: r.Type,
		ActiveFrom: r.ActiveFrom, ActiveUntil: r.ActiveUntil, Demo: r.Demo, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if r.StreetName != nil {
		v.Street = Street{Code: r.StreetCode, DistrictCode: r.DistrictCode, Name: *r.StreetName}
	}
	last, err := lastYearOf(r.LastYear)
	if err != nil {
		return nil, err
	}
	c := &reportContext{Village: v, LastYear: last}
	if r.WindowID != nil && r.WindowOpens != nil && r.WindowCloses != nil {
		c.Window = &ReportingWindow{ID: *r.WindowID, DistrictCode: r.DistrictCode, Year: year, Opens: *r.WindowOpens, Closes: *r.WindowCloses}
	}
	if r.ExceptUntil != nil {
		c.ExceptUntil = *r.ExceptUntil
	}
	if titlesAt != nil {
		var entries []TitleEntry
		seen := map[uint]bool{}
		for _, r := range rows {
			if r.TID == nil || seen[*r.TID] {
				continue
			}
			seen[*r.TID] = true
			e := TitleEntry{ID: *r.TID, VillageCode: code, RevokesID: r.TRevokesID}
			if r.TKind != nil && r.TTitle != nil && r.TLevel != nil && r.TYear != nil && r.TOn != nil {
				e.Kind, e.Title, e.Level, e.Year, e.On = *r.TKind, *r.TTitle, *r.TLevel, *r.TYear, *r.TOn
			}
			entries = append(entries, e)
		}
		c.Titles = foldTitles(entries, year).held
	}
	return c, nil
}

// openness is the year's reporting state at instant at (see ReportOpenness), from
// the context already read.
func (c *reportContext) openness(year int, at time.Time) Openness {
	return opennessOf(c.Window, c.ExceptUntil, year, at)
}

// opennessUntil is the first instant after at at which openness(year, ·) may
// change (opennessOf's edges: the window's opening, the instant after its close,
// the instant after the exception's end), or zero when none is left.
func (c *reportContext) opennessUntil(at time.Time) time.Time {
	if c.Window == nil {
		return time.Time{}
	}
	var next time.Time
	for _, t := range []time.Time{c.Window.Opens, c.Window.Closes.Add(time.Nanosecond), c.ExceptUntil.Add(time.Nanosecond)} {
		if t.After(at) && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	return next
}

// reportTargetIn loads the report's context and checks it as reportTarget does:
// the village in scope (404), the role (403), the year and the village's activity
// in it (422).
func reportTargetIn(db *gorm.DB, a *Actor, code string, year int, role string, titlesAt *time.Time) (*reportContext, error) {
	c, err := loadReportContext(db, a, code, year, titlesAt)
	if err != nil {
		return nil, err
	}
	if a.Role != role {
		return nil, ErrForbidden
	}
	if err := checkYearIn(year, c.LastYear); err != nil {
		return nil, err
	}
	if !c.Village.ActiveIn(year) {
		return nil, Invalid("year", "该村在此年度不在册（未设立或已撤并）")
	}
	return c, nil
}
