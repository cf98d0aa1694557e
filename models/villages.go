package models

import (
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// VillageFilter narrows the village list. Year, when set, keeps villages active in it.
type VillageFilter struct {
	Street string
	Type   string
	Q      string
	Year   int
	Limit  int
	Offset int
}

// ListVillages lists the villages of the actor's scope matching f, ordered by code,
// with the total number of matches.
func ListVillages(db *gorm.DB, a *Actor, f VillageFilter) ([]Village, int64, error) {
	q := a.Scope().Villages(db.Model(&Village{}))
	if f.Street != "" {
		q = q.Where("villages.street_code = ?", f.Street)
	}
	if f.Type != "" {
		q = q.Where("villages.type = ?", f.Type)
	}
	if s := strings.TrimSpace(f.Q); s != "" {
		like := "%" + escapeLike(s) + "%"
		q = q.Where("(villages.name LIKE ? ESCAPE '\\' OR villages.code LIKE ? ESCAPE '\\')", like, like)
	}
	if f.Year != 0 {
		q = activeIn(q, f.Year)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	q = q.Preload("Street").Order("villages.code")
	if f.Limit > 0 {
		q = q.Limit(f.Limit).Offset(f.Offset)
	} else if f.Offset > 0 {
		q = q.Limit(-1).Offset(f.Offset)
	}
	var out []Village
	err := q.Find(&out).Error
	return out, total, err
}

func activeIn(q *gorm.DB, year int) *gorm.DB {
	return q.Where("villages.active_from <= ? AND (villages.active_until IS NULL OR villages.active_until >= ?)", year, year)
}

func escapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// now is the current instant as stored: UTC, to the microsecond.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// CurrentYear is the calendar year now in Asia/Shanghai.
func CurrentYear() int { return time.Now().In(Shanghai).Year() }

// Shanghai is the time zone of every page.
var Shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()

// VillageInput is a create or edit of village master data; nil keeps the old value.
type VillageInput struct {
	Code        string
	Name        *string
	StreetCode  *string
	Type        *string
	ActiveFrom  *int
	ActiveUntil *int
	// ClearUntil makes the village active again (active_until = null).
	ClearUntil bool
}

// CreateVillage adds a village to the actor's district. District staff only.
func CreateVillage(db *gorm.DB, a *Actor, in VillageInput) (*Village, error) {
	if a.Role != RoleDistrict {
		return nil, ErrForbidden
	}
	v := &Village{Code: strings.TrimSpace(in.Code), ActiveFrom: FirstYear}
	verr := &ValidationError{}
	if !isDigits(v.Code, 12) {
		verr.Add("code", "村代码须为 12 位数字")
	} else if !strings.HasPrefix(v.Code, a.DistrictCode) {
		verr.Add("code", "村代码须属于本区（前 6 位为 "+a.DistrictCode+"）")
	}
	if in.StreetCode == nil && len(v.Code) == 12 {
		s := v.Code[:9]
		in.StreetCode = &s
	}
	for _, f := range []string{"name", "type"} {
		if (f == "name" && in.Name == nil) || (f == "type" && in.Type == nil) {
			verr.Add(f, "必填")
		}
	}
	if err := verr.Err(); err != nil {
		return nil, err
	}
	var exists int64
	if err := db.Model(&Village{}).Where("code = ?", v.Code).Count(&exists).Error; err != nil {
		return nil, err
	}
	if exists > 0 {
		return nil, Conflict("村代码 " + v.Code + " 已存在")
	}
	if err := applyVillage(db, a, v, in); err != nil {
		return nil, err
	}
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Omit("Street").Create(v).Error; err != nil {
			if isUniqueViolation(err) {
				return Conflict("村代码 " + v.Code + " 已存在")
			}
			return err
		}
		if err := recordRevision(tx, v, now()); err != nil {
			return err
		}
		return Audit(tx, a, "village.create", "village", v.Code, VillageScope(v), nil, villageAudit(v))
	})
	if err != nil {
		return nil, err
	}
	return a.FindVillage(db, v.Code)
}

// UpdateVillage edits a village's master data. District staff only.
func UpdateVillage(db *gorm.DB, a *Actor, in VillageInput) (*Village, error) {
	v, err := a.FindVillage(db, in.Code)
	if err != nil {
		return nil, err
	}
	if a.Role != RoleDistrict {
		return nil, ErrForbidden
	}
	before := villageAudit(v)
	if err := applyVillage(db, a, v, in); err != nil {
		return nil, err
	}
	err = db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&Village{}).Where("code = ?", v.Code).
			Select("name", "street_code", "district_code", "type", "active_from", "active_until", "updated_at").
			Updates(v).Error; err != nil {
			return err
		}
		if err := recordRevision(tx, v, now()); err != nil {
			return err
		}
		return Audit(tx, a, "village.update", "village", v.Code, VillageScope(v), before, villageAudit(v))
	})
	if err != nil {
		return nil, err
	}
	return a.FindVillage(db, v.Code)
}

// applyVillage copies the given fields onto v and validates the result.
func applyVillage(db *gorm.DB, a *Actor, v *Village, in VillageInput) error {
	verr := &ValidationError{}
	if in.Name != nil {
		v.Name = strings.TrimSpace(*in.Name)
	}
	if in.Type != nil {
		v.Type = strings.TrimSpace(*in.Type)
	}
	if in.ActiveFrom != nil {
		v.ActiveFrom = *in.ActiveFrom
	}
	if in.ActiveUntil != nil {
		u := *in.ActiveUntil
		v.ActiveUntil = &u
	}
	if in.ClearUntil {
		v.ActiveUntil = nil
	}
	if in.StreetCode != nil {
		var s Street
		err := a.Scope().Streets(db.Model(&Street{})).Where("streets.code = ?", strings.TrimSpace(*in.StreetCode)).Take(&s).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			verr.Add("street_code", "街道代码不存在或不属于本区")
		case err != nil:
			return err
		default:
			v.StreetCode, v.DistrictCode = s.Code, s.DistrictCode
		}
	}
	verr.Merge(v.Validate())
	return verr.Err()
}

// Validate checks a village's own fields: its name, type and years. The form, the
// API and the import convert their input and call it; whether the street belongs
// to the district is theirs to look up.
func (v *Village) Validate() error {
	verr := &ValidationError{}
	if v.Name == "" {
		verr.Add("name", "请填写村名称")
	} else if utf8.RuneCountInString(v.Name) > 50 || BadText(v.Name) {
		verr.Add("name", "村名称最多 50 字，不含控制字符")
	}
	if !IsVillageType(v.Type) {
		verr.Add("type", "村庄类型须为："+strings.Join(VillageTypes, "、"))
	}
	if v.ActiveFrom < 1949 || v.ActiveFrom > 2100 {
		verr.Add("active_from", "起始年度须在 1949 至 2100 之间")
	}
	if v.ActiveUntil != nil && (*v.ActiveUntil < v.ActiveFrom || *v.ActiveUntil > 2100) {
		verr.Add("active_until", "终止年度须不早于起始年度，且不晚于 2100")
	}
	return verr.Err()
}

func villageAudit(v *Village) map[string]any {
	return map[string]any{"code": v.Code, "name": v.Name, "street_code": v.StreetCode, "type": v.Type,
		"active_from": v.ActiveFrom, "active_until": v.ActiveUntil}
}

func isDigits(s string, n int) bool {
	return len(s) == n && allDigits(s)
}

// YearFigures is a village's latest approved version of one year, or nil.
type YearFigures struct {
	Year     int
	Approved *ReportVersion
	Open     *ReportVersion
	Last     *ReportVersion
}

// VillageYears gives, for every reporting year, the village's latest approved
// version, its open version and its latest version of any state.
func VillageYears(db *gorm.DB, code string) ([]YearFigures, error) {
	var all []ReportVersion
	if err := db.Where("village_code = ?", code).Order("year, seq DESC").Find(&all).Error; err != nil {
		return nil, err
	}
	years, err := Years(db)
	if err != nil {
		return nil, err
	}
	var out []YearFigures
	for _, y := range years {
		yf := YearFigures{Year: y}
		for i := range all {
			r := &all[i]
			if r.Year != y {
				continue
			}
			if yf.Last == nil {
				yf.Last = r
			}
			if r.IsOpen() && yf.Open == nil {
				yf.Open = r
			}
			if r.Status == StatusApproved && yf.Approved == nil {
				yf.Approved = r
			}
		}
		out = append(out, yf)
	}
	return out, nil
}

// ListStreets lists the streets of the actor's scope, by code.
func ListStreets(db *gorm.DB, a *Actor) ([]Street, error) {
	var out []Street
	err := a.Scope().Streets(db.Model(&Street{})).Order("code").Find(&out).Error
	return out, err
}

// YearStatus gives, for the villages of the actor's scope, their latest approved
// version of year (as of now) and their open version, keyed by village code.
func YearStatus(db *gorm.DB, a *Actor, year int) (approved, open map[string]*ReportVersion, err error) {
	inScope := a.Scope().Villages(db.Model(&Village{}).Select("villages.code"))
	var ap []ReportVersion
	err = db.Where("id IN (?)", db.Model(&ReportVersion{}).Select("MAX(id)").
		Where("year = ? AND status = ? AND village_code IN (?)", year, StatusApproved, inScope).
		Group("village_code")).Find(&ap).Error
	if err != nil {
		return nil, nil, err
	}
	var op []ReportVersion
	err = db.Where("year = ? AND status IN ? AND village_code IN (?)", year, []string{StatusDraft, StatusSubmitted}, inScope).Find(&op).Error
	if err != nil {
		return nil, nil, err
	}
	approved, open = map[string]*ReportVersion{}, map[string]*ReportVersion{}
	for i := range ap {
		approved[ap[i].VillageCode] = &ap[i]
	}
	for i := range op {
		open[op[i].VillageCode] = &op[i]
	}
	return approved, open, nil
}
