package models

import (
	"sort"
	"strconv"
	"time"

	"gorm.io/gorm"
)

// Todo is what waits for one person on their home page (待办), each item a link
// to the place where it is done. Every list is one query, within the actor's scope.
type Todo struct {
	// Cadre: the village's open years to fill or correct, and the catalogue's
	// indicators it enters for them, not yet submitted or sent back.
	Years      []TodoYear
	Indicators []TodoIndicator
	// Street: reports waiting in the queue, and villages not yet reported.
	Queue      int64
	Unreported []TodoVillage
	// Values counts the catalogue's indicator values waiting in the street's queue.
	Values int64
	// District: submissions waiting by street, past years still to close, and
	// years whose district targets are not all assigned.
	Pending   []TodoStreet
	ToClose   []int
	NoTargets []TodoTargets
	// Street and district: villages past their deadline without a submission (催报),
	// and those not yet due.
	Overdue, NotYetDue int
}

// TodoYear is a year the cadre still has to report (Status "" or draft) or to
// correct (rejected, with the reason), before its window closes.
type TodoYear struct {
	Year   int
	Closes time.Time
	Status string
	Reason string
}

// TodoIndicator is an indicator of the catalogue the cadre enters for an open year,
// with no value yet (Status ""), a draft, or a rejected one (with the reason).
type TodoIndicator struct {
	Code, Name     string
	Year           int
	Status, Reason string
}

// TodoVillage is a village that has not submitted a year whose window is open.
type TodoVillage struct {
	Code, Name string
	Year       int
	Closes     time.Time
}

// TodoStreet counts the submissions waiting for one street's review.
type TodoStreet struct {
	Code, Name string
	N          int64
}

// TodoTargets lists the indicators of a year without a district target.
type TodoTargets struct {
	Year    int
	Missing []string
}

// openWindows joins the reporting windows open at at (and the year not closed).
const openWindows = `JOIN reporting_windows w ON w.district_code = villages.district_code AND w.opens <= ? AND w.closes >= ?
	AND villages.active_from <= w.year AND (villages.active_until IS NULL OR villages.active_until >= w.year)
	AND NOT EXISTS (SELECT 1 FROM year_closings yc WHERE yc.district_code = w.district_code AND yc.year = w.year AND yc.closed_at <= ?)`

// TodoOf computes the actor's to-do lists at instant at.
func TodoOf(db *gorm.DB, a *Actor, at time.Time) (*Todo, error) {
	t := &Todo{}
	switch a.Role {
	case RoleVillage:
		// The latest version of each open year: none, a draft or a rejection waits.
		err := db.Table("villages").Scopes(a.Scope().Villages).
			Select("w.year AS year, w.closes AS closes, COALESCE(rv.status, '') AS status, COALESCE(rv.reject_reason, '') AS reason").
			Joins(openWindows, at, at, at).
			Joins(`LEFT JOIN report_versions rv ON rv.village_code = villages.code AND rv.year = w.year
				AND rv.seq = (SELECT MAX(x.seq) FROM report_versions x WHERE x.village_code = villages.code AND x.year = w.year)`).
			Where("rv.status IS NULL OR rv.status IN ?", []string{StatusDraft, StatusRejected}).
			Order("w.year").Scan(&t.Years).Error
		if err != nil {
			return nil, err
		}
		// The village-entered indicators that apply in an open year, each with its
		// latest value's state: none, a draft or a rejection waits.
		err = db.Table("villages").Scopes(a.Scope().Villages).
			Select("i.code AS code, i.name AS name, w.year AS year, COALESCE(iv.status, '') AS status, COALESCE(iv.reject_reason, '') AS reason").
			Joins(openWindows, at, at, at).
			Joins(`JOIN indicators i ON i.district_code = villages.district_code AND i.entered_by = ?
				AND i.from_year <= w.year AND (i.until_year IS NULL OR i.until_year >= w.year)`, EnteredByVillage).
			Joins(`LEFT JOIN indicator_values iv ON iv.indicator_id = i.id AND iv.village_code = villages.code AND iv.year = w.year
				AND iv.seq = (SELECT MAX(x.seq) FROM indicator_values x WHERE x.indicator_id = i.id AND x.village_code = villages.code AND x.year = w.year)`).
			Where("iv.status IS NULL OR iv.status IN ?", []string{StatusDraft, StatusRejected}).
			Order("w.year, i.code").Scan(&t.Indicators).Error
		return t, err
	case RoleStreet:
		if err := db.Model(&ReportVersion{}).Joins("JOIN villages ON villages.code = report_versions.village_code").
			Scopes(a.Scope().Villages).Where("report_versions.status = ?", StatusSubmitted).Count(&t.Queue).Error; err != nil {
			return nil, err
		}
		if err := db.Model(&IndicatorValue{}).Joins("JOIN villages ON villages.code = indicator_values.village_code").
			Scopes(a.Scope().Villages).Where("indicator_values.status = ?", StatusSubmitted).Count(&t.Values).Error; err != nil {
			return nil, err
		}
		// The villages not yet reported in an open window are the 催报 list's not yet
		// due: one query for both.
		late, err := ListOverdue(db, a, OverdueFilter{}, at)
		for _, r := range late {
			if !at.After(r.Closes) {
				t.Unreported = append(t.Unreported, TodoVillage{Code: r.Code, Name: r.Name, Year: r.Year, Closes: r.Closes})
			}
		}
		sort.Slice(t.Unreported, func(i, j int) bool {
			if t.Unreported[i].Year != t.Unreported[j].Year {
				return t.Unreported[i].Year < t.Unreported[j].Year
			}
			return t.Unreported[i].Code < t.Unreported[j].Code
		})
		t.Overdue, t.NotYetDue = countOverdue(late)
		return t, err
	case RoleDistrict:
		late, err := ListOverdue(db, a, OverdueFilter{}, at)
		if err != nil {
			return nil, err
		}
		t.Overdue, t.NotYetDue = countOverdue(late)
		if err := db.Model(&ReportVersion{}).Joins("JOIN villages ON villages.code = report_versions.village_code").
			Joins("JOIN streets ON streets.code = villages.street_code").Scopes(a.Scope().Villages).
			Where("report_versions.status = ?", StatusSubmitted).
			Select("streets.code AS code, streets.name AS name, COUNT(*) AS n").
			Group("streets.code, streets.name").Order("streets.code").Scan(&t.Pending).Error; err != nil {
			return nil, err
		}
		// A past year with neither a window nor a closing stays provisional until
		// the district closes it.
		this := at.In(Shanghai).Year()
		var settled []int
		if err := db.Raw(`SELECT year FROM reporting_windows WHERE district_code = ?
			UNION SELECT year FROM year_closings WHERE district_code = ? AND closed_at <= ?`,
			a.DistrictCode, a.DistrictCode, at).Scan(&settled).Error; err != nil {
			return nil, err
		}
		done := map[int]bool{}
		for _, y := range settled {
			done[y] = true
		}
		for y := FirstYear; y < this && y <= PlanFinalYear; y++ {
			if !done[y] {
				t.ToClose = append(t.ToClose, y)
			}
		}
		// The district's own targets of this year up to the plan's final year.
		var set []struct {
			Indicator string
			Year      int
		}
		from := max(this, FirstYear)
		if err := db.Model(&Target{}).Distinct("indicator", "year").
			Where("scope_code = ? AND year >= ? AND year <= ?", a.DistrictCode, from, PlanFinalYear).Scan(&set).Error; err != nil {
			return nil, err
		}
		has := map[string]bool{}
		for _, s := range set {
			has[s.Indicator+"/"+strconv.Itoa(s.Year)] = true
		}
		for y := from; y <= PlanFinalYear; y++ {
			var missing []string
			for _, ind := range Indicators {
				if !has[ind.Code+"/"+strconv.Itoa(y)] {
					missing = append(missing, ind.Label)
				}
			}
			if len(missing) > 0 {
				t.NoTargets = append(t.NoTargets, TodoTargets{Year: y, Missing: missing})
			}
		}
		sort.Ints(t.ToClose)
	}
	return t, nil
}

// countOverdue counts the villages past their deadline and those not yet due.
func countOverdue(rows []OverdueVillage) (late, notYet int) {
	for _, r := range rows {
		if r.DaysOverdue > 0 {
			late++
		} else {
			notYet++
		}
	}
	return late, notYet
}
