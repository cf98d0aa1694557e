package models

import (
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// WorkshopTypes are the six 共富工坊 types.
var WorkshopTypes = []string{"来料加工", "定向招工", "电商直播", "农旅融合", "品牌带动", "产业赋能"}

// WorkshopStates are a workshop's operating states.
var WorkshopStates = []string{"筹建", "运营", "停运"}

// Workshop is a 共富工坊 hosted in one village, or — when it sits in a 社区, a 园区 or
// an enterprise (Site, named by SiteName) — registered under its street: exactly one
// of VillageCode and StreetCode is set. Its details live in approved versions; its
// star level is the district's own evaluation (StarLevel the latest, WorkshopStar
// the history).
type Workshop struct {
	ID              uint    `gorm:"primaryKey"`
	VillageCode     *string `gorm:"size:12;index"`
	StreetCode      *string `gorm:"size:9;index"`
	Site            string  `gorm:"size:10;not null;default:'村'"`
	SiteName        string  `gorm:"size:100;not null;default:''"`
	StarLevel       int     `gorm:"not null;default:0"`
	StarEvaluatedOn string  `gorm:"size:10;not null;default:''"`
	StarSetBy       string  `gorm:"size:100;not null;default:''"`
	CreatedAt       time.Time
	Village         Village `gorm:"foreignKey:VillageCode;references:Code;constraint:OnUpdate:RESTRICT,OnDelete:RESTRICT"`
	Street          Street  `gorm:"foreignKey:StreetCode;references:Code;constraint:OnUpdate:RESTRICT,OnDelete:RESTRICT"`
}

// WorkshopSites are where a workshop sits: a village, or — registered under its
// street — a 社区, a 园区 or an enterprise.
var WorkshopSites = []string{"村", "社区", "园区", "企业"}

// OfStreet reports whether the workshop is registered under its street (it sits in
// a 社区, 园区 or enterprise), not hosted by a village.
func (w *Workshop) OfStreet() bool { return w.StreetCode != nil }

// Host is the code of the village or street the workshop is registered under.
func (w *Workshop) Host() string {
	if w.VillageCode != nil {
		return *w.VillageCode
	}
	if w.StreetCode != nil {
		return *w.StreetCode
	}
	return ""
}

// WorkshopStar is one star evaluation (星级评定) of a workshop by the district: the
// level (0–5) from the date evaluated. Entries are never changed; a roll-up as of T
// at the end of year Y reads the latest evaluated by Y's end among those recorded
// by T.
type WorkshopStar struct {
	ID          uint      `gorm:"primaryKey"`
	WorkshopID  uint      `gorm:"not null;index"`
	Level       int       `gorm:"not null"`
	EvaluatedOn string    `gorm:"size:10;not null"` // YYYY-MM-DD
	RecordedAt  time.Time `gorm:"not null"`
	RecordedBy  string    `gorm:"size:100;not null;default:''"`
}

// WorkshopVersion is one registration or change of a workshop, approved by the
// street like a report.
type WorkshopVersion struct {
	ID                   uint   `gorm:"primaryKey"`
	WorkshopID           uint   `gorm:"not null;index"`
	VillageCode          string `gorm:"size:12;not null;index"`
	Workflow             `gorm:"embedded"`
	Name                 string `gorm:"size:200;not null"`
	Type                 string `gorm:"size:20;not null"`
	Partner              string `gorm:"size:200;not null;default:''"`
	Owner                string `gorm:"size:100;not null;default:''"`
	State                string `gorm:"size:10;not null"`
	Employed             int    `gorm:"not null"`
	LowIncomeEmployed    int    `gorm:"not null"`
	AvgIncomeIncreaseFen int64  `gorm:"not null"`
	Note                 string `gorm:"size:8000;not null;default:''"`
	// FoundedOn is the 建成日期 and ClosedOn the day it stopped (停运), both
	// midnight in Asia/Shanghai; nil when not given (versions from before dates).
	FoundedOn *time.Time
	ClosedOn  *time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// WorkshopInput is an edit of a workshop's open draft; nil keeps the value.
type WorkshopInput struct {
	Name, Type, Partner, Owner, State, Note *string
	Employed, LowIncomeEmployed             *int
	AvgIncomeIncreaseFen                    *int64
	FoundedOn, ClosedOn                     *time.Time
	Version                                 int
}

func (in *WorkshopInput) apply(w *WorkshopVersion) error {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = strings.TrimSpace(*src)
		}
	}
	set(&w.Name, in.Name)
	set(&w.Type, in.Type)
	set(&w.Partner, in.Partner)
	set(&w.Owner, in.Owner)
	set(&w.State, in.State)
	if in.Note != nil {
		w.Note = *in.Note
	}
	if in.Employed != nil {
		w.Employed = *in.Employed
	}
	if in.LowIncomeEmployed != nil {
		w.LowIncomeEmployed = *in.LowIncomeEmployed
	}
	if in.AvgIncomeIncreaseFen != nil {
		w.AvgIncomeIncreaseFen = *in.AvgIncomeIncreaseFen
	}
	if in.FoundedOn != nil {
		t := in.FoundedOn.UTC()
		w.FoundedOn = &t
	}
	if in.ClosedOn != nil {
		t := in.ClosedOn.UTC()
		w.ClosedOn = &t
	}
	return w.Validate()
}

func oneOf(s string, list []string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Validate checks a workshop version's fields (docs/domain.md, "共富工坊").
func (w *WorkshopVersion) Validate() error {
	v := &ValidationError{}
	if w.Name == "" || utf8.RuneCountInString(w.Name) > 100 || BadText(w.Name) {
		v.Add("name", "请填写工坊名称（最多 100 字）")
	}
	if !oneOf(w.Type, WorkshopTypes) {
		v.Add("type", "类型须为："+strings.Join(WorkshopTypes, "、"))
	}
	if !oneOf(w.State, WorkshopStates) {
		v.Add("state", "状态须为：筹建、运营、停运")
	}
	if utf8.RuneCountInString(w.Partner) > 100 || BadText(w.Partner) {
		v.Add("partner", "合作企业最多 100 字")
	}
	if utf8.RuneCountInString(w.Owner) > 50 || BadText(w.Owner) {
		v.Add("owner", "坊主最多 50 字")
	}
	if w.Employed < 0 || w.Employed > 100_000 {
		v.Add("employed", "带动就业人数须为 0 至 100000")
	}
	if w.LowIncomeEmployed < 0 || w.LowIncomeEmployed > w.Employed {
		v.Add("low_income_employed", "低收入农户就业人数须为 0 至带动就业人数")
	}
	if w.AvgIncomeIncreaseFen < 0 || w.AvgIncomeIncreaseFen > 100_000_000 {
		v.Add("avg_income_increase_fen", "人均月增收须为 0 至 100 万元")
	}
	if utf8.RuneCountInString(w.Note) > MaxNoteChars || BadText(w.Note) {
		v.Add("note", "说明最多 2000 字")
	}
	if w.FoundedOn != nil && (w.FoundedOn.After(now()) || w.FoundedOn.Year() < 2000) {
		v.Add("founded_on", "建成日期须在 2000 年之后、今天之前")
	}
	if w.ClosedOn != nil && (w.FoundedOn == nil || w.ClosedOn.Before(*w.FoundedOn) || w.ClosedOn.After(now())) {
		v.Add("closed_on", "停运日期须在建成日期之后、今天之前")
	}
	if w.State == "停运" && w.ClosedOn == nil {
		v.Add("closed_on", "停运的工坊请填写停运日期")
	}
	if w.State != "停运" && w.ClosedOn != nil {
		v.Add("closed_on", "只有停运的工坊有停运日期")
	}
	return v.Err()
}

// WorkshopDetail is a workshop with its latest approved version, its open version
// and every version, newest first.
type WorkshopDetail struct {
	Workshop Workshop
	Approved *WorkshopVersion
	Open     *WorkshopVersion
	History  []WorkshopVersion
}

// Name is the workshop's name: approved, else the one being registered.
func (d *WorkshopDetail) Name() string {
	switch {
	case d.Approved != nil:
		return d.Approved.Name
	case len(d.History) > 0:
		return d.History[0].Name
	}
	return ""
}

// GetWorkshop loads a workshop within the actor's scope.
func GetWorkshop(db *gorm.DB, a *Actor, id uint) (*WorkshopDetail, error) {
	var w Workshop
	err := db.Model(&Workshop{}).Scopes(a.Scope().Workshops).
		Preload("Village").Preload("Village.Street").Preload("Street").Where("workshops.id = ?", id).Take(&w).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	d := &WorkshopDetail{Workshop: w}
	if d.History, err = workshops.history(db, workshopSeries(&w)); err != nil {
		return nil, err
	}
	d.Approved, d.Open = current(d.History)
	return d, nil
}

// ListVillageWorkshops lists a village's workshops (in the actor's scope).
func ListVillageWorkshops(db *gorm.DB, a *Actor, code string) ([]WorkshopDetail, error) {
	if _, err := a.FindVillage(db, code); err != nil {
		return nil, err
	}
	var ids []uint
	if err := db.Model(&Workshop{}).Where("village_code = ?", code).Order("id").Pluck("id", &ids).Error; err != nil {
		return nil, err
	}
	out := make([]WorkshopDetail, 0, len(ids))
	for _, id := range ids {
		d, err := GetWorkshop(db, a, id)
		if err != nil {
			return nil, err
		}
		out = append(out, *d)
	}
	return out, nil
}

// CreateWorkshop registers a workshop in the cadre's village: the workshop and its
// first draft, to be submitted for the street's approval.
func CreateWorkshop(db *gorm.DB, a *Actor, code string, in WorkshopInput) (*WorkshopDetail, error) {
	v, err := a.FindVillage(db, code)
	if err != nil {
		return nil, err
	}
	if a.Role != RoleVillage {
		return nil, ErrForbidden
	}
	ver := WorkshopVersion{VillageCode: code, Workflow: newDraft(&Workflow{}, a)}
	if err := in.apply(&ver); err != nil {
		return nil, err
	}
	var w Workshop
	err = db.Transaction(func(tx *gorm.DB) error {
		w = Workshop{VillageCode: &v.Code, Site: WorkshopSites[0], Village: *v}
		if err := tx.Omit("Village", "Street").Create(&w).Error; err != nil {
			return err
		}
		ver.WorkshopID = w.ID
		return workshops.insert(tx, a, workshopSeries(&w), "workshop.create", &ver)
	})
	if err != nil {
		return nil, err
	}
	return GetWorkshop(db, a, w.ID)
}

// workshopTarget loads a workshop in scope and checks the role: 404 before 403.
func workshopTarget(db *gorm.DB, a *Actor, id uint, role string) (*WorkshopDetail, error) {
	d, err := GetWorkshop(db, a, id)
	if err != nil {
		return nil, err
	}
	if a.Role != role {
		return nil, ErrForbidden
	}
	return d, nil
}

// workshops is the series of a workshop's versions.
var workshops = &series[WorkshopVersion, *WorkshopVersion]{
	kind: "workshop", keys: []string{"workshop_id"},
	edits: []string{"name", "type", "partner", "owner", "state", "employed", "low_income_employed",
		"avg_income_increase_fen", "note", "founded_on", "closed_on"},
	busy:        "变更已提交，正在等待街道审核，不能修改",
	startAction: "workshop.edit",
	audit:       func(v *WorkshopVersion) any { return *v },
	moveAudit:   func(v *WorkshopVersion) any { return v.Workflow },
	approved: func(tx *gorm.DB, vs []WorkshopVersion) error {
		ids := make([]uint, len(vs))
		for i := range vs {
			ids[i] = vs[i].WorkshopID
		}
		return registersForWorkshops(tx, ids...)
	},
}

func (w *WorkshopVersion) rowID() uint { return w.ID }

func (w *WorkshopVersion) setRowID(id uint) { w.ID = id }

func (w *WorkshopVersion) asNewRow() { w.ID, w.CreatedAt, w.UpdatedAt = 0, time.Time{}, time.Time{} }

// workshopSeries names a workshop's series (w.Village is loaded).
func workshopSeries(w *Workshop) seriesKey {
	return seriesKey{values: []any{w.ID}, object: itoa(int(w.ID)), scope: villageScopeOf(w)}
}

// SaveWorkshopDraft edits the workshop's open draft, creating one from the latest
// version when there is none. Only the village's cadre may. A workshop of a street
// is changed by the street's officer instead, and the change counts at once: the
// officer is its reviewer (the entry is approved as it is made, and audited).
func SaveWorkshopDraft(db *gorm.DB, a *Actor, id uint, in WorkshopInput) (*WorkshopVersion, error) {
	d, err := GetWorkshop(db, a, id)
	if err != nil {
		return nil, err
	}
	if d.Workshop.OfStreet() {
		if a.Role != RoleStreet {
			return nil, ErrForbidden
		}
		return workshops.enter(db, a, workshopSeries(&d.Workshop), in.Version, nil, in.apply)
	}
	if a.Role != RoleVillage {
		return nil, ErrForbidden
	}
	return workshops.save(db, a, workshopSeries(&d.Workshop), in.Version, nil, in.apply)
}

// villageScopeOf is the audit scope of a workshop: its village's, or its street's
// (w.Village or w.Street loaded).
func villageScopeOf(w *Workshop) AuditScope {
	if w.OfStreet() {
		return AuditScope{District: w.Street.DistrictCode, Street: w.Street.Code}
	}
	return AuditScope{District: w.Village.DistrictCode, Street: w.Village.StreetCode, Village: w.Host()}
}

// SubmitWorkshop sends the workshop's draft for review (the village's cadre).
func SubmitWorkshop(db *gorm.DB, a *Actor, id uint, version *int) (*WorkshopVersion, error) {
	d, err := workshopTarget(db, a, id, RoleVillage)
	if err != nil {
		return nil, err
	}
	return workshops.submit(db, a, workshopSeries(&d.Workshop), version)
}

// ApproveWorkshop approves the submitted change (an officer of the street).
func ApproveWorkshop(db *gorm.DB, a *Actor, id uint, version *int) (*WorkshopVersion, error) {
	d, err := workshopTarget(db, a, id, RoleStreet)
	if err != nil {
		return nil, err
	}
	return workshops.approve(db, a, workshopSeries(&d.Workshop), version)
}

// RejectWorkshop rejects the submitted change with a reason (an officer of the street).
func RejectWorkshop(db *gorm.DB, a *Actor, id uint, version *int, reason string) (*WorkshopVersion, error) {
	d, err := workshopTarget(db, a, id, RoleStreet)
	if err != nil {
		return nil, err
	}
	return workshops.reject(db, a, workshopSeries(&d.Workshop), version, reason)
}

// SetWorkshopStar records the district's star evaluation (星级评定), 0–5, with its
// date, as a new entry of the workshop's star history.
func SetWorkshopStar(db *gorm.DB, a *Actor, id uint, level int, evaluatedOn string) (*Workshop, error) {
	d, err := workshopTarget(db, a, id, RoleDistrict)
	if err != nil {
		return nil, err
	}
	v := &ValidationError{}
	if level < 0 || level > 5 {
		v.Add("star_level", "星级须为 0 至 5")
	}
	if t, err := time.Parse("2006-01-02", evaluatedOn); err != nil || t.After(time.Now().Add(24*time.Hour)) || t.Year() < 2000 {
		v.Add("evaluated_on", "评定日期须为 YYYY-MM-DD，且不晚于今天")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	w := d.Workshop
	before := map[string]any{"star_level": w.StarLevel, "evaluated_on": w.StarEvaluatedOn}
	// The latest evaluation by date is the one the workshop shows; every one is kept.
	latest := evaluatedOn >= w.StarEvaluatedOn
	if latest {
		w.StarLevel, w.StarEvaluatedOn, w.StarSetBy = level, evaluatedOn, a.Name
	}
	err = db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&WorkshopStar{WorkshopID: id, Level: level, EvaluatedOn: evaluatedOn, RecordedAt: now(), RecordedBy: a.Name}).Error; err != nil {
			return err
		}
		if latest {
			if err := tx.Model(&Workshop{}).Where("id = ?", id).Updates(map[string]any{
				"star_level": level, "star_evaluated_on": evaluatedOn, "star_set_by": a.Name}).Error; err != nil {
				return err
			}
		}
		if err := registersForWorkshops(tx, id); err != nil {
			return err
		}
		return Audit(tx, a, "workshop.star", "workshop", itoa(int(id)), villageScopeOf(&w), before,
			map[string]any{"star_level": level, "evaluated_on": evaluatedOn})
	})
	if err != nil {
		return nil, err
	}
	return &w, nil
}
