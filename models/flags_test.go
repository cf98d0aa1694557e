package models_test

import (
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"testing"
	"time"

	"cunji/models"
	"cunji/seeds"

	"gorm.io/gorm"
)

const wan = int64(1_000_000) // 分 in one 万元

// rv is a version with the entered figures in 万元 and the derived ones derived.
func rv(business, contract, investment, subsidy, other, assets int64) *models.ReportVersion {
	r := &models.ReportVersion{BusinessFen: business * wan, ContractFen: contract * wan, InvestmentFen: investment * wan,
		SubsidyFen: subsidy * wan, OtherFen: other * wan, AssetsFen: assets * wan}
	r.Derive()
	return r
}

// codes lists "code:field" of flags, sorted.
func codes(fs []models.Flag) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, f.Code+":"+f.Field)
	}
	sort.Strings(out)
	return out
}

// TestFlagsOfDefinitions: each flag from its definition (docs/domain.md, "审核提示"),
// on hand-made figures, at the default thresholds (30% and 10 万元; k = 3) and at
// their edges: a move at a threshold is not past it, and both must be passed.
func TestFlagsOfDefinitions(t *testing.T) {
	th := models.DefaultFlagThresholds
	peers := func(ops ...int64) []models.ReportVersion {
		var out []models.ReportVersion
		for _, op := range ops {
			out = append(out, *rv(op, 0, 0, 0, 0, 100))
		}
		return out
	}
	cases := []struct {
		name     string
		cur      *models.ReportVersion
		last     *models.ReportVersion
		peers    []models.ReportVersion
		dividend int64
		want     []string
	}{
		{"nothing to compare", rv(60, 0, 0, 0, 0, 100), nil, nil, 0, []string{}},
		// 78.45 → 41.55: below 50 万 (and 经营收入 -28.45 万, -40.6%: past both).
		{"falls below 50万", &models.ReportVersion{BusinessFen: 41_550_000, AssetsFen: 100 * wan},
			&models.ReportVersion{BusinessFen: 70 * wan, ContractFen: 8_450_000, AssetsFen: 100 * wan}, nil, 0,
			[]string{"change:business_fen", "cross_50w:operating_fen"}},
		// 49 → 51: above 50 万; +2 万 is under 10 万, so no change flag.
		{"rises to 50万", rv(51, 0, 0, 0, 0, 100), rv(49, 0, 0, 0, 0, 100), nil, 0, []string{"cross_50w:operating_fen"}},
		{"exactly 50万 both years", rv(50, 0, 0, 0, 0, 100), rv(50, 0, 0, 0, 0, 100), nil, 0, []string{}},
		// +30% exactly (100 → 130, +30 万): at the percentage, not past it.
		{"at the percentage", rv(130, 0, 0, 0, 0, 100), rv(100, 0, 0, 0, 0, 100), nil, 0, []string{}},
		{"past both", rv(131, 0, 0, 0, 0, 100), rv(100, 0, 0, 0, 0, 100), nil, 0, []string{"change:business_fen"}},
		// +10 万 exactly from 20 (+50%): at the amount, not past it.
		{"at the amount", rv(80, 0, 0, 30, 0, 100), rv(80, 0, 0, 20, 0, 100), nil, 0, []string{}},
		// +9 万 from 1 万 (+900%): past the percentage only.
		{"percentage only", rv(80, 0, 0, 10, 0, 100), rv(80, 0, 0, 1, 0, 100), nil, 0, []string{}},
		// +20 万 from 1000 万 assets (+2%): past the amount only.
		{"amount only", rv(80, 0, 0, 0, 0, 1020), rv(80, 0, 0, 0, 0, 1000), nil, 0, []string{}},
		// From 0 any move is past the percentage; 投资收益 may be negative.
		{"from zero", rv(80, 0, -15, 0, 12, 100), rv(80, 0, 0, 0, 0, 100), nil, 0,
			[]string{"change:investment_fen", "change:other_fen"}},
		// The 1,234.5 万 typing: 16× last year.
		{"a typing slip", &models.ReportVersion{BusinessFen: 1_234_500_000, AssetsFen: 100 * wan}, rv(78, 0, 0, 0, 0, 100), nil, 0,
			[]string{"change:business_fen"}},
		// Peers 40, 50, 60 (median 50): 151 > 3 × 50; 16 < 50 / 3; 150 and 17 are not.
		{"above k × median", rv(151, 0, 0, 0, 0, 100), nil, peers(40, 50, 60), 0, []string{"median:operating_fen", "median:total_fen"}},
		{"at k × median", rv(150, 0, 0, 0, 0, 100), nil, peers(40, 50, 60), 0, []string{}},
		{"under median / k", rv(16, 0, 0, 0, 0, 100), nil, peers(40, 50, 60), 0, []string{"median:operating_fen", "median:total_fen"}},
		{"just over median / k", rv(17, 0, 0, 0, 0, 100), nil, peers(40, 50, 60), 0, []string{}},
		{"two peers are too few", rv(500, 0, 0, 0, 0, 100), nil, peers(40, 50), 0, []string{}},
		// Four peers: the median is the mean of the middle two, (40 + 60) / 2 = 50.
		{"even count", rv(151, 0, 0, 0, 0, 100), nil, peers(10, 40, 60, 900), 0, []string{"median:operating_fen", "median:total_fen"}},
		// Assets against the peers' assets (100 each): 301 > 300.
		{"assets", rv(50, 0, 0, 0, 0, 301), nil, peers(40, 50, 60), 0, []string{"median:assets_fen"}},
		{"dividend above 投资收益", rv(60, 0, 8, 0, 0, 100), nil, nil, 12 * wan, []string{"dividend:investment_fen"}},
		{"dividend equal", rv(60, 0, 8, 0, 0, 100), nil, nil, 8 * wan, []string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.cur.Derive()
			if c.last != nil {
				c.last.Derive()
			}
			got := models.FlagsOf(c.cur, c.last, c.peers, c.dividend, th)
			if g := codes(got); strings.Join(g, " ") != strings.Join(c.want, " ") {
				t.Fatalf("flags %v, want %v (%+v)", g, c.want, got)
			}
			for _, f := range got {
				if f.Message == "" || models.FlagLabel(f.Code) == "" {
					t.Errorf("flag without words: %+v", f)
				}
			}
		})
	}
	// The words say what happened, with the figures.
	fs := models.FlagsOf(&models.ReportVersion{BusinessFen: 41_550_000, OperatingFen: 41_550_000},
		&models.ReportVersion{BusinessFen: 70 * wan, ContractFen: 8_450_000, OperatingFen: 78_450_000}, nil, 0, th)
	if fs[0].Message != "经营性收入跌破 50 万元线：上年 78.45 万元，本次 41.55 万元" {
		t.Errorf("cross flag: %q", fs[0].Message)
	}
	if fs[1].Message != "经营收入较上年减少 28.45 万元（-40.6%）：上年 70.00 万元，本次 41.55 万元" {
		t.Errorf("change flag: %q", fs[1].Message)
	}
	fs = models.FlagsOf(rv(151, 0, 0, 0, 0, 100), nil, peers(40, 50, 60), 0, th)
	if fs[0].Message != "经营性收入 151.00 万元，超过本街道同类型村中位数 50.00 万元（3 个村）的 3 倍" {
		t.Errorf("median flag: %q", fs[0].Message)
	}
	// Other thresholds: 10% and 1 万元, k = 1.5.
	th2 := models.FlagThresholds{ChangeBP: 1000, ChangeFen: wan, MedianK100: 150}
	if g := codes(models.FlagsOf(rv(112, 0, 0, 0, 0, 100), rv(100, 0, 0, 0, 0, 100), peers(40, 50, 60), 0, th2)); strings.Join(g, " ") !=
		"change:business_fen median:operating_fen median:total_fen" {
		t.Errorf("other thresholds: %v", g)
	}
}

// flagWorld adds three villages to 甲 street of 乙村's type (整治提升) with approved
// 2025 figures of 经营性收入 40, 50 and 60 万元, and 乙村's approved 2024 at 45 万.
func flagWorld(t *testing.T, db *gorm.DB, ac map[string]*models.Actor) {
	t.Helper()
	at := time.Now().Add(-time.Hour).UTC()
	for i, op := range []int64{40, 50, 60} {
		code := "33100200129" + string(rune('1'+i))
		if err := db.Create(&models.Village{Code: code, Name: "同类" + string(rune('一'+i)) + "村", StreetCode: "331002001",
			DistrictCode: seeds.DistrictCode, Type: "整治提升", ActiveFrom: 2000}).Error; err != nil {
			t.Fatal(err)
		}
		v := rv(op, 0, 0, 0, 0, 100)
		v.VillageCode, v.Year, v.Seq, v.Version, v.Status, v.ReviewedAt = code, 2025, 1, 3, models.StatusApproved, &at
		if err := db.Omit("Village").Create(v).Error; err != nil {
			t.Fatal(err)
		}
	}
	// Written directly, as a bulk load writes them; the load then rebuilds the
	// current table, which the flags read.
	if err := models.RebuildCurrent(db); err != nil {
		t.Fatal(err)
	}
	approved(t, db, ac["v2"], ac["s1"], seeds.FixA2, 2024, models.ReportInput{BusinessFen: i64(45 * wan), AssetsFen: i64(100 * wan)})
}

// TestComputeFlagsFromTheDatabase: the flags of a submitted version read from the
// database (last year, the street's peers of the same type, the dividends, the
// thresholds in force at the instant asked), in one statement; a flag as of an
// earlier instant keeps the thresholds of then.
func TestComputeFlagsFromTheDatabase(t *testing.T) {
	db, ac := setup(t)
	flagWorld(t, db, ac)
	c := models.Company{DistrictCode: seeds.DistrictCode, Name: "强村公司", CreditCode: "91331002MA0000011K", Model: "资产经营型",
		FoundedOn: "2022-01-01", Version: 1}
	if err := db.Create(&c).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Create(&models.CompanyDividend{CompanyID: c.ID, Year: 2025, VillageCode: seeds.FixA2, DividendFen: 10 * wan}).Error; err != nil {
		t.Fatal(err)
	}
	// 乙村 2025: 200 万 (from 45: past 50 万, +155 万 +344%; 4 × the peers' 50), 投资收益 0 under 10 万 of dividends.
	note := "新厂房出租"
	approvedIn := models.ReportInput{BusinessFen: i64(200 * wan), AssetsFen: i64(100 * wan), Note: &note}
	drafted(t, db, ac["v2"], seeds.FixA2, 2025, approvedIn)
	if _, err := models.Submit(db, ac["v2"], seeds.FixA2, 2025, nil); err != nil {
		t.Fatal(err)
	}
	rep, err := models.GetReport(db, ac["s1"], seeds.FixA2, 2025)
	if err != nil || rep.Open == nil {
		t.Fatal(err)
	}
	subject := []models.FlagSubject{{Version: rep.Open, Village: rep.Village}}
	before := time.Now().UTC()
	res, err := models.ComputeFlags(db, subject, before)
	if err != nil {
		t.Fatal(err)
	}
	want := "change:business_fen cross_50w:operating_fen dividend:investment_fen median:operating_fen median:total_fen"
	if g := strings.Join(codes(res.Flags[0]), " "); g != want {
		t.Fatalf("flags %s, want %s", g, want)
	}
	// The cadre reads the median flags without the other villages' median.
	for _, f := range models.ForRole(res.Flags[0], models.RoleVillage) {
		if f.Code == models.FlagMedian && (strings.Contains(f.Message, "50.00 万元") || !strings.Contains(f.Message, "中位数的 3 倍")) {
			t.Errorf("the cadre's median flag: %q", f.Message)
		}
	}
	for _, f := range models.ForRole(res.Flags[0], models.RoleStreet) {
		if f.Code == models.FlagMedian && !strings.Contains(f.Message, "中位数 50.00 万元（3 个村）") {
			t.Errorf("the officer's median flag: %q", f.Message)
		}
	}
	if subject[0].LastYear == nil || subject[0].LastYear.OperatingFen != 45*wan {
		t.Fatalf("last year read with the flags: %+v", subject[0].LastYear)
	}
	// The district raises k to 5: 200 is no longer above 5 × 50; as of before, it is.
	time.Sleep(2 * time.Millisecond)
	if err := models.SetFlagThresholds(db, ac["s1"], models.FlagThresholds{ChangeBP: 3000, ChangeFen: 10 * wan, MedianK100: 500}); !errors.Is(err, models.ErrForbidden) {
		t.Fatalf("a street sets thresholds: %v", err)
	}
	if err := models.SetFlagThresholds(db, ac["d"], models.FlagThresholds{ChangeBP: 3000, ChangeFen: 10 * wan, MedianK100: 100}); err == nil {
		t.Fatal("k = 1 accepted")
	}
	if err := models.SetFlagThresholds(db, ac["d"], models.FlagThresholds{ChangeBP: 3000, ChangeFen: 10 * wan, MedianK100: 500}); err != nil {
		t.Fatal(err)
	}
	res, _ = models.ComputeFlags(db, subject, time.Now())
	if g := strings.Join(codes(res.Flags[0]), " "); g != "change:business_fen cross_50w:operating_fen dividend:investment_fen" {
		t.Fatalf("flags at k = 5: %s", g)
	}
	res, _ = models.ComputeFlags(db, subject, before)
	if g := strings.Join(codes(res.Flags[0]), " "); g != want {
		t.Fatalf("flags as of before the change: %s", g)
	}
	if th, _ := models.FlagThresholdsAt(db, seeds.DistrictCode, before); th != models.DefaultFlagThresholds {
		t.Fatalf("thresholds as of before: %+v", th)
	}
	if hist, _ := models.FlagSettingsHistory(db, seeds.DistrictCode); len(hist) != 1 || hist[0].Value != 500 {
		t.Fatalf("history: %+v", hist)
	}
}

// TestSubmitFlaggedNeedsNote: a flagged draft is not submitted without a note (422
// on note, naming the flags; nothing changes); with one, the note stays with the
// version and the submission's audit entry keeps it and the flags.
func TestSubmitFlaggedNeedsNote(t *testing.T) {
	db, ac := setup(t)
	note := ""
	approved(t, db, ac["v1"], ac["s1"], seeds.FixA1, 2024, models.ReportInput{BusinessFen: i64(70 * wan), ContractFen: i64(8_450_000)})
	d := drafted(t, db, ac["v1"], seeds.FixA1, 2025, models.ReportInput{BusinessFen: i64(41_550_000), ContractFen: i64(0), Note: &note})
	before := snapshot(t, db)
	_, err := models.Submit(db, ac["v1"], seeds.FixA1, 2025, &d.Version)
	var verr *models.ValidationError
	if !errors.As(err, &verr) || !strings.Contains(verr.Fields["note"], "经营性收入跌破 50 万元线：上年 78.45 万元，本次 41.55 万元") {
		t.Fatalf("flagged submit without a note: %v", err)
	}
	blank := "   "
	if _, err := models.SubmitNote(db, ac["v1"], seeds.FixA1, 2025, &d.Version, &blank); !errors.As(err, &verr) {
		t.Fatalf("a blank note: %v", err)
	}
	if snapshot(t, db) != before {
		t.Fatal("a refused submission changed something")
	}
	why := "村办企业停产，经营收入减少"
	sub, err := models.SubmitNote(db, ac["v1"], seeds.FixA1, 2025, &d.Version, &why)
	if err != nil {
		t.Fatal(err)
	}
	var stored models.ReportVersion
	db.First(&stored, sub.ID)
	if stored.Note != why || stored.Status != models.StatusSubmitted {
		t.Fatalf("stored: %q %s", stored.Note, stored.Status)
	}
	var e models.AuditEntry
	if err := db.Where("action = ?", "report.submit").Order("id DESC").Take(&e).Error; err != nil {
		t.Fatal(err)
	}
	var after struct {
		Note  string
		Flags []models.Flag
	}
	if err := json.Unmarshal([]byte(e.After), &after); err != nil {
		t.Fatal(err)
	}
	if after.Note != why || len(after.Flags) == 0 || after.Flags[0].Code != models.FlagCross50w {
		t.Fatalf("audit after: %s", e.After)
	}
	// An unflagged draft needs no note.
	approved(t, db, ac["v2"], ac["s1"], seeds.FixA2, 2025, models.ReportInput{BusinessFen: i64(20 * wan), Note: &note})
}

// TestFlagsAsOfBeforeAReapproval: the flags as of an instant read the version that
// counted then, not the one approved since (the current table gives the latest;
// the history gives the one before it).
func TestFlagsAsOfBeforeAReapproval(t *testing.T) {
	db, ac := setup(t)
	flagWorld(t, db, ac)
	drafted(t, db, ac["v2"], seeds.FixA2, 2025, models.ReportInput{BusinessFen: i64(55 * wan), AssetsFen: i64(100 * wan)})
	rep, err := models.GetReport(db, ac["v2"], seeds.FixA2, 2025)
	if err != nil || rep.Open == nil {
		t.Fatal(err)
	}
	before := time.Now().UTC()
	time.Sleep(2 * time.Millisecond)
	// 乙村 2024 corrected from 45 to 60 万: now 55 万 no longer crosses the 50 万 line.
	approved(t, db, ac["v2"], ac["s1"], seeds.FixA2, 2024, models.ReportInput{BusinessFen: i64(60 * wan), AssetsFen: i64(100 * wan)})
	for _, c := range []struct {
		at   time.Time
		want string
		last int64
	}{{before, "cross_50w:operating_fen", 45 * wan}, {time.Now().UTC(), "", 60 * wan}} {
		subject := []models.FlagSubject{{Version: rep.Open, Village: rep.Village}}
		res, err := models.ComputeFlags(db, subject, c.at)
		if err != nil {
			t.Fatal(err)
		}
		if g := strings.Join(codes(res.Flags[0]), " "); g != c.want {
			t.Errorf("as of %s: flags %q, want %q", c.at, g, c.want)
		}
		if l := subject[0].LastYear; l == nil || l.BusinessFen != c.last {
			t.Errorf("as of %s: last year %+v, want %d", c.at, l, c.last)
		}
	}
}
