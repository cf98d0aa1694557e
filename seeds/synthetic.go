package seeds

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"cunji/models"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

// SyntheticPassword is the password of the synthetic data's accounts.
const SyntheticPassword = "cunji-synthetic"

// SyntheticStats says what Synthetic wrote.
type SyntheticStats struct {
	Districts, Streets, Villages, Versions, Companies, Workshops int
	// Indicators and IndicatorValues are the catalogue's (SyntheticOptions.Indicators).
	Indicators, IndicatorValues int
}

// SyntheticOptions are what Synthetic adds on request.
type SyntheticOptions struct {
	// Indicators is the size of each district's indicator catalogue (0: none), with
	// values of SyntheticIndicatorYear (syntheticIndicators).
	Indicators int
}

// Synthetic fills an empty database with n invented villages in a realistic
// hierarchy — districts of 6–15 streets, streets of 15–40 villages, codes in the
// statistics-code pattern (province 2 digits, city 2, district 2, street 3, village
// 3 starting at 201) — with five years of approved reports (about one in twenty
// village-years corrected), 强村公司 memberships and 共富工坊. The same n and seed
// give the same data. Accounts: "district-<code>" for every district, and for the
// first district its streets' and villages' accounts as in the demo; all with
// SyntheticPassword.
func Synthetic(db *gorm.DB, n int, seed uint64, progress func(done, total int)) (*SyntheticStats, error) {
	return SyntheticWith(db, n, seed, SyntheticOptions{}, progress)
}

// SyntheticWith is Synthetic with the options: each district's indicator catalogue
// with its values when asked.
func SyntheticWith(db *gorm.DB, n int, seed uint64, opts SyntheticOptions, progress func(done, total int)) (*SyntheticStats, error) {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	indRng := rand.New(rand.NewPCG(seed^0x5bd1e995, seed))
	st := &SyntheticStats{}
	hash, err := bcrypt.GenerateFromPassword([]byte(SyntheticPassword), bcrypt.DefaultCost)
	if err != nil {
		return nil, err
	}
	w := newBatchWriter(db)
	userID := uint(0)
	nextUser := func(u models.User) uint {
		userID++
		u.ID = userID
		u.PasswordHash, u.TokenVersion = string(hash), 1
		w.add(&u)
		return userID
	}
	province, city, district := 11, 1, 0
	for st.Villages < n {
		district++
		if district > 15 {
			district, city = 1, city+1
		}
		if city > 20 {
			city, province = 1, province+1
		}
		dcode := fmt.Sprintf("%02d%02d%02d", province, city, district)
		w.add(&models.District{Code: dcode, Name: fmt.Sprintf("合成%02d省%02d市%02d区", province, city, district)})
		for _, t := range Targets() {
			t.ScopeCode = dcode
			w.add(&t)
		}
		first := st.Districts == 0
		st.Districts++
		dUser := nextUser(models.User{Username: "district-" + dcode, Name: "合成区级账号", Role: models.RoleDistrict, DistrictCode: dcode})
		streets := 6 + rng.IntN(10)
		var districtVillages []models.Village
		for s := 0; s < streets && st.Villages < n; s++ {
			scode := fmt.Sprintf("%s%03d", dcode, s+1)
			w.add(&models.Street{Code: scode, DistrictCode: dcode, Name: fmt.Sprintf("合成第%d街道", s+1)})
			st.Streets++
			officer := &models.User{ID: dUser, Name: "合成审核员"}
			if first {
				officer.ID = nextUser(models.User{Username: "street-" + scode, Name: "合成审核员", Role: models.RoleStreet, DistrictCode: dcode, StreetCode: scode})
			}
			count := 15 + rng.IntN(26)
			var members []string
			for v := 0; v < count && st.Villages < n; v++ {
				vcode := fmt.Sprintf("%s%03d", scode, 201+v)
				vil := models.Village{Code: vcode, Name: fmt.Sprintf("合成村%d", st.Villages+1), StreetCode: scode, DistrictCode: dcode,
					Type: models.VillageTypes[rng.IntN(len(models.VillageTypes))], ActiveFrom: 2000}
				if rng.IntN(200) == 0 {
					until := 2024 + rng.IntN(3)
					vil.ActiveUntil = &until
				}
				w.add(&vil)
				if opts.Indicators > 0 {
					districtVillages = append(districtVillages, vil)
				}
				rev := models.RevisionOf(&vil, models.SeedEpoch)
				w.add(&rev)
				cadre := dUser
				if first {
					cadre = nextUser(models.User{Username: "village-" + vcode, Name: "合成村干部", Role: models.RoleVillage,
						DistrictCode: dcode, StreetCode: scode, VillageCode: vcode})
				}
				st.Versions += syntheticReports(w, rng, &vil, cadre, officer)
				if rng.IntN(10) == 0 {
					syntheticWorkshop(w, rng, &vil, cadre, officer)
					st.Workshops++
				}
				if len(members) < 3+rng.IntN(3) {
					members = append(members, vcode)
				}
				st.Villages++
				if progress != nil && st.Villages%10000 == 0 {
					progress(st.Villages, n)
				}
			}
			syntheticCompany(w, rng, scode, dcode, members)
			st.Companies++
		}
		if opts.Indicators > 0 {
			syntheticIndicators(w, indRng, st, dcode, districtVillages, opts.Indicators, dUser)
		}
		if err := w.flushIfBig(); err != nil {
			return nil, err
		}
	}
	if err := w.flush(); err != nil {
		return nil, err
	}
	if err := models.RebuildCurrent(db); err != nil {
		return nil, err
	}
	if err := models.RebuildCells(db); err != nil {
		return nil, err
	}
	if err := models.RebuildIndicatorCells(db); err != nil {
		return nil, err
	}
	// Fresh statistics, so that the planner knows the tables' shape after a bulk load.
	if err := models.Analyze(db, true); err != nil {
		return nil, err
	}
	if progress != nil {
		progress(st.Villages, n)
	}
	return st, nil
}

// syntheticReports writes five years of approved reports for a village; it returns
// how many versions.
func syntheticReports(w *batchWriter, rng *rand.Rand, v *models.Village, cadre uint, officer *models.User) int {
	oper := 500_000 * math.Exp(0.05+rng.NormFloat64()) // 元, about 55% over 50万 in 2023
	star := rng.IntN(2)
	hemei := rng.IntN(6) == 0
	assets := 20_000_000 + rng.Float64()*60_000_000
	seq, n := 0, 0
	heldStar, heldHemei := 0, false
	for year := models.FirstYear; year <= models.PlanFinalYear; year++ {
		if v.ActiveUntil != nil && year > *v.ActiveUntil {
			break
		}
		if year > models.FirstYear {
			oper *= 1.04 + 0.12*rng.Float64()
			assets *= 1.03 + 0.05*rng.Float64()
			if star < 3 && rng.IntN(3) == 0 {
				star++
			}
			hemei = hemei || rng.IntN(5) == 0
		}
		r := demoVersion(rng, v.Code, year, oper, assets, star, hemei)
		// Year Y is approved in the spring after it, compressed so that all five
		// years lie in the past.
		at := time.Date(2024, 1, 10, 9, 0, 0, 0, time.UTC).Add(time.Duration(year-models.FirstYear)*200*24*time.Hour +
			time.Duration(rng.IntN(60*24))*time.Minute)
		seq++
		addApproved(w, &r, seq, at, cadre, officer)
		n++
		// The district names what the village reached, recorded when the report
		// was approved; now and then a naming is revoked months later.
		if star != heldStar {
			syntheticTitle(w, rng, v.Code, models.TitleStar, star, year, at)
			heldStar = star
		}
		if hemei && !heldHemei {
			syntheticTitle(w, rng, v.Code, models.TitleHemei, 0, year, at)
			heldHemei = true
		}
		if rng.IntN(20) == 0 {
			c := r
			c.BusinessFen += int64(rng.IntN(100_000)) * 100
			c.Derive()
			seq++
			addApproved(w, &c, seq, at.Add(time.Duration(10+rng.IntN(40))*24*time.Hour), cadre, officer)
			n++
		}
	}
	return n
}

// syntheticTitle queues a naming recorded at at; one in twenty is revoked 100 days
// later.
func syntheticTitle(w *batchWriter, rng *rand.Rand, code, title string, level, year int, at time.Time) {
	e := models.TitleEntry{VillageCode: code, Kind: models.TitleNamed, Title: title, Level: level, Year: year,
		On: time.Date(year, 12, 20, 0, 0, 0, 0, time.UTC), DocumentNo: fmt.Sprintf("合成〔%d〕号", year), RecordedAt: at}
	if rng.IntN(20) != 0 {
		w.add(&e)
		return
	}
	w.addWithID(&e, func(id uint) {
		on := at.Add(100 * 24 * time.Hour)
		w.add(&models.TitleEntry{VillageCode: code, Kind: models.TitleRevoked, Title: title, Level: level, Year: year,
			On: on, RevokesID: &id, Reason: "复核未通过", RecordedAt: on.Add(24 * time.Hour)})
	})
}

func addApproved(w *batchWriter, r *models.ReportVersion, seq int, at time.Time, cadre uint, officer *models.User) {
	v := *r
	v.Workflow = models.Workflow{Seq: seq, Version: seq * 3, CreatedByID: cadre}
	sub := at.Add(-24 * time.Hour)
	v.Status, v.SubmittedAt, v.SubmittedBy = models.StatusApproved, &sub, "合成村干部"
	rev := at
	oid := officer.ID
	v.ReviewedAt, v.ReviewerID, v.Reviewer = &rev, &oid, officer.Name
	v.CreatedAt, v.UpdatedAt = at.Add(-48*time.Hour), at
	w.add(&v)
}

func syntheticWorkshop(w *batchWriter, rng *rand.Rand, v *models.Village, cadre uint, officer *models.User) {
	code := v.Code
	shop := &models.Workshop{VillageCode: &code, Site: models.WorkshopSites[0], CreatedAt: models.SeedEpoch}
	w.addWithID(shop, func(id uint) {
		at := time.Date(2023+rng.IntN(3), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 10, 0, 0, 0, time.UTC)
		emp := 5 + rng.IntN(60)
		ver := models.WorkshopVersion{WorkshopID: id, VillageCode: v.Code, Name: v.Name + "共富工坊",
			Type: models.WorkshopTypes[rng.IntN(len(models.WorkshopTypes))], State: "运营", Employed: emp,
			LowIncomeEmployed: emp * rng.IntN(30) / 100, AvgIncomeIncreaseFen: int64(800+rng.IntN(1500)) * 100}
		// Most are dated, some built a year or more before they were registered;
		// one in five is from before dates (none).
		if rng.IntN(5) != 0 {
			founded := time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -rng.IntN(700))
			ver.FoundedOn = &founded
			if rng.IntN(8) == 0 {
				closed := founded.AddDate(0, 0, 1+rng.IntN(int(at.Sub(founded).Hours()/24)+1))
				ver.State, ver.ClosedOn = "停运", &closed
			}
		}
		ver.Workflow = models.Workflow{Seq: 1, Version: 3, CreatedByID: cadre, Status: models.StatusApproved}
		ver.ReviewedAt, ver.Reviewer, ver.SubmittedAt = &at, officer.Name, &at
		ver.CreatedAt, ver.UpdatedAt = at, at
		w.add(&ver)
	})
}

func syntheticCompany(w *batchWriter, rng *rand.Rand, scode, dcode string, members []string) {
	if len(members) == 0 {
		return
	}
	c := &models.Company{DistrictCode: dcode, Name: scode + "强村公司（合成）", CreditCode: demoCreditCode(rng),
		Model: CompanyModelsFor(rng), FoundedOn: "2022-06-01", RegisteredCapitalFen: 1_000_000_000, Version: 1,
		CreatedAt: models.SeedEpoch, UpdatedAt: models.SeedEpoch}
	w.addWithID(c, func(id uint) {
		share := models.ShareWhole / int64(len(members))
		for _, m := range members {
			w.add(&models.CompanyMember{CompanyID: id, VillageCode: m, ShareMicro: share, FromYear: 2023, AddedAt: models.SeedEpoch})
		}
	})
}

// CompanyModelsFor picks a company model.
func CompanyModelsFor(rng *rand.Rand) string {
	return models.CompanyModels[rng.IntN(len(models.CompanyModels))]
}

// batchWriter collects rows by type and writes them in large batches, in the order
// the tables depend on each other.
type batchWriter struct {
	db      *gorm.DB
	tables  []table // in dependency order
	pending int
	// withID are rows whose dependants need the id the database assigns.
	withID []idRow
}

type idRow struct {
	row  any
	then func(uint)
}

// table is the queued rows of one model.
type table interface {
	accepts(v any) bool
	put(v any)
	insert(tx *gorm.DB) error
	reset()
}

// rowsOf queues rows of model T, written size at a time (sized to the databases'
// limits on statement parameters).
type rowsOf[T any] struct {
	rows []T
	size int
}

func (r *rowsOf[T]) accepts(v any) bool { _, ok := v.(*T); return ok }
func (r *rowsOf[T]) put(v any)          { r.rows = append(r.rows, *v.(*T)) }
func (r *rowsOf[T]) reset()             { r.rows = nil }
func (r *rowsOf[T]) insert(tx *gorm.DB) error {
	if len(r.rows) == 0 {
		return nil
	}
	return tx.Session(&gorm.Session{SkipHooks: true}).Omit("Street", "Village", "District").CreateInBatches(r.rows, r.size).Error
}

func newBatchWriter(db *gorm.DB) *batchWriter {
	return &batchWriter{db: db, tables: []table{
		&rowsOf[models.District]{size: 500}, &rowsOf[models.Target]{size: 500}, &rowsOf[models.User]{size: 300},
		&rowsOf[models.Street]{size: 500}, &rowsOf[models.Village]{size: 500}, &rowsOf[models.VillageRevision]{size: 500},
		&rowsOf[models.ReportVersion]{size: 400},
		// These need the ids of companies and workshops: written after them.
		&rowsOf[models.CompanyMember]{size: 500}, &rowsOf[models.WorkshopVersion]{size: 400},
		&rowsOf[models.TitleEntry]{size: 500},
		&rowsOf[models.IndicatorRevision]{size: 500}, &rowsOf[models.IndicatorValue]{size: 500},
	}}
}

// dependants is where the rows that need assigned ids start in tables.
const dependants = 7

func (w *batchWriter) add(v any) {
	for _, t := range w.tables {
		if t.accepts(v) {
			t.put(v)
			w.pending++
			return
		}
	}
	panic(fmt.Sprintf("batchWriter: %T", v))
}

// addWithID queues a row (a company, a workshop) whose id its dependants need.
func (w *batchWriter) addWithID(v any, then func(uint)) {
	w.withID = append(w.withID, idRow{v, then})
	w.pending++
}

// addAside queues a row whose dependants need its id, like addWithID, without
// counting it toward the flush threshold: the catalogue's rows (SyntheticOptions)
// leave the points where the rest is flushed — and the random draws some of its
// dependants make then — as they are without them.
func (w *batchWriter) addAside(v any, then func(uint)) {
	w.withID = append(w.withID, idRow{v, then})
}

// flushEvery is how many queued rows make a flush (a variable for the tests).
var flushEvery = 200_000

func (w *batchWriter) flushIfBig() error {
	if w.pending < flushEvery {
		return nil
	}
	return w.flush()
}

// flush writes everything queued, in one transaction: the tables in dependency
// order, then the rows that need their ids (companies, workshops), then theirs.
func (w *batchWriter) flush() error {
	err := w.db.Transaction(func(tx *gorm.DB) error {
		for _, t := range w.tables[:dependants] {
			if err := t.insert(tx); err != nil {
				return err
			}
		}
		var companies []models.Company
		var shops []models.Workshop
		var titles []models.TitleEntry
		var indicators []models.Indicator
		var cThen, sThen, tThen, iThen []func(uint)
		for _, r := range w.withID {
			switch v := r.row.(type) {
			case *models.Company:
				companies, cThen = append(companies, *v), append(cThen, r.then)
			case *models.Workshop:
				shops, sThen = append(shops, *v), append(sThen, r.then)
			case *models.TitleEntry:
				titles, tThen = append(titles, *v), append(tThen, r.then)
			case *models.Indicator:
				indicators, iThen = append(indicators, *v), append(iThen, r.then)
			}
		}
		if len(companies) > 0 {
			if err := tx.CreateInBatches(companies, 500).Error; err != nil {
				return err
			}
		}
		if len(shops) > 0 {
			if err := tx.Omit("Village", "Street").CreateInBatches(shops, 500).Error; err != nil {
				return err
			}
		}
		if len(titles) > 0 {
			if err := tx.CreateInBatches(titles, 500).Error; err != nil {
				return err
			}
		}
		if len(indicators) > 0 {
			if err := tx.CreateInBatches(indicators, 500).Error; err != nil {
				return err
			}
		}
		for i := range titles {
			tThen[i](titles[i].ID)
		}
		for i := range indicators {
			iThen[i](indicators[i].ID)
		}
		for i := range companies {
			cThen[i](companies[i].ID)
		}
		for i := range shops {
			sThen[i](shops[i].ID)
		}
		for _, t := range w.tables[dependants:] {
			if err := t.insert(tx); err != nil {
				return err
			}
		}
		return nil
	})
	for _, t := range w.tables {
		t.reset()
	}
	w.withID, w.pending = nil, 0
	return err
}
