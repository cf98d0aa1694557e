package models

import (
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// Default evidence quotas: files per version, bytes per village, bytes in all.
const (
	DefaultEvidencePerVersion   = 20
	DefaultEvidenceVillageBytes = 200 << 20
	DefaultEvidenceTotalBytes   = 20 << 30
)

// EvidenceLimits are the evidence quotas of a deployment; a zero field takes its
// default. Every instance of a deployment must be given the same limits.
type EvidenceLimits struct {
	PerVersion   int
	VillageBytes int64
	TotalBytes   int64
}

// OrDefaults fills the unset limits with the defaults.
func (l EvidenceLimits) OrDefaults() EvidenceLimits {
	if l.PerVersion <= 0 {
		l.PerVersion = DefaultEvidencePerVersion
	}
	if l.VillageBytes <= 0 {
		l.VillageBytes = DefaultEvidenceVillageBytes
	}
	if l.TotalBytes <= 0 {
		l.TotalBytes = DefaultEvidenceTotalBytes
	}
	return l
}

// EvidenceUsage is what a version, its village and the deployment hold, beside
// the limits.
type EvidenceUsage struct {
	VersionFiles int64 `json:"version_files"`
	VillageBytes int64 `json:"village_bytes"`
	TotalBytes   int64 `json:"total_bytes"`
	Limits       EvidenceLimits
}

// Text is the usage in a line of Chinese for the upload form.
func (u *EvidenceUsage) Text() string {
	return fmt.Sprintf("本版本已有 %d / %d 个文件；本村已用 %s / %s；全区已用 %s / %s",
		u.VersionFiles, u.Limits.PerVersion, FormatBytes(u.VillageBytes), FormatBytes(u.Limits.VillageBytes),
		FormatBytes(u.TotalBytes), FormatBytes(u.Limits.TotalBytes))
}

// JSON is the usage as the API answers it.
func (u *EvidenceUsage) JSON() map[string]int64 {
	return map[string]int64{"version_files": u.VersionFiles, "version_files_max": int64(u.Limits.PerVersion),
		"village_bytes": u.VillageBytes, "village_bytes_max": u.Limits.VillageBytes,
		"total_bytes": u.TotalBytes, "total_bytes_max": u.Limits.TotalBytes}
}

// admit checks that one more file of size bytes fits every quota.
func (u *EvidenceUsage) admit(size int64) error {
	l := u.Limits
	switch {
	case u.VersionFiles >= int64(l.PerVersion):
		return Invalid("file", fmt.Sprintf("每个版本最多 %d 个文件（已有 %d 个）", l.PerVersion, u.VersionFiles))
	case u.VillageBytes+size > l.VillageBytes:
		return Invalid("file", fmt.Sprintf("本村凭据已用 %s，上限 %s，放不下此文件（%s）；请压缩后再传，或请区里调高配额",
			FormatBytes(u.VillageBytes), FormatBytes(l.VillageBytes), FormatBytes(size)))
	case u.TotalBytes+size > l.TotalBytes:
		return Invalid("file", fmt.Sprintf("全区凭据已用 %s，上限 %s，放不下此文件（%s）；请联系系统管理员",
			FormatBytes(u.TotalBytes), FormatBytes(l.TotalBytes), FormatBytes(size)))
	}
	return nil
}

// EvidenceUsageOf counts, in one statement, the files of a version (kind, id) and
// the bytes of its village and of the deployment.
func EvidenceUsageOf(db *gorm.DB, l EvidenceLimits, kind string, versionID uint, village string) (*EvidenceUsage, error) {
	u := &EvidenceUsage{Limits: l.OrDefaults()}
	err := db.Raw(`SELECT
		(SELECT COUNT(*) FROM evidence_files WHERE kind = ? AND version_id = ?) AS version_files,
		(SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM evidence_files WHERE village_code = ?) AS village_bytes,
		(SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM evidence_files) AS total_bytes`,
		kind, versionID, village).Row().Scan(&u.VersionFiles, &u.VillageBytes, &u.TotalBytes)
	return u, err
}

// FormatBytes writes a size for people: 字节 below 1 KB, then KB, MB and GB.
func FormatBytes(n int64) string {
	one := func(x float64, unit string) string {
		return strings.TrimSuffix(fmt.Sprintf("%.1f", x), ".0") + " " + unit
	}
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d 字节", n)
	case n < 1<<20:
		return one(float64(n)/(1<<10), "KB")
	case n < 1<<30:
		return one(float64(n)/(1<<20), "MB")
	}
	return one(float64(n)/(1<<30), "GB")
}
