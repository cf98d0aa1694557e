package models

import (
	"sort"
	"time"

	"gorm.io/gorm"
)

// OverdueVillage is a village that has not submitted a year whose reporting window
// has opened and which the district has not closed (催报): what it has (nothing, a
// draft, a rejected version), its deadline (the window's close, or a later
// exception's) and how many days past it.
type OverdueVillage struct {
	Code, Name, Type       string
	StreetCode, StreetName string
	Year                   int
	// Status is the latest version's state: "" (nothing), draft or rejected.
	Status string
	Closes time.Time
	// ExceptionUntil is the village's latest exception of the year, nil when none.
	ExceptionUntil *time.Time
	// Deadline is Closes or a later exception; DaysOverdue counts the calendar days
	// (北京时间) from the deadline to the instant asked, 0 before it; DaysLeft those
	// left before it.
	Deadline              time.Time
	DaysOverdue, DaysLeft int
}

// StatusText is the village's state in words.
func (o OverdueVillage) StatusText() string {
	switch o.Status {
	case StatusDraft:
		return "草稿未提交"
	case StatusRejected:
		return "已退回，待重报"
	}
	return "未填报"
}

// OverdueFilter narrows the 催报 list: a year (0: every year in progress) and a
// street (""; the district only).
type OverdueFilter struct {
	Year   int
	Street string
}

// ListOverdue lists, in the actor's scope (a street its own, the district its
// streets), the villages that have neither a submitted nor an approved version of a
// year whose window opened by at and which is not closed, most overdue first, in
// one statement.
func ListOverdue(db *gorm.DB, a *Actor, f OverdueFilter, at time.Time) ([]OverdueVillage, error) {
	if a.Role != RoleStreet && a.Role != RoleDistrict {
		return nil, ErrForbidden
	}
	var rows []struct {
		Code, Name, Type       string
		StreetCode, StreetName string
		Year                   int
		Status                 string
		Closes                 time.Time
		ExceptionUntil         *time.Time
	}
	q := db.Table("villages").Scopes(a.Scope().Villages).
		Select(`villages.code AS code, villages.name AS name, villages.type AS type, villages.street_code AS street_code,
			streets.name AS street_name, w.year AS year, COALESCE(rv.status, '') AS status, w.closes AS closes,
			e.until AS exception_until`).
		Joins("JOIN streets ON streets.code = villages.street_code").
		Joins(`JOIN reporting_windows w ON w.district_code = villages.district_code AND w.opens <= ?
			AND villages.active_from <= w.year AND (villages.active_until IS NULL OR villages.active_until >= w.year)
			AND NOT EXISTS (SELECT 1 FROM year_closings yc WHERE yc.district_code = w.district_code AND yc.year = w.year AND yc.closed_at <= ?)`, at, at).
		Joins(`LEFT JOIN report_versions rv ON rv.village_code = villages.code AND rv.year = w.year
			AND rv.seq = (SELECT MAX(x.seq) FROM report_versions x WHERE x.village_code = villages.code AND x.year = w.year)`).
		Joins(`LEFT JOIN submit_exceptions e ON e.village_code = villages.code AND e.year = w.year
			AND NOT EXISTS (SELECT 1 FROM submit_exceptions e2 WHERE e2.village_code = e.village_code AND e2.year = e.year
				AND (e2.until > e.until OR (e2.until = e.until AND e2.id > e.id)))`).
		Where(`NOT EXISTS (SELECT 1 FROM report_versions r WHERE r.village_code = villages.code AND r.year = w.year
			AND r.status IN ?)`, []string{StatusSubmitted, StatusApproved})
	if f.Year != 0 {
		q = q.Where("w.year = ?", f.Year)
	}
	if f.Street != "" {
		q = q.Where("villages.street_code = ?", f.Street)
	}
	if err := q.Order("w.closes, villages.street_code, villages.code").Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]OverdueVillage, len(rows))
	today := civilDay(at)
	for i, r := range rows {
		o := OverdueVillage{Code: r.Code, Name: r.Name, Type: r.Type, StreetCode: r.StreetCode, StreetName: r.StreetName,
			Year: r.Year, Status: r.Status, Closes: r.Closes, ExceptionUntil: r.ExceptionUntil, Deadline: r.Closes}
		if r.ExceptionUntil != nil && r.ExceptionUntil.After(r.Closes) {
			o.Deadline = *r.ExceptionUntil
		}
		if d := today - civilDay(o.Deadline); at.After(o.Deadline) {
			o.DaysOverdue = max(d, 1)
		} else {
			o.DaysLeft = -d
		}
		out[i] = o
	}
	// Most overdue first; those not yet due after, soonest deadline first.
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].DaysOverdue != out[j].DaysOverdue {
			return out[i].DaysOverdue > out[j].DaysOverdue
		}
		return out[i].Deadline.Before(out[j].Deadline)
	})
	return out, nil
}

// civilDay is the day number of t's date in Beijing time.
func civilDay(t time.Time) int {
	y, m, d := t.In(Shanghai).Date()
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}
