package models

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// The indicator catalogue (docs/domain.md, "The indicator catalogue"): indicators the
// district defines as data — the plan's many village-level counts beyond the card's
// five — and each village's value of an indicator for a year, entered and approved
// through the same versioned series as the yearly report.

// Indicator kinds: what one village's value is.
const (
	KindYesNo  = "yesno"  // 是/否
	KindCount  = "count"  // a count (户, 个, 人, 宗 …)
	KindAmount = "amount" // an amount, in 分 (forms in 万元)
	KindTitle  = "title"  // a title the district names (命名): named or not
)

// Who enters an indicator's values. A village's cadre enters a draft that the street
// approves; the street's and the district's own entries are approved on entry.
const (
	EnteredByVillage  = "village"
	EnteredByStreet   = "street"
	EnteredByDistrict = "district"
)

// Roll-up rules of an indicator over villages.
const (
	RollupCountYes = "count_yes" // villages with yes (or a value above zero)
	RollupSum      = "sum"       // the sum of the values
	RollupShare    = "share"     // the share of active villages with yes
)

// IndicatorKinds, IndicatorEnteredBy and IndicatorRollups name the choices in Chinese,
// in display order.
var (
	IndicatorKinds = []struct{ Code, Label string }{
		{KindYesNo, "是/否"}, {KindCount, "数量"}, {KindAmount, "金额（万元）"}, {KindTitle, "区命名称号"}}
	IndicatorEnteredBy = []struct{ Code, Label string }{
		{EnteredByVillage, "村干部填报、街道审核"}, {EnteredByStreet, "街道录入"}, {EnteredByDistrict, "区里录入"}}
	IndicatorRollups = []struct{ Code, Label string }{
		{RollupCountYes, "达标村数"}, {RollupSum, "合计"}, {RollupShare, "达标村占比"}}
)

func labelIn(list []struct{ Code, Label string }, code string) string {
	for _, x := range list {
		if x.Code == code {
			return x.Label
		}
	}
	return code
}

// Indicator is one indicator of a district's catalogue, its definition in force;
// IndicatorRevision keeps every definition it had. Version is the definition's
// optimistic-locking number.
type Indicator struct {
	ID           uint   `gorm:"primaryKey"`
	DistrictCode string `gorm:"size:6;not null;uniqueIndex:idx_indicator_code,priority:1"`
	Code         string `gorm:"size:40;not null;uniqueIndex:idx_indicator_code,priority:2"`
	Name         string `gorm:"size:100;not null"`
	Kind         string `gorm:"size:10;not null"`
	Unit         string `gorm:"size:20;not null;default:''"`
	EnteredBy    string `gorm:"size:10;not null"`
	FromYear     int    `gorm:"not null"`
	UntilYear    *int
	Rollup       string `gorm:"size:10;not null"`
	// Plan marks the indicators of the plan (椒政办发〔2023〕29号); Wording is the
	// plan's words or the district's description.
	Plan      bool   `gorm:"not null;default:false"`
	Wording   string `gorm:"size:2000;not null;default:''"`
	Version   int    `gorm:"not null"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// KindLabel, EnteredByLabel and RollupLabel are the definition's choices in Chinese.
func (d *Indicator) KindLabel() string      { return labelIn(IndicatorKinds, d.Kind) }
func (d *Indicator) EnteredByLabel() string { return labelIn(IndicatorEnteredBy, d.EnteredBy) }
func (d *Indicator) RollupLabel() string    { return labelIn(IndicatorRollups, d.Rollup) }

// AppliesIn reports whether the indicator is counted in year y.
func (d *Indicator) AppliesIn(y int) bool {
	return d.FromYear <= y && (d.UntilYear == nil || *d.UntilYear >= y)
}

// IsYes reports whether the kind is a yes/no (a title is named or not).
func (d *Indicator) IsYes() bool { return d.Kind == KindYesNo || d.Kind == KindTitle }

// IndicatorRevision is one definition of an indicator, in force from ValidFrom until
// ValidTo (nil: still in force).
type IndicatorRevision struct {
	ID          uint   `gorm:"primaryKey"`
	IndicatorID uint   `gorm:"not null;index"`
	Name        string `gorm:"size:100;not null"`
	Kind        string `gorm:"size:10;not null"`
	Unit        string `gorm:"size:20;not null;default:''"`
	EnteredBy   string `gorm:"size:10;not null"`
	FromYear    int    `gorm:"not null"`
	UntilYear   *int
	Rollup      string    `gorm:"size:10;not null"`
	Plan        bool      `gorm:"not null;default:false"`
	Wording     string    `gorm:"size:2000;not null;default:''"`
	Version     int       `gorm:"not null"`
	ValidFrom   time.Time `gorm:"not null"`
	ValidTo     *time.Time
	RecordedBy  string `gorm:"size:100;not null;default:''"`
}

// IndicatorValue is one version of a village's value of an indicator for a year: a
// series like the yearly report (draft → submitted → approved | rejected).
type IndicatorValue struct {
	ID          uint   `gorm:"primaryKey"`
	IndicatorID uint   `gorm:"not null"`
	VillageCode string `gorm:"size:12;not null;index"`
	Year        int    `gorm:"not null"`
	Workflow    `gorm:"embedded"`
	// Value is 1 or 0 for a yes/no or a title, a count, or an amount in 分.
	Value     int64  `gorm:"not null"`
	Note      string `gorm:"size:8000;not null;default:''"`
	CreatedAt time.Time
	UpdatedAt time.Time
	Village   Village `gorm:"foreignKey:VillageCode;references:Code;constraint:OnUpdate:RESTRICT,OnDelete:RESTRICT"`
}

func (v *IndicatorValue) rowID() uint { return v.ID }

func (v *IndicatorValue) setRowID(id uint) { v.ID = id }

func (v *IndicatorValue) asNewRow() {
	v.ID, v.CreatedAt, v.UpdatedAt, v.Village = 0, time.Time{}, time.Time{}, Village{}
}

// indicatorValues is the series of a village-year's value of one indicator.
var indicatorValues = &series[IndicatorValue, *IndicatorValue]{
	kind: "indicator_value", keys: []string{"indicator_id", "village_code", "year"},
	edits:       []string{"value", "note"},
	busy:        "该指标已提交，正在等待街道审核，不能修改",
	startAction: "indicator_value.create",
	audit: func(v *IndicatorValue) any {
		return map[string]any{"id": v.ID, "seq": v.Seq, "status": v.Status, "version": v.Version,
			"value": v.Value, "note": v.Note, "reject_reason": v.RejectReason}
	},
	// The indicator cells move with every approval, whichever path approves.
	approved: indicatorCellsForApprovals,
}

// IndicatorInput defines or changes an indicator; a nil field keeps the value.
// Version is the definition's number the editor saw (0 for a new one).
type IndicatorInput struct {
	Code, Name, Kind, Unit, EnteredBy, Rollup, Wording *string
	FromYear                                           *int
	UntilYear                                          *int // 0 clears it
	Plan                                               *bool
	Version                                            int
}

var indicatorCode = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)

func (in *IndicatorInput) apply(d *Indicator) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = strings.TrimSpace(*src)
		}
	}
	set(&d.Code, in.Code)
	set(&d.Name, in.Name)
	set(&d.Kind, in.Kind)
	set(&d.Unit, in.Unit)
	set(&d.EnteredBy, in.EnteredBy)
	set(&d.Rollup, in.Rollup)
	if in.Wording != nil {
		d.Wording = *in.Wording
	}
	if in.FromYear != nil {
		d.FromYear = *in.FromYear
	}
	if in.UntilYear != nil {
		d.UntilYear = nil
		if *in.UntilYear != 0 {
			u := *in.UntilYear
			d.UntilYear = &u
		}
	}
	if in.Plan != nil {
		d.Plan = *in.Plan
	}
}

// Validate checks a definition (docs/domain.md, "The indicator catalogue").
func (d *Indicator) Validate() error {
	v := &ValidationError{}
	if !indicatorCode.MatchString(d.Code) {
		v.Add("code", "代码须为 2 至 40 位小写字母、数字或下划线，以字母开头")
	} else if IndicatorOf(d.Code) != nil {
		v.Add("code", "该代码是登记簿自有指标的代码，请换一个")
	}
	if d.Name == "" || utf8.RuneCountInString(d.Name) > 50 || BadText(d.Name) {
		v.Add("name", "请填写指标名称（最多 50 字）")
	}
	if labelIn(IndicatorKinds, d.Kind) == d.Kind {
		v.Add("kind", "类型须为：是/否、数量、金额（万元）或区命名称号")
	}
	if utf8.RuneCountInString(d.Unit) > 10 || BadText(d.Unit) {
		v.Add("unit", "单位最多 10 字")
	}
	if labelIn(IndicatorEnteredBy, d.EnteredBy) == d.EnteredBy {
		v.Add("entered_by", "填报方须为村、街道或区")
	}
	switch {
	case labelIn(IndicatorRollups, d.Rollup) == d.Rollup:
		v.Add("rollup", "汇总方式须为：达标村数、合计或达标村占比")
	case d.Rollup == RollupSum && (d.Kind == KindYesNo || d.Kind == KindTitle):
		v.Add("rollup", "是/否和称号类指标按达标村数或占比汇总，不能合计")
	}
	if d.Kind == KindTitle && d.EnteredBy != EnteredByDistrict {
		v.Add("entered_by", "称号由区里命名，只能由区里录入")
	}
	if d.FromYear < FirstYear || d.FromYear > 2100 {
		v.Add("from_year", "起始年度不合理")
	}
	if d.UntilYear != nil && (*d.UntilYear < d.FromYear || *d.UntilYear > 2100) {
		v.Add("until_year", "终止年度须不早于起始年度")
	}
	if utf8.RuneCountInString(d.Wording) > MaxNoteChars || BadText(d.Wording) {
		v.Add("wording", "说明最多 2000 字")
	}
	return v.Err()
}

func revisionOfIndicator(d *Indicator, a *Actor, at time.Time) IndicatorRevision {
	return IndicatorRevision{IndicatorID: d.ID, Name: d.Name, Kind: d.Kind, Unit: d.Unit, EnteredBy: d.EnteredBy,
		FromYear: d.FromYear, UntilYear: d.UntilYear, Rollup: d.Rollup, Plan: d.Plan, Wording: d.Wording,
		Version: d.Version, ValidFrom: at, RecordedBy: a.Name}
}

// districtOnly refuses anyone but the staff of one district (not a region).
func districtOnly(a *Actor) error {
	if a.Role != RoleDistrict || len(a.DistrictCode) != 6 {
		return ErrForbidden
	}
	return nil
}

// DefineIndicator adds an indicator to the actor's district's catalogue.
func DefineIndicator(db *gorm.DB, a *Actor, in IndicatorInput) (*Indicator, error) {
	if err := districtOnly(a); err != nil {
		return nil, err
	}
	d := Indicator{DistrictCode: a.DistrictCode, Version: 1}
	in.apply(&d)
	if err := d.Validate(); err != nil {
		return nil, err
	}
	err := db.Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&Indicator{}).Where("district_code = ? AND code = ?", d.DistrictCode, d.Code).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return Invalid("code", "本区已有此代码的指标")
		}
		if err := tx.Create(&d).Error; err != nil {
			if isUniqueViolation(err) {
				return Invalid("code", "本区已有此代码的指标")
			}
			return err
		}
		r := revisionOfIndicator(&d, a, now())
		if err := tx.Create(&r).Error; err != nil {
			return err
		}
		return Audit(tx, a, "indicator.define", "indicator", d.Code, AuditScope{District: a.DistrictCode}, nil, d)
	})
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// ChangeIndicator changes a definition; the earlier one stays in the history. An
// indicator with values cannot change its kind (its values would change meaning),
// and its code never changes.
func ChangeIndicator(db *gorm.DB, a *Actor, code string, in IndicatorInput) (*Indicator, error) {
	if err := districtOnly(a); err != nil {
		return nil, err
	}
	cur, err := FindIndicator(db, a, code)
	if err != nil {
		return nil, err
	}
	if in.Code != nil && strings.TrimSpace(*in.Code) != cur.Code {
		return nil, Invalid("code", "指标代码不能修改")
	}
	d := *cur
	in.apply(&d)
	if err := d.Validate(); err != nil {
		return nil, err
	}
	if in.Version != cur.Version {
		return nil, errStale
	}
	err = db.Transaction(func(tx *gorm.DB) error {
		if d.Kind != cur.Kind {
			var n int64
			if err := tx.Model(&IndicatorValue{}).Where("indicator_id = ?", cur.ID).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				return Invalid("kind", "该指标已有填报数据，不能改变类型（可新建一个指标）")
			}
		}
		d.Version = cur.Version + 1
		res := tx.Model(&Indicator{}).Where("id = ? AND version = ?", cur.ID, cur.Version).
			Select("name", "kind", "unit", "entered_by", "from_year", "until_year", "rollup", "plan", "wording", "version", "updated_at").
			Updates(&d)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return errStale
		}
		at := now()
		if err := tx.Model(&IndicatorRevision{}).Where("indicator_id = ? AND valid_to IS NULL", cur.ID).
			Update("valid_to", at).Error; err != nil {
			return err
		}
		r := revisionOfIndicator(&d, a, at)
		if err := tx.Create(&r).Error; err != nil {
			return err
		}
		return Audit(tx, a, "indicator.change", "indicator", d.Code, AuditScope{District: d.DistrictCode}, *cur, d)
	})
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// indicatorsOf narrows a query on indicators to the actor's district (or region).
func indicatorsOf(q *gorm.DB, a *Actor) *gorm.DB {
	return regionWhere(q, "indicators.district_code", a.DistrictCode)
}

// ListIndicators lists the catalogue of the actor's district, by code; a non-zero
// year keeps those that apply in it.
func ListIndicators(db *gorm.DB, a *Actor, year int) ([]Indicator, error) {
	q := indicatorsOf(db.Model(&Indicator{}), a)
	if year != 0 {
		q = q.Where("from_year <= ? AND (until_year IS NULL OR until_year >= ?)", year, year)
	}
	out := []Indicator{}
	err := q.Order("plan DESC, code").Find(&out).Error
	return out, err
}

// FindIndicator loads an indicator of the actor's district by code, or ErrNotFound.
func FindIndicator(db *gorm.DB, a *Actor, code string) (*Indicator, error) {
	var d Indicator
	err := indicatorsOf(db, a).Where("code = ?", code).Order("district_code").Take(&d).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// IndicatorHistory lists an indicator's definitions, newest first.
func IndicatorHistory(db *gorm.DB, a *Actor, code string) ([]IndicatorRevision, error) {
	d, err := FindIndicator(db, a, code)
	if err != nil {
		return nil, err
	}
	var out []IndicatorRevision
	err = db.Where("indicator_id = ?", d.ID).Order("valid_from DESC, id DESC").Find(&out).Error
	return out, err
}

// catalogueInfo describes a catalogue indicator for targets (nil when the district
// has none of that code): a share in basis points, an amount in 分, else a count.
func catalogueInfo(db *gorm.DB, district, code string) (*IndicatorInfo, error) {
	var d Indicator
	err := db.Where("district_code = ? AND code = ?", district, code).Take(&d).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return d.info(), nil
}

// info describes a catalogue indicator as a target's indicator: a share in basis
// points, a sum of money in 分, else a count.
func (d *Indicator) info() *IndicatorInfo {
	unit := "count"
	switch {
	case d.Rollup == RollupShare:
		unit = "bp"
	case d.Rollup == RollupSum && d.Kind == KindAmount:
		unit = "fen"
	}
	return &IndicatorInfo{Code: d.Code, Label: d.Name, Unit: unit}
}

// ValueInput is an entry of a village's value; Version is the number the editor saw
// (0 for a first one).
type ValueInput struct {
	Value   *int64
	Note    *string
	Version int
}

// checkValue validates a value by the indicator's kind.
func checkValue(d *Indicator, v *IndicatorValue) error {
	verr := &ValidationError{}
	switch d.Kind {
	case KindYesNo, KindTitle:
		if v.Value != 0 && v.Value != 1 {
			verr.Add("value", "须为“是”或“否”")
		}
	case KindCount:
		if v.Value < 0 || v.Value > 1_000_000_000 {
			verr.Add("value", "数量须为 0 至 10 亿的整数")
		}
	case KindAmount:
		if v.Value < 0 || v.Value > MaxAmountFen {
			verr.Add("value", "金额须不小于 0，且不超过 10^14 分")
		}
	}
	if utf8.RuneCountInString(v.Note) > MaxNoteChars || BadText(v.Note) {
		verr.Add("note", "说明最多 2000 字")
	}
	return verr.Err()
}

// valueTarget loads the indicator and the village in the actor's scope and checks
// the year: 404 before 403 before 422. role is who may act ("" : whoever enters the
// indicator).
func valueTarget(db *gorm.DB, a *Actor, code, village string, year int, role string) (*Indicator, *Village, error) {
	d, err := FindIndicator(db, a, code)
	if err != nil {
		return nil, nil, err
	}
	v, err := a.FindVillage(db, village)
	if err != nil {
		return nil, nil, err
	}
	if role == "" {
		role = d.EnteredBy
	}
	if a.Role != role {
		return nil, nil, ErrForbidden
	}
	if err := CheckYear(db, year); err != nil {
		return nil, nil, err
	}
	if !d.AppliesIn(year) {
		return nil, nil, Invalid("year", "该指标在此年度不适用")
	}
	if !v.ActiveIn(year) {
		return nil, nil, Invalid("year", "该村在此年度不在册（未设立或已撤并）")
	}
	return d, v, nil
}

func valueSeries(d *Indicator, v *Village, year int) seriesKey {
	return seriesKey{values: []any{d.ID, v.Code, year}, object: d.Code + "/" + v.Code + "/" + itoa(year), scope: VillageScope(v)}
}

// SaveIndicatorValue enters a village's value for a year. The cadre of a village-entered
// indicator edits a draft (to submit); the street or the district, for the indicators
// they enter, record a value approved on entry.
func SaveIndicatorValue(db *gorm.DB, a *Actor, code, village string, year int, in ValueInput) (*IndicatorValue, error) {
	d, v, err := valueTarget(db, a, code, village, year, "")
	if err != nil {
		return nil, err
	}
	first := func() IndicatorValue { return IndicatorValue{IndicatorID: d.ID, VillageCode: v.Code, Year: year} }
	edit := func(x *IndicatorValue) error {
		if in.Value != nil {
			x.Value = *in.Value
		}
		if in.Note != nil {
			x.Note = *in.Note
		}
		return checkValue(d, x)
	}
	if d.EnteredBy == EnteredByVillage {
		return indicatorValues.save(db, a, valueSeries(d, v, year), in.Version, first, edit)
	}
	return indicatorValues.enter(db, a, valueSeries(d, v, year), in.Version, first, edit)
}

// villageEntered loads a village-entered indicator's target for role.
func villageEntered(db *gorm.DB, a *Actor, code, village string, year int, role string) (seriesKey, error) {
	d, v, err := valueTarget(db, a, code, village, year, role)
	if err != nil {
		return seriesKey{}, err
	}
	if d.EnteredBy != EnteredByVillage {
		// Approved on entry: nothing to submit, withdraw or review.
		return seriesKey{}, ErrForbidden
	}
	return valueSeries(d, v, year), nil
}

// SubmitIndicatorValue sends the cadre's draft for the street's review.
func SubmitIndicatorValue(db *gorm.DB, a *Actor, code, village string, year int, version *int) (*IndicatorValue, error) {
	k, err := villageEntered(db, a, code, village, year, RoleVillage)
	if err != nil {
		return nil, err
	}
	return indicatorValues.submit(db, a, k, version)
}

// WithdrawIndicatorValue takes a submission back to a draft before review.
func WithdrawIndicatorValue(db *gorm.DB, a *Actor, code, village string, year int, version *int) (*IndicatorValue, error) {
	k, err := villageEntered(db, a, code, village, year, RoleVillage)
	if err != nil {
		return nil, err
	}
	return indicatorValues.withdraw(db, a, k, version)
}

// ApproveIndicatorValue approves a submission (an officer of the village's street).
func ApproveIndicatorValue(db *gorm.DB, a *Actor, code, village string, year int, version *int) (*IndicatorValue, error) {
	k, err := villageEntered(db, a, code, village, year, RoleStreet)
	if err != nil {
		return nil, err
	}
	return indicatorValues.approve(db, a, k, version)
}

// RejectIndicatorValue rejects a submission with a reason (an officer of the street).
func RejectIndicatorValue(db *gorm.DB, a *Actor, code, village string, year int, version *int, reason string) (*IndicatorValue, error) {
	k, err := villageEntered(db, a, code, village, year, RoleStreet)
	if err != nil {
		return nil, err
	}
	return indicatorValues.reject(db, a, k, version, reason)
}

// ValueSeries is a village-year's value of one indicator: the version that counts
// (latest approved), the open one and every version, newest first.
type ValueSeries struct {
	Indicator Indicator
	Village   Village
	Year      int
	Approved  *IndicatorValue
	Open      *IndicatorValue
	History   []IndicatorValue
	// Rejected is the rejected version the open one corrects (nil when none).
	Rejected *IndicatorValue
}

// GetIndicatorValue loads a village-year's value series within the actor's scope.
func GetIndicatorValue(db *gorm.DB, a *Actor, code, village string, year int) (*ValueSeries, error) {
	d, err := FindIndicator(db, a, code)
	if err != nil {
		return nil, err
	}
	v, err := a.FindVillage(db, village)
	if err != nil {
		return nil, err
	}
	if err := CheckYear(db, year); err != nil {
		return nil, err
	}
	s := &ValueSeries{Indicator: *d, Village: *v, Year: year}
	if s.History, err = indicatorValues.history(db, valueSeries(d, v, year)); err != nil {
		return nil, err
	}
	s.Approved, s.Open = current(s.History)
	if s.Open != nil && len(s.History) > 1 && s.History[0].ID == s.Open.ID && s.History[1].Status == StatusRejected {
		s.Rejected = &s.History[1]
	}
	return s, nil
}

// VillageValue is one village's value of an indicator for a year as of an instant:
// its approved value (nil when none) and the status of its open version.
type VillageValue struct {
	VillageCode string `json:"village_code"`
	VillageName string `json:"village_name"`
	StreetCode  string `json:"street_code"`
	Value       *int64 `json:"value"`
	Open        string `json:"open"`
}

// ValueSummary is the indicator rolled up over the listed villages by its rule:
// villages, those with an approved value, those with yes (a value above zero), the
// sum, and the share (yes / villages, in basis points, rounded down).
type ValueSummary struct {
	Villages int64 `json:"villages"`
	Reported int64 `json:"reported"`
	Yes      int64 `json:"yes"`
	Sum      int64 `json:"sum"`
	ShareBP  int64 `json:"share_bp"`
}

// ListIndicatorValues lists the villages of the actor's scope active in year (their
// master data as of asOf) with their value of the indicator approved by asOf, and
// rolls them up. street narrows a district's list to one street.
func ListIndicatorValues(db *gorm.DB, a *Actor, code string, year int, street string, asOf time.Time) (*Indicator, []VillageValue, ValueSummary, error) {
	var sum ValueSummary
	d, err := FindIndicator(db, a, code)
	if err != nil {
		return nil, nil, sum, err
	}
	if err := CheckYear(db, year); err != nil {
		return nil, nil, sum, err
	}
	latest := indicatorValues.latestApproved(db, &asOf).Where("indicator_id = ? AND year = ?", d.ID, year)
	q := villagesAsOf(db, asOf).
		Select(`villages.code AS village_code, villages.name AS village_name, villages.street_code, iv.value,
			COALESCE(op.status, '') AS open`).
		Joins("LEFT JOIN (?) la ON la.village_code = villages.code", latest).
		Joins("LEFT JOIN indicator_values iv ON iv.indicator_id = ? AND iv.village_code = la.village_code AND iv.year = ? AND iv.seq = la.seq", d.ID, year).
		Joins("LEFT JOIN indicator_values op ON op.indicator_id = ? AND op.village_code = villages.code AND op.year = ? AND op.status IN ?",
			d.ID, year, []string{StatusDraft, StatusSubmitted}).
		Scopes(a.Scope().Villages)
	if street != "" {
		q = q.Where("villages.street_code = ?", street)
	}
	out := []VillageValue{}
	if err := activeIn(q, year).Order("villages.street_code, villages.code").Scan(&out).Error; err != nil {
		return nil, nil, sum, err
	}
	for _, v := range out {
		sum.Villages++
		if v.Value != nil {
			sum.Reported++
			sum.Sum += *v.Value
			if *v.Value > 0 {
				sum.Yes++
			}
		}
	}
	if sum.Villages > 0 {
		sum.ShareBP = sum.Yes * 10000 / sum.Villages
	}
	return d, out, sum, nil
}

// IndicatorQueueItem is a submitted value waiting for the street's review.
type IndicatorQueueItem struct {
	Value         IndicatorValue
	IndicatorCode string
	IndicatorName string
	Kind          string
	Unit          string
	VillageName   string
}

// ListIndicatorQueue lists the submitted values of the villages in the actor's scope,
// oldest submission first.
func ListIndicatorQueue(db *gorm.DB, a *Actor) ([]IndicatorQueueItem, error) {
	var rows []struct {
		IndicatorValue
		IndicatorCode, IndicatorName, Kind, Unit, VillageName string
	}
	err := db.Table("indicator_values").
		Select(`indicator_values.*, indicators.code AS indicator_code, indicators.name AS indicator_name,
			indicators.kind, indicators.unit, villages.name AS village_name`).
		Joins("JOIN indicators ON indicators.id = indicator_values.indicator_id").
		Joins("JOIN villages ON villages.code = indicator_values.village_code").Scopes(a.Scope().Villages).
		Where("indicator_values.status = ?", StatusSubmitted).
		Order("indicator_values.submitted_at, indicator_values.id").Scan(&rows).Error
	out := make([]IndicatorQueueItem, len(rows))
	for i, r := range rows {
		out[i] = IndicatorQueueItem{Value: r.IndicatorValue, IndicatorCode: r.IndicatorCode, IndicatorName: r.IndicatorName,
			Kind: r.Kind, Unit: r.Unit, VillageName: r.VillageName}
	}
	return out, err
}

// Format shows a value by the indicator's kind: 是/否, 已命名/未命名, a count with its
// unit, an amount in 万元.
func (d *Indicator) Format(v int64) string {
	switch d.Kind {
	case KindYesNo:
		if v > 0 {
			return "是"
		}
		return "否"
	case KindTitle:
		if v > 0 {
			return "已命名"
		}
		return "未命名"
	case KindAmount:
		return FormatWanExact(v) + " 万元"
	}
	return itoa(int(v)) + " " + d.Unit
}

// FormatPtr is Format of an approved value, "—" when none.
func (d *Indicator) FormatPtr(v *int64) string {
	if v == nil {
		return "—"
	}
	return d.Format(*v)
}

// SummaryText is the roll-up by the indicator's rule, in words.
func (d *Indicator) SummaryText(s ValueSummary) string {
	switch d.Rollup {
	case RollupSum:
		if d.Kind == KindAmount {
			return "合计 " + FormatMoney(s.Sum)
		}
		return "合计 " + itoa(int(s.Sum)) + " " + d.Unit
	case RollupShare:
		return "达标村占比 " + fmt.Sprintf("%d.%02d%%", s.ShareBP/100, s.ShareBP%100) + "（" + itoa(int(s.Yes)) + " / " + itoa(int(s.Villages)) + " 村）"
	}
	return "达标村 " + itoa(int(s.Yes)) + " 个（共 " + itoa(int(s.Villages)) + " 村）"
}

// ApprovedValue is the value that counts (nil when none is approved).
func (s *ValueSeries) ApprovedValue() *int64 {
	if s.Approved == nil {
		return nil
	}
	return &s.Approved.Value
}

// ValueText is the submitted value in words, by the indicator's kind.
func (q *IndicatorQueueItem) ValueText() string {
	d := Indicator{Kind: q.Kind, Unit: q.Unit}
	return d.Format(q.Value.Value)
}

// CheckIndicatorInput validates a new definition without storing it: the field
// errors a form shows beside its own (nil when none).
func CheckIndicatorInput(in IndicatorInput) map[string]string {
	var d Indicator
	in.apply(&d)
	var verr *ValidationError
	if errors.As(d.Validate(), &verr) {
		return verr.Fields
	}
	return nil
}
