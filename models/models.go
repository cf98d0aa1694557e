// Package models holds cunji's data: the GORM structs, the migrations, the scoped
// queries, the approval workflow and the roll-up. Domain rules live here, not in
// the handlers.
package models

import "time"

// Roles (docs/domain.md, "Roles and scopes").
const (
	RoleVillage  = "village"
	RoleStreet   = "street"
	RoleDistrict = "district"
)

// Report version states (docs/domain.md, "Versions and approval").
const (
	StatusDraft     = "draft"
	StatusSubmitted = "submitted"
	StatusApproved  = "approved"
	StatusRejected  = "rejected"
)

// VillageTypes are the five village types named by the plan, in the plan's order.
var VillageTypes = []string{"城郊融合", "集聚建设", "整治提升", "特色保护", "搬迁撤并"}

// IsVillageType reports whether t is one of the five plan types.
func IsVillageType(t string) bool {
	for _, v := range VillageTypes {
		if v == t {
			return true
		}
	}
	return false
}

// District is a county-level district (区), keyed by its 6-digit code.
type District struct {
	Code string `gorm:"primaryKey;size:6"`
	Name string `gorm:"size:100;not null"`
}

// Street is a street office or town (街道/镇), keyed by its 9-digit code.
type Street struct {
	Code         string   `gorm:"primaryKey;size:9"`
	DistrictCode string   `gorm:"size:6;not null;index"`
	Name         string   `gorm:"size:100;not null"`
	District     District `gorm:"foreignKey:DistrictCode;references:Code;constraint:OnUpdate:RESTRICT,OnDelete:RESTRICT"`
}

// Village is an administrative village (行政村), keyed by its 12-digit code.
// ActiveUntil is the last year the village counts (inclusive); nil means still active.
type Village struct {
	Code         string `gorm:"primaryKey;size:12"`
	Name         string `gorm:"size:100;not null"`
	StreetCode   string `gorm:"size:9;not null;index"`
	DistrictCode string `gorm:"size:6;not null;index"`
	Type         string `gorm:"size:20;not null"`
	ActiveFrom   int    `gorm:"not null"`
	ActiveUntil  *int
	Demo         bool `gorm:"not null;default:false"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Street       Street `gorm:"foreignKey:StreetCode;references:Code;constraint:OnUpdate:RESTRICT,OnDelete:RESTRICT"`
}

// ActiveIn reports whether the village counts in year y.
func (v *Village) ActiveIn(y int) bool {
	return v.ActiveFrom <= y && (v.ActiveUntil == nil || *v.ActiveUntil >= y)
}

// User is an account; it belongs to exactly one scope (a district, a street or a village).
type User struct {
	ID           uint   `gorm:"primaryKey"`
	Username     string `gorm:"size:100;not null;uniqueIndex"`
	Name         string `gorm:"size:100;not null"`
	Role         string `gorm:"size:10;not null"`
	DistrictCode string `gorm:"size:6;not null;index"`
	StreetCode   string `gorm:"size:9;not null;default:''"`
	VillageCode  string `gorm:"size:12;not null;default:''"`
	PasswordHash string `gorm:"size:100;not null"`
	TokenVersion int    `gorm:"not null;default:1"`
	Disabled     bool   `gorm:"not null;default:false"`
	Demo         bool   `gorm:"not null;default:false"`
	// MustChangePassword is set by a one-time or reset password: the user must
	// choose their own at the next login before doing anything else.
	MustChangePassword bool   `gorm:"not null;default:false"`
	Phone              string `gorm:"size:20;not null;default:''"`
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// Workflow is the state of one version of anything that a village keeps and its
// street approves (a yearly report, a workshop): draft → submitted → approved, or
// submitted → rejected with a reason. Version is the optimistic-locking number.
type Workflow struct {
	Seq          int    `gorm:"not null"`
	Status       string `gorm:"size:10;not null"`
	Version      int    `gorm:"not null"`
	CreatedByID  uint   `gorm:"not null"`
	SubmittedAt  *time.Time
	SubmittedBy  string `gorm:"size:100;not null;default:''"`
	ReviewedAt   *time.Time
	ReviewerID   *uint
	Reviewer     string `gorm:"size:100;not null;default:''"`
	RejectReason string `gorm:"size:2000;not null;default:''"`
}

// IsOpen reports whether the version is still editable or under review.
func (w *Workflow) IsOpen() bool {
	return w.Status == StatusDraft || w.Status == StatusSubmitted
}

// ReportVersion is one version of a village's yearly report (年度填报).
// OperatingFen and TotalFen are derived on every save and stored so that SQL can
// aggregate them; they are never taken from input.
type ReportVersion struct {
	ID            uint   `gorm:"primaryKey"`
	VillageCode   string `gorm:"size:12;not null"`
	Year          int    `gorm:"not null"`
	Workflow      `gorm:"embedded"`
	StarRating    int    `gorm:"not null"`
	HemeiBuilt    bool   `gorm:"not null"`
	BusinessFen   int64  `gorm:"not null"`
	ContractFen   int64  `gorm:"not null"`
	InvestmentFen int64  `gorm:"not null"`
	SubsidyFen    int64  `gorm:"not null"`
	OtherFen      int64  `gorm:"not null"`
	AssetsFen     int64  `gorm:"not null"`
	OperatingFen  int64  `gorm:"not null"`
	TotalFen      int64  `gorm:"not null"`
	Note          string `gorm:"size:8000;not null;default:''"`
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Village       Village `gorm:"foreignKey:VillageCode;references:Code;constraint:OnUpdate:RESTRICT,OnDelete:RESTRICT"`
	// Flags are the version's flags when it was submitted, for the submission's
	// audit entry; not a column.
	Flags []Flag `gorm:"-"`
}

// MeetsLine is the 50万元 line in 分: 经营性收入 at or above it meets the target.
const MeetsLine int64 = 50_000_000

// MaxAmountFen is the largest plausible single amount (10^14 分).
const MaxAmountFen int64 = 100_000_000_000_000

// Derive recomputes the derived fields from the entered ones.
func (r *ReportVersion) Derive() {
	r.OperatingFen = r.BusinessFen + r.ContractFen + r.InvestmentFen
	r.TotalFen = r.OperatingFen + r.SubsidyFen + r.OtherFen
}

// Meets50w reports whether the version's 经营性收入 reaches 50万元 (figures.go).
func (r *ReportVersion) Meets50w() bool { return Meets50w(r.OperatingFen) }

// Target is a plan target for a scope (district or street code), an indicator and a
// year. Shares are in basis points (8500 = 85%); money in 分; counts as they are.
// Targets are never overwritten: a change adds a row, and the target in force at an
// instant is the latest row recorded by then, so past figures stay reproducible.
type Target struct {
	ID         uint      `gorm:"primaryKey"`
	ScopeCode  string    `gorm:"size:12;not null;index:idx_target,priority:1"`
	Indicator  string    `gorm:"size:40;not null;index:idx_target,priority:2"`
	Year       int       `gorm:"not null;index:idx_target,priority:3"`
	Value      int64     `gorm:"not null"`
	Note       string    `gorm:"size:500;not null;default:''"`
	RecordedAt time.Time `gorm:"not null"`
}

// VillageRevision is one state of a village's master data, in force from ValidFrom
// until ValidTo (nil: still in force). Roll-ups as of an instant read the revision
// in force then, so a later change of type, street or years leaves them unchanged.
type VillageRevision struct {
	ID           uint   `gorm:"primaryKey"`
	Code         string `gorm:"size:12;not null;index"`
	Name         string `gorm:"size:100;not null"`
	StreetCode   string `gorm:"size:9;not null;index"`
	DistrictCode string `gorm:"size:6;not null;index"`
	Type         string `gorm:"size:20;not null"`
	ActiveFrom   int    `gorm:"not null"`
	ActiveUntil  *int
	ValidFrom    time.Time `gorm:"not null;index"`
	ValidTo      *time.Time
}

// AuditEntry is one line of the append-only audit log. The scope columns let every
// reader see only entries within their scope.
type AuditEntry struct {
	ID           uint      `gorm:"primaryKey"`
	At           time.Time `gorm:"not null;index"`
	ActorID      uint      `gorm:"not null"`
	ActorName    string    `gorm:"size:100;not null"`
	ActorRole    string    `gorm:"size:10;not null"`
	IP           string    `gorm:"size:64;not null;default:''"`
	Action       string    `gorm:"size:40;not null"`
	ObjectType   string    `gorm:"size:20;not null"`
	ObjectKey    string    `gorm:"size:40;not null"`
	DistrictCode string    `gorm:"size:6;not null;default:'';index"`
	StreetCode   string    `gorm:"size:9;not null;default:'';index"`
	VillageCode  string    `gorm:"size:12;not null;default:'';index"`
	Before       string    `gorm:"type:text;not null;default:''"`
	After        string    `gorm:"type:text;not null;default:''"`
}

// Setting is a key/value setting of the deployment (e.g. the last open year).
type Setting struct {
	Key   string `gorm:"primaryKey;size:60"`
	Value string `gorm:"size:500;not null"`
}
