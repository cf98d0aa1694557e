package models

import (
	"time"

	"gorm.io/gorm"
)

// TitleHolder is a village holding a title at the end of the year, with the naming
// in force: the year it was named (命名年度), its date and document number.
type TitleHolder struct {
	VillageCode string `json:"village_code"`
	VillageName string `json:"village_name"`
	StreetCode  string `json:"street_code"`
	StreetName  string `json:"street_name"`
	Title       string `json:"title"`
	Level       int    `json:"level"`
	YearNamed   int    `json:"year_named"`
	NamedOn     string `json:"named_on"`
	DocumentNo  string `json:"document_no"`
	// New says the naming is of this year.
	New bool `json:"new"`
}

// TitleHolders is the report of title holders at the end of a year.
type TitleHolders struct {
	Year     int           `json:"year"`
	AsOf     time.Time     `json:"as_of"`
	Star     int64         `json:"star"`
	Hemei    int64         `json:"hemei"`
	Holders  []TitleHolder `json:"holders"`
	Villages int64         `json:"villages"`
}

// UpwardTitleHolders lists the villages of the scope holding 星级美丽乡村 or 和美乡村 at
// the end of the year (as of the instant), one row per title, with the year named.
func UpwardTitleHolders(db *gorm.DB, a *Actor, q UpwardQuery) (*TitleHolders, error) {
	u, err := upwardStart(db, a, q)
	if err != nil {
		return nil, err
	}
	r := &TitleHolders{Year: q.Year, AsOf: q.AsOf.UTC(), Holders: []TitleHolder{}}
	var count int64
	vq := u.src.villages(db).Scopes(a.Scope().Villages)
	vq = activeIn(vq, q.Year)
	if q.Street != "" {
		vq = vq.Where("villages.street_code = ?", q.Street)
	}
	if err := vq.Count(&count).Error; err != nil {
		return nil, err
	}
	r.Villages = count
	err = foldScopeTitles(db, a, q.Street, q.Year, u.src, func(v scopeTitles, st titleState) {
		for _, e := range []*TitleEntry{st.star, st.hemei} {
			if e == nil {
				continue
			}
			if e.Title == TitleStar {
				r.Star++
			} else {
				r.Hemei++
			}
			r.Holders = append(r.Holders, TitleHolder{VillageCode: v.VillageCode, VillageName: v.VillageName,
				StreetCode: v.StreetCode, StreetName: u.streets[v.StreetCode], Title: e.Title, Level: e.Level,
				YearNamed: e.Year, NamedOn: e.On.In(Shanghai).Format("2006-01-02"), DocumentNo: e.DocumentNo, New: e.Year == q.Year})
		}
	})
	return r, err
}

// CompanyMemberRow is a member village of a company in the report, with its share
// and the dividends of the year and the year before.
type CompanyMemberRow struct {
	VillageCode     string `json:"village_code"`
	VillageName     string `json:"village_name"`
	StreetCode      string `json:"street_code"`
	StreetName      string `json:"street_name"`
	ShareMicro      int64  `json:"share_micro"`
	DividendFen     *int64 `json:"dividend_fen"`
	PrevDividendFen *int64 `json:"prev_dividend_fen"`
}

// CompanyReportRow is a 强村公司 active at the instant with members in the scope.
type CompanyReportRow struct {
	ID          uint               `json:"id"`
	Name        string             `json:"name"`
	CreditCode  string             `json:"credit_code"`
	Model       string             `json:"model"`
	FoundedOn   string             `json:"founded_on"`
	RevenueFen  *int64             `json:"revenue_fen"`
	ProfitFen   *int64             `json:"profit_fen"`
	DividendFen int64              `json:"dividend_fen"`
	Members     []CompanyMemberRow `json:"members"`
}

// CompanyReport is the report of 强村公司 with their member villages and dividends.
type CompanyReport struct {
	Year           int                `json:"year"`
	AsOf           time.Time          `json:"as_of"`
	MemberVillages int64              `json:"member_villages"`
	DividendFen    int64              `json:"dividend_fen"`
	Companies      []CompanyReportRow `json:"companies"`
}

// UpwardCompanies lists the companies active at the instant with member villages of
// the scope in the year (the members the roll-up counts), each with its members in
// the scope, their shares and dividends. Dividends and company figures are as
// entered now: they keep no history.
func UpwardCompanies(db *gorm.DB, a *Actor, q UpwardQuery) (*CompanyReport, error) {
	u, err := upwardStart(db, a, q)
	if err != nil {
		return nil, err
	}
	members, err := companyMembersAt(db, a, q.Street, q.Year, u.src)
	if err != nil {
		return nil, err
	}
	r := &CompanyReport{Year: q.Year, AsOf: q.AsOf.UTC(), Companies: []CompanyReportRow{}}
	if len(members) == 0 {
		return r, nil
	}
	var ids []uint
	idx := map[uint]int{}
	for _, m := range members {
		if _, ok := idx[m.CompanyID]; !ok {
			idx[m.CompanyID] = len(ids)
			ids = append(ids, m.CompanyID)
		}
	}
	var cs []Company
	if err := db.Where("id IN ?", ids).Find(&cs).Error; err != nil {
		return nil, err
	}
	r.Companies = make([]CompanyReportRow, len(ids))
	for _, c := range cs {
		r.Companies[idx[c.ID]] = CompanyReportRow{ID: c.ID, Name: c.Name, CreditCode: c.CreditCode, Model: c.Model, FoundedOn: c.FoundedOn}
	}
	var years []CompanyYear
	if err := db.Where("company_id IN ? AND year = ?", ids, q.Year).Find(&years).Error; err != nil {
		return nil, err
	}
	for _, y := range years {
		c := &r.Companies[idx[y.CompanyID]]
		c.RevenueFen, c.ProfitFen = &y.RevenueFen, &y.ProfitFen
	}
	var divs []CompanyDividend
	if err := db.Where("company_id IN ? AND year IN ?", ids, []int{q.Year, q.Year - 1}).Find(&divs).Error; err != nil {
		return nil, err
	}
	type key struct {
		company uint
		village string
		year    int
	}
	paid := map[key]int64{}
	for _, d := range divs {
		paid[key{d.CompanyID, d.VillageCode, d.Year}] += d.DividendFen
	}
	seen := map[string]bool{}
	for _, m := range members {
		c := &r.Companies[idx[m.CompanyID]]
		row := CompanyMemberRow{VillageCode: m.VillageCode, VillageName: m.VillageName, StreetCode: m.StreetCode,
			StreetName: u.streets[m.StreetCode], ShareMicro: m.ShareMicro}
		if d, ok := paid[key{m.CompanyID, m.VillageCode, q.Year}]; ok {
			row.DividendFen = &d
			c.DividendFen += d
			r.DividendFen += d
		}
		if d, ok := paid[key{m.CompanyID, m.VillageCode, q.Year - 1}]; ok {
			row.PrevDividendFen = &d
		}
		c.Members = append(c.Members, row)
		if !seen[m.VillageCode] {
			seen[m.VillageCode] = true
			r.MemberVillages++
		}
	}
	return r, nil
}

// WorkshopReportRow is a 共富工坊 built by the end of the year, with its employment.
type WorkshopReportRow struct {
	ID                   uint   `json:"id"`
	Name                 string `json:"name"`
	Type                 string `json:"type"`
	VillageCode          string `json:"village_code"`
	VillageName          string `json:"village_name"`
	StreetCode           string `json:"street_code"`
	StreetName           string `json:"street_name"`
	FoundedOn            string `json:"founded_on"`
	ClosedOn             string `json:"closed_on"`
	Operating            bool   `json:"operating"`
	Employed             int64  `json:"employed"`
	LowIncomeEmployed    int64  `json:"low_income_employed"`
	AvgIncomeIncreaseFen int64  `json:"avg_income_increase_fen"`
	StarLevel            int    `json:"star_level"`
}

// WorkshopReport is the report of 共富工坊 with employment: those built by the end of
// the year, and the operating ones' employment (the roll-up's figures).
type WorkshopReport struct {
	Year              int                 `json:"year"`
	AsOf              time.Time           `json:"as_of"`
	Built             int64               `json:"built"`
	Operating         int64               `json:"operating"`
	Employed          int64               `json:"employed"`
	LowIncomeEmployed int64               `json:"low_income_employed"`
	Workshops         []WorkshopReportRow `json:"workshops"`
}

// UpwardWorkshops lists the scope's workshops built by the end of the year as the
// roll-up counts them; employment counts for those operating at the year's end.
func UpwardWorkshops(db *gorm.DB, a *Actor, q UpwardQuery) (*WorkshopReport, error) {
	u, err := upwardStart(db, a, q)
	if err != nil {
		return nil, err
	}
	shops, err := workshopsAtYearEnd(db, a, q.Street, q.Year, u.src)
	if err != nil {
		return nil, err
	}
	r := &WorkshopReport{Year: q.Year, AsOf: q.AsOf.UTC(), Workshops: []WorkshopReportRow{}}
	day := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(Shanghai).Format("2006-01-02")
	}
	for _, w := range shops {
		if !w.Built {
			continue
		}
		r.Built++
		row := WorkshopReportRow{ID: w.ID, Name: w.Name, Type: w.Kind, VillageCode: w.VillageCode, VillageName: w.VillageName,
			StreetCode: w.StreetCode, StreetName: u.streets[w.StreetCode], FoundedOn: day(w.FoundedOn), ClosedOn: day(w.ClosedOn),
			Operating: w.Operating, AvgIncomeIncreaseFen: w.AvgFen, StarLevel: w.StarLevel}
		if w.Operating {
			r.Operating++
			row.Employed, row.LowIncomeEmployed = w.Employed, w.Low
			r.Employed += w.Employed
			r.LowIncomeEmployed += w.Low
		}
		r.Workshops = append(r.Workshops, row)
	}
	return r, nil
}
