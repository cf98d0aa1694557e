package models

import (
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Flags for the reviewer (docs/domain.md, "Flags"): what in a submitted (or drafted)
// version deserves a second look, each said in plain Chinese. A flag is computed
// when it is read, from the version, the village's approved figures of the year
// before, the approved figures of the same street's villages of the same type, the
// 强村公司 dividends of the year and the district's thresholds in force at that
// instant; the flags a version had when it was submitted are kept in the audit
// entry of its submission, with the cadre's note.
const (
	// FlagCross50w: 经营性收入 crossed the 50万元 line against last year's approved
	// figure, downward or upward.
	FlagCross50w = "cross_50w"
	// FlagChange: an entered figure moved past both change thresholds (percent and
	// amount) against last year's approved figure.
	FlagChange = "change"
	// FlagMedian: 经营性收入, 总收入 or 集体资产 is more than k times, or under 1/k of,
	// the median of the same street's other villages of the same type (at least
	// MinPeers of them with an approved figure of the year).
	FlagMedian = "median"
	// FlagDividend: 投资收益 is below the dividends received from 强村公司 that year
	// (some received).
	FlagDividend = "dividend"
)

// FlagCodes are the flags' codes in the order they are shown, with their names.
var FlagCodes = []struct{ Code, Label string }{
	{FlagCross50w, "跨越 50 万线"}, {FlagChange, "较上年变动大"}, {FlagMedian, "偏离同类村中位数"}, {FlagDividend, "投资收益低于分红"},
}

// FlagLabel is the short name of a flag code ("" when unknown).
func FlagLabel(code string) string {
	for _, f := range FlagCodes {
		if f.Code == code {
			return f.Label
		}
	}
	return ""
}

// MinPeers is how many other villages of the same street and type need an approved
// figure of the year before a figure is compared with their median.
const MinPeers = 3

// Flag is one thing the reviewer should look at.
type Flag struct {
	Code string `json:"code"`
	// Field is the amount concerned (business_fen …), "" for none.
	Field   string `json:"field"`
	Message string `json:"message"`
	// cadre is the message as the village's cadre reads it, when it differs: a
	// median flag without the peers' median (see ForRole).
	cadre string
}

// ForRole is the flags as the role reads them: a village's cadre gets the median
// flags without the median of the other villages, whose figures are outside the
// cadre's scope; the others get them as they are.
func ForRole(fs []Flag, role string) []Flag {
	if role != RoleVillage {
		return fs
	}
	out := make([]Flag, len(fs))
	for i, f := range fs {
		if f.cadre != "" {
			f.Message, f.cadre = f.cadre, ""
		}
		out[i] = f
	}
	return out
}

// FlagThresholds are the district's thresholds of the flags.
type FlagThresholds struct {
	// ChangeBP is the change threshold in basis points of last year's figure, and
	// ChangeFen in 分: a figure is flagged when it moved past both.
	ChangeBP  int64 `json:"change_bp"`
	ChangeFen int64 `json:"change_fen"`
	// MedianK100 is k × 100: a figure above k times, or below 1/k of, its peers'
	// median is flagged.
	MedianK100 int64 `json:"median_k100"`
}

// The settings' keys and their defaults (30%, 10万元, 3 times).
const (
	settingFlagChangeBP   = "flag_change_bp"
	settingFlagChangeFen  = "flag_change_fen"
	settingFlagMedianK100 = "flag_median_k100"
)

// DefaultFlagThresholds are the thresholds before the district sets its own.
var DefaultFlagThresholds = FlagThresholds{ChangeBP: 3000, ChangeFen: 10_000_000, MedianK100: 300}

var flagSettingKeys = []string{settingFlagChangeBP, settingFlagChangeFen, settingFlagMedianK100}

// set puts a setting's value into its field.
func (t *FlagThresholds) set(key string, v int64) {
	switch key {
	case settingFlagChangeBP:
		t.ChangeBP = v
	case settingFlagChangeFen:
		t.ChangeFen = v
	case settingFlagMedianK100:
		t.MedianK100 = v
	}
}

func (t FlagThresholds) get(key string) int64 {
	switch key {
	case settingFlagChangeBP:
		return t.ChangeBP
	case settingFlagChangeFen:
		return t.ChangeFen
	}
	return t.MedianK100
}

// Text is the thresholds as a sentence ("变动超过 30% 且超过 10 万元；偏离中位数 3 倍").
func (t FlagThresholds) Text() string {
	return "较上年变动超过 " + bpText(t.ChangeBP) + "% 且超过 " + FormatMoney(t.ChangeFen) +
		"；高于同类村中位数 " + k100Text(t.MedianK100) + " 倍或低于其 1/" + k100Text(t.MedianK100)
}

func bpText(bp int64) string { return k100Text(bp) }

// k100Text writes n/100 with at most two decimals.
func k100Text(n int64) string {
	s := strconv.FormatInt(n/100, 10)
	if r := n % 100; r != 0 {
		s += strings.TrimRight("."+fmt.Sprintf("%02d", r), "0")
	}
	return s
}

// FlagThresholdsAt are the district's thresholds in force at instant at (one
// statement).
func FlagThresholdsAt(db *gorm.DB, district string, at time.Time) (FlagThresholds, error) {
	t := DefaultFlagThresholds
	var rows []struct {
		Key   string
		Value int64
	}
	err := db.Raw(latestSettingsSQL, district, flagSettingKeys, at).Scan(&rows).Error
	for _, r := range rows {
		t.set(r.Key, r.Value)
	}
	return t, err
}

// latestSettingsSQL reads, of one district's settings named, the value in force at
// an instant: the latest recorded by then.
const latestSettingsSQL = `SELECT s.key AS key, s.value AS value FROM district_settings s
	WHERE s.district_code = ? AND s.key IN ? AND s.id = (SELECT x.id FROM district_settings x
	WHERE x.district_code = s.district_code AND x.key = s.key AND x.recorded_at <= ?
	ORDER BY x.recorded_at DESC, x.id DESC LIMIT 1)`

// FlagSettingEntry is one recorded value of a flag threshold.
type FlagSettingEntry struct {
	Key        string    `json:"key"`
	Value      int64     `json:"value"`
	RecordedAt time.Time `json:"recorded_at"`
	RecordedBy string    `json:"recorded_by"`
}

// Text is the entry as a sentence ("较上年变动百分比 30%").
func (e FlagSettingEntry) Text() string {
	switch e.Key {
	case settingFlagChangeBP:
		return "较上年变动百分比 " + k100Text(e.Value) + "%"
	case settingFlagChangeFen:
		return "较上年变动金额 " + FormatMoney(e.Value)
	}
	return "偏离同类村中位数倍数 " + k100Text(e.Value)
}

// FlagSettingsHistory lists the district's recorded flag thresholds, newest first.
func FlagSettingsHistory(db *gorm.DB, district string) ([]FlagSettingEntry, error) {
	var rows []DistrictSetting
	err := db.Where("district_code = ? AND key IN ?", district, flagSettingKeys).
		Order("recorded_at DESC, id DESC").Limit(200).Find(&rows).Error
	out := make([]FlagSettingEntry, len(rows))
	for i, r := range rows {
		out[i] = FlagSettingEntry{Key: r.Key, Value: r.Value, RecordedAt: r.RecordedAt, RecordedBy: r.RecordedBy}
	}
	return out, err
}

// CheckFlagThresholds validates thresholds: a change of 1% to 1000%, an amount of
// 0.01 万元 up, a k above 1 and at most 100.
func CheckFlagThresholds(t FlagThresholds) error {
	v := &ValidationError{}
	if t.ChangeBP < 100 || t.ChangeBP > 100_000 {
		v.Add("change_bp", "变动百分比须在 1% 至 1000% 之间")
	}
	if t.ChangeFen < 10_000 || t.ChangeFen > MaxAmountFen {
		v.Add("change_fen", "变动金额须至少 0.01 万元")
	}
	if t.MedianK100 <= 100 || t.MedianK100 > 10_000 {
		v.Add("median_k100", "中位数倍数须大于 1 且不超过 100")
	}
	return v.Err()
}

// SetFlagThresholds records the district's flag thresholds: each changed one is a
// new setting row and an audit entry, so that a flag as of a past instant keeps
// the thresholds of then. District staff only.
func SetFlagThresholds(db *gorm.DB, a *Actor, t FlagThresholds) error {
	if a.Role != RoleDistrict {
		return ErrForbidden
	}
	if err := CheckFlagThresholds(t); err != nil {
		return err
	}
	return db.Transaction(func(tx *gorm.DB) error {
		at := now()
		before, err := FlagThresholdsAt(tx, a.DistrictCode, at)
		if err != nil {
			return err
		}
		for _, key := range flagSettingKeys {
			if before.get(key) == t.get(key) {
				continue
			}
			row := DistrictSetting{DistrictCode: a.DistrictCode, Key: key, Value: t.get(key), RecordedAt: at, RecordedBy: a.Name}
			if err := tx.Create(&row).Error; err != nil {
				return err
			}
			if err := Audit(tx, a, "setting."+key, "setting", key, AuditScope{District: a.DistrictCode}, before.get(key), t.get(key)); err != nil {
				return err
			}
		}
		return nil
	})
}

// FlagsOf computes a version's flags from the definitions: cur against last year's
// approved version (nil: none), the approved versions of the year of the same
// street's other villages of the same type (peers), the 强村公司 dividends the
// village received that year and the thresholds.
func FlagsOf(cur, last *ReportVersion, peers []ReportVersion, dividendFen int64, t FlagThresholds) []Flag {
	var out []Flag
	if last != nil && last.Meets50w() != cur.Meets50w() {
		verb := "跌破"
		if cur.Meets50w() {
			verb = "升至"
		}
		out = append(out, Flag{Code: FlagCross50w, Field: "operating_fen", Message: fmt.Sprintf(
			"经营性收入%s 50 万元线：上年 %s，本次 %s", verb, FormatMoney(last.OperatingFen), FormatMoney(cur.OperatingFen))})
	}
	if last != nil {
		for _, a := range Amounts[:5:5] {
			out = appendChange(out, a, a.Of(cur), a.Of(last), t)
		}
		out = appendChange(out, Amounts[7], cur.AssetsFen, last.AssetsFen, t)
	}
	if len(peers) >= MinPeers {
		for _, a := range []Amount{Amounts[5], Amounts[6], Amounts[7]} {
			vals := make([]int64, len(peers))
			for i := range peers {
				vals[i] = a.Of(&peers[i])
			}
			if f, ok := medianFlag(a, a.Of(cur), vals, t.MedianK100); ok {
				out = append(out, f)
			}
		}
	}
	if dividendFen > 0 && dividendFen > cur.InvestmentFen {
		out = append(out, Flag{Code: FlagDividend, Field: "investment_fen", Message: DividendFlag(dividendFen, cur.InvestmentFen)})
	}
	return out
}

// appendChange adds the change flag of one figure: its move against last year is
// past both thresholds (from a last year's 0, any move is past the percentage).
func appendChange(out []Flag, a Amount, cur, base int64, t FlagThresholds) []Flag {
	d := cur - base
	ad, ab := abs64(d), abs64(base)
	if ad <= t.ChangeFen || ad*10_000 <= t.ChangeBP*ab {
		return out
	}
	verb, rate := "增加", "上年为 0"
	if d < 0 {
		verb = "减少"
	}
	if ab != 0 {
		rate = frac(d, ab).Percent()
		if d > 0 {
			rate = "+" + rate
		}
	}
	return append(out, Flag{Code: FlagChange, Field: a.Key, Message: fmt.Sprintf(
		"%s较上年%s %s（%s）：上年 %s，本次 %s", a.Label, verb, FormatMoney(ad), rate, FormatMoney(base), FormatMoney(cur))})
}

// medianFlag compares a figure with its peers' median (the mean of the two middle
// values for an even count), exactly: cur > k·m or cur < m/k, with m > 0.
func medianFlag(a Amount, cur int64, peers []int64, k100 int64) (Flag, bool) {
	sort.Slice(peers, func(i, j int) bool { return peers[i] < peers[j] })
	n := len(peers)
	// twoM is twice the median.
	twoM := peers[n/2] * 2
	if n%2 == 0 {
		twoM = peers[n/2-1] + peers[n/2]
	}
	if twoM <= 0 {
		return Flag{}, false
	}
	median := FormatMoney(twoM / 2)
	if twoM%2 != 0 {
		median = FormatMoney((twoM + 1) / 2)
	}
	peersText := fmt.Sprintf("本街道同类型村中位数 %s（%d 个村）", median, n)
	// The cadre's words name no other village's figure (with three peers the median
	// is one village's own).
	switch {
	case cur*200 > k100*twoM:
		return Flag{Code: FlagMedian, Field: a.Key, Message: fmt.Sprintf("%s %s，超过%s的 %s 倍",
			a.Label, FormatMoney(cur), peersText, k100Text(k100)),
			cadre: fmt.Sprintf("%s %s，超过本街道同类型村中位数的 %s 倍", a.Label, FormatMoney(cur), k100Text(k100))}, true
	case cur*2*k100 < 100*twoM:
		return Flag{Code: FlagMedian, Field: a.Key, Message: fmt.Sprintf("%s %s，不到%s的 1/%s",
			a.Label, FormatMoney(cur), peersText, k100Text(k100)),
			cadre: fmt.Sprintf("%s %s，不到本街道同类型村中位数的 1/%s", a.Label, FormatMoney(cur), k100Text(k100))}, true
	}
	return Flag{}, false
}

func abs64(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// FlagSubject is a version to flag with its village (street, type, district).
type FlagSubject struct {
	Version *ReportVersion
	Village *Village
	// LastYear is the village's approved version of the year before when the caller
	// has it already; Known says it was looked up (nil then means none).
	LastYear *ReportVersion
	Known    bool
}

// flagInputRow is one row of the flags' inputs statement: an approved version of a
// village of the streets concerned ('a'), a village-year's dividends ('d') or a
// threshold in force ('s').
type flagInputRow struct {
	Kind          string
	ID            uint
	Seq           int
	VillageCode   string
	StreetCode    string
	VillageType   string
	Year          int
	BusinessFen   int64
	ContractFen   int64
	InvestmentFen int64
	SubsidyFen    int64
	OtherFen      int64
	AssetsFen     int64
	OperatingFen  int64
	TotalFen      int64
	SettingKey    string
}

// FlagResult is the flags of each subject, and the approved versions (as of the
// instant) read for them, by reportKey: the subjects' own village-years and those
// of the years before, and the village-years of the subjects' years in the subjects'
// streets of the subjects' village types (the peers). An approved version here
// carries its figures, id and seq only.
type FlagResult struct {
	Flags    [][]Flag
	Approved map[string]*ReportVersion
	// Thresholds are the ones in force at the instant asked.
	Thresholds FlagThresholds
}

// ComputeFlags computes the flags of several versions (of one district) at instant
// at in one statement, whatever their number: the approved versions, as of at, of
// the years concerned in the subjects' streets and village types (the peers) and
// of the years before of the subjects' villages (last year), the dividends of the subjects' village-years, and the
// thresholds in force at at. It fills in LastYear of the subjects that lacked it.
func ComputeFlags(db *gorm.DB, subjects []FlagSubject, at time.Time) (*FlagResult, error) {
	in, err := readFlagInputs(db, subjects, at)
	if err != nil {
		return nil, err
	}
	return in.compute(subjects), nil
}

// flagInputs are what the flags of some subjects are computed from, read in one
// statement (readFlagInputs): a submission reads them before its write transaction
// and computes the flags inside it, on the draft exactly as it is submitted.
type flagInputs struct {
	approved   map[string]*ReportVersion
	peers      map[flagGroup][]ReportVersion
	dividends  map[string]int64
	thresholds FlagThresholds
}

// flagGroup is the peers of a version: the same street, village type and year.
type flagGroup struct {
	street, vtype string
	year          int
}

// approvedCountingSQL selects, as flagInputRow rows, the approved versions that
// count as of an instant (the latest approved by then) of the village-years that
// match where (on villages v and current_reports cr). The maintained current table
// gives them for every village-year whose current version was approved by then (all
// of them when the instant is now), one row each by its primary key; only a
// village-year approved again since is read from its history (the join on the
// subquery makes both databases filter the current table first). That second part
// starts from the current rows reviewed after the instant, found by their (year,
// reviewed_at) index: none when the instant is now, so it costs one index probe
// instead of a second walk of the street's villages (SQLite keeps the order of a
// CROSS JOIN; PostgreSQL plans it as any inner join). Parameters: at, where's;
// then StatusApproved, at, at, where's again.
func approvedCountingSQL(where string) string {
	return `SELECT 'a' AS kind, rv.id AS id, rv.seq AS seq, rv.village_code, v.street_code, v.type AS village_type, rv.year,
		rv.business_fen, rv.contract_fen, rv.investment_fen, rv.subsidy_fen, rv.other_fen, rv.assets_fen,
		rv.operating_fen, rv.total_fen, '' AS setting_key
	FROM villages v JOIN current_reports cr ON cr.village_code = v.code JOIN report_versions rv ON rv.id = cr.version_id
	WHERE cr.reviewed_at <= ? AND ` + where + `
	UNION ALL
	SELECT 'a', rv.id, rv.seq, rv.village_code, v.street_code, v.type, rv.year,
		rv.business_fen, rv.contract_fen, rv.investment_fen, rv.subsidy_fen, rv.other_fen, rv.assets_fen,
		rv.operating_fen, rv.total_fen, ''
	FROM current_reports cr CROSS JOIN villages v
		JOIN report_versions rv ON rv.id = (SELECT x.id FROM report_versions x WHERE x.village_code = cr.village_code
			AND x.year = cr.year AND x.status = ? AND x.reviewed_at <= ? ORDER BY x.seq DESC LIMIT 1)
	WHERE v.code = cr.village_code AND cr.reviewed_at > ? AND ` + where
}

// flagInputsSQL is the flags' inputs statement, as flagInputRow rows: the approved
// versions that count of the subjects' years in the subjects' streets, of the
// subjects' village types (the peers, and the subjects' own approved versions: a
// median compares villages of one type only, so the street's other villages are
// not read, each a row of report_versions that a busy database reads from disk
// again after every commit), those of the years before of the
// subjects' own villages only (last year; the peers of the year before are never
// compared), the dividends of the subjects' village-years and the district's
// thresholds in force.
var flagInputsSQL = approvedCountingSQL("v.street_code IN ? AND v.type IN ? AND cr.year IN ?") + `
	UNION ALL
	` + approvedCountingSQL("cr.village_code IN ? AND cr.year IN ? AND cr.year NOT IN ?") + `
	UNION ALL
	SELECT 'd', 0, 0, village_code, '', '', year, 0, 0, CAST(SUM(dividend_fen) AS BIGINT), 0, 0, 0, 0, 0, ''
	FROM company_dividends WHERE village_code IN ? AND year IN ? GROUP BY village_code, year
	UNION ALL
	SELECT 's', 0, 0, '', '', '', 0, 0, 0, s.value, 0, 0, 0, 0, 0, s.key
	FROM district_settings s WHERE s.district_code = ? AND s.key IN ? AND s.id = (SELECT x.id FROM district_settings x
		WHERE x.district_code = s.district_code AND x.key = s.key AND x.recorded_at <= ?
		ORDER BY x.recorded_at DESC, x.id DESC LIMIT 1)`

// readFlagInputs reads, in one statement, the flags' inputs of the subjects at
// instant at (see ComputeFlags).
func readFlagInputs(db *gorm.DB, subjects []FlagSubject, at time.Time) (*flagInputs, error) {
	in := &flagInputs{approved: map[string]*ReportVersion{}, peers: map[flagGroup][]ReportVersion{},
		dividends: map[string]int64{}, thresholds: DefaultFlagThresholds}
	if len(subjects) == 0 {
		return in, nil
	}
	streets, types, codes, years, lastYears := []string{}, []string{}, []string{}, []int{}, []int{}
	seen := map[string]bool{}
	district := subjects[0].Village.DistrictCode
	for _, s := range subjects {
		if s.Village.DistrictCode != district {
			return nil, errors.New("flags: subjects of more than one district")
		}
		for _, k := range []string{"s" + s.Village.StreetCode, "t" + s.Village.Type, "c" + s.Version.VillageCode, "y" + itoa(s.Version.Year)} {
			if seen[k] {
				continue
			}
			seen[k] = true
			switch k[0] {
			case 's':
				streets = append(streets, k[1:])
			case 't':
				types = append(types, k[1:])
			case 'c':
				codes = append(codes, k[1:])
			default:
				years, lastYears = append(years, s.Version.Year), append(lastYears, s.Version.Year-1)
			}
		}
	}
	q := db
	if len(subjects) == 1 {
		// One subject's statement always has the same text.
		q = prepared(db)
	}
	var rows []flagInputRow
	err := scanRows(q.Raw(flagInputsSQL,
		at, streets, types, years, StatusApproved, at, at, streets, types, years,
		at, codes, lastYears, years, StatusApproved, at, at, codes, lastYears, years,
		codes, years,
		district, flagSettingKeys, at).Rows())(func(r *sql.Rows) error {
		var f flagInputRow
		if err := r.Scan(&f.Kind, &f.ID, &f.Seq, &f.VillageCode, &f.StreetCode, &f.VillageType, &f.Year,
			&f.BusinessFen, &f.ContractFen, &f.InvestmentFen, &f.SubsidyFen, &f.OtherFen, &f.AssetsFen,
			&f.OperatingFen, &f.TotalFen, &f.SettingKey); err != nil {
			return err
		}
		rows = append(rows, f)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		switch r.Kind {
		case "s":
			in.thresholds.set(r.SettingKey, r.InvestmentFen)
		case "d":
			in.dividends[reportKey(r.VillageCode, r.Year)] = r.InvestmentFen
		default:
			v := ReportVersion{VillageCode: r.VillageCode, Year: r.Year, BusinessFen: r.BusinessFen,
				ContractFen: r.ContractFen, InvestmentFen: r.InvestmentFen, SubsidyFen: r.SubsidyFen, OtherFen: r.OtherFen,
				AssetsFen: r.AssetsFen, OperatingFen: r.OperatingFen, TotalFen: r.TotalFen, ID: r.ID,
				Workflow: Workflow{Status: StatusApproved, Seq: r.Seq}}
			in.approved[reportKey(r.VillageCode, r.Year)] = &v
			g := flagGroup{r.StreetCode, r.VillageType, r.Year}
			in.peers[g] = append(in.peers[g], v)
		}
	}
	return in, nil
}

// compute is the flags of the subjects from the inputs read for them (it reads
// nothing): each subject's version as it is now.
func (in *flagInputs) compute(subjects []FlagSubject) *FlagResult {
	res := &FlagResult{Flags: make([][]Flag, len(subjects)), Approved: in.approved, Thresholds: in.thresholds}
	for i := range subjects {
		s := &subjects[i]
		if !s.Known {
			s.LastYear, s.Known = in.approved[reportKey(s.Version.VillageCode, s.Version.Year-1)], true
		}
		var others []ReportVersion
		for _, p := range in.peers[flagGroup{s.Village.StreetCode, s.Village.Type, s.Version.Year}] {
			if p.VillageCode != s.Version.VillageCode {
				others = append(others, p)
			}
		}
		res.Flags[i] = FlagsOf(s.Version, s.LastYear, others, in.dividends[reportKey(s.Version.VillageCode, s.Version.Year)], in.thresholds)
	}
	return res
}

// FlagsText joins flags' messages for one sentence.
func FlagsText(fs []Flag) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = f.Message
	}
	return strings.Join(parts, "；")
}

// FlagCodesOf lists the distinct codes of flags, in FlagCodes order.
func FlagCodesOf(fs []Flag) []string {
	var out []string
	for _, c := range FlagCodes {
		for _, f := range fs {
			if f.Code == c.Code {
				out = append(out, c.Code)
				break
			}
		}
	}
	return out
}

// DividendFlag is the message when the dividends a village received from 强村公司
// in a year exceed the 投资收益 it reports for that year; "" otherwise, including
// when they are equal.
func DividendFlag(dividendFen, investmentFen int64) string {
	if dividendFen <= investmentFen {
		return ""
	}
	return "强村公司分红 " + FormatMoney(dividendFen) + "，高于填报的投资收益 " + FormatMoney(investmentFen)
}
