package models

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"

	"gorm.io/gorm"
)

// MaxEvidenceBytes is the largest evidence file (凭据): 10 MB.
const MaxEvidenceBytes = 10 << 20

// Kinds of versions that carry evidence.
const (
	EvidenceReport   = "report"
	EvidenceWorkshop = "workshop"
	// EvidenceIndicator is a file of a catalogue indicator's value (models/indicator_evidence.go).
	EvidenceIndicator = "ind_value" // (the column holds 10 characters)
)

// EvidenceFile is a file attached to a report version or a workshop change. The
// content is stored outside any served folder under a generated name; the
// uploader's name is kept only as display text (DisplayName), and a download gets a
// name the server derives (EvidenceDownload.FileNames).
type EvidenceFile struct {
	ID           uint   `gorm:"primaryKey"`
	Kind         string `gorm:"size:10;not null;index:idx_evidence,priority:1"`
	VersionID    uint   `gorm:"not null;index:idx_evidence,priority:2"`
	VillageCode  string `gorm:"size:12;not null;index"`
	StoredName   string `gorm:"size:64;not null;uniqueIndex"`
	OriginalName string `gorm:"size:255;not null"`
	ContentType  string `gorm:"size:40;not null"`
	Size         int64  `gorm:"not null"`
	SHA256       string `gorm:"size:64;not null"`
	UploadedBy   string `gorm:"size:100;not null"`
	CreatedAt    time.Time
}

// evidenceTypes are the accepted types: how their content starts, and the
// extension a download gets.
var evidenceTypes = []struct{ magic, ctype, ext string }{
	{"%PDF-", "application/pdf", ".pdf"},
	{"\xFF\xD8\xFF", "image/jpeg", ".jpg"},
	{"\x89PNG\r\n\x1a\n", "image/png", ".png"},
}

// SniffEvidence recognises PDF, JPEG and PNG by their content, never their name.
func SniffEvidence(data []byte) (string, bool) {
	for _, t := range evidenceTypes {
		if bytes.HasPrefix(data, []byte(t.magic)) {
			return t.ctype, true
		}
	}
	return "", false
}

// evidenceExt is the extension of an accepted type ("" for any other).
func evidenceExt(ctype string) string {
	for _, t := range evidenceTypes {
		if t.ctype == ctype {
			return t.ext
		}
	}
	return ""
}

// cleanName keeps a safe display name: the base name without control, format
// (direction marks and overrides, zero-width characters) or line-separator
// characters and without quotes, at most 200 characters.
func cleanName(name string) string {
	name = strings.ToValidUTF8(name, "")
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r == '"' || unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp) {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "." || name == "/" || name == "" {
		name = "file"
	}
	if r := []rune(name); len(r) > 200 {
		name = string(r[len(r)-200:])
	}
	return name
}

// DisplayName is the uploader's name of the file, as text to show (escaped) and
// never as a file name: names stored before the rule are cleaned here too.
func (f EvidenceFile) DisplayName() string { return cleanName(f.OriginalName) }

// evidenceTarget names the open draft a file is attached to.
type evidenceTarget struct {
	kind      string
	versionID uint
	village   *Village
}

// versionTable is the table of the versions of a kind.
func (t evidenceTarget) versionTable() string {
	switch t.kind {
	case EvidenceWorkshop:
		return "workshop_versions"
	case EvidenceIndicator:
		return "indicator_values"
	}
	return "report_versions"
}

// evidenceLockKey is the PostgreSQL advisory lock that makes the quota check and
// the insert of an evidence file one step across instances.
const evidenceLockKey int32 = 727136

// addEvidence checks and stores one file for an open draft, in dir, within the
// limits; it returns the record and the usage with the file counted.
func addEvidence(db *gorm.DB, a *Actor, dir string, l EvidenceLimits, t evidenceTarget, name string, data []byte) (*EvidenceFile, *EvidenceUsage, error) {
	l = l.OrDefaults()
	if len(data) == 0 {
		return nil, nil, Invalid("file", "文件为空")
	}
	if len(data) > MaxEvidenceBytes {
		return nil, nil, Invalid("file", "文件超过 10 MB")
	}
	ctype, ok := SniffEvidence(data)
	if !ok {
		return nil, nil, Invalid("file", "只接受 PDF、JPEG 或 PNG 文件（按文件内容识别，不看扩展名）")
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return nil, nil, err
	}
	sum := sha256.Sum256(data)
	f := &EvidenceFile{Kind: t.kind, VersionID: t.versionID, VillageCode: t.village.Code, StoredName: hex.EncodeToString(b),
		OriginalName: cleanName(name), ContentType: ctype, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), UploadedBy: a.Name}
	if err := PrivateDir(dir); err != nil {
		return nil, nil, err
	}
	// The content is written (and synced) before the transaction, which stays short.
	path := filepath.Join(dir, f.StoredName)
	if err := WriteFileSync(path, data); err != nil {
		return nil, nil, err
	}
	var u *EvidenceUsage
	err := db.Transaction(func(tx *gorm.DB) error {
		// One upload at a time checks the quotas (SQLite's write transactions are
		// serialised already), and the version stays a draft until the file is in.
		forUpdate := ""
		if err := advisoryXactLock(tx, evidenceLockKey); err != nil {
			return err
		}
		if tx.Dialector.Name() == "postgres" {
			forUpdate = " FOR UPDATE"
		}
		var status []string
		if err := tx.Raw("SELECT status FROM "+t.versionTable()+" WHERE id = ?"+forUpdate, t.versionID).Scan(&status).Error; err != nil {
			return err
		}
		if len(status) != 1 || status[0] != StatusDraft {
			return errNotDraft
		}
		var err error
		if u, err = EvidenceUsageOf(tx, l, t.kind, t.versionID, t.village.Code); err != nil {
			return err
		}
		if err := u.admit(f.Size); err != nil {
			return err
		}
		if err := tx.Create(f).Error; err != nil {
			return err
		}
		u.VersionFiles++
		u.VillageBytes += f.Size
		u.TotalBytes += f.Size
		// A kept report page lists the files and the quotas they use: the new row
		// moves the data revision (migration 0018's triggers).
		return Audit(tx, a, t.kind+".file", t.kind, itoa(int(t.versionID)), VillageScope(t.village), nil,
			map[string]any{"file": f.OriginalName, "size": f.Size, "sha256": f.SHA256})
	})
	if err != nil {
		os.Remove(path)
		return nil, nil, err
	}
	return f, u, nil
}

var errNotDraft = Conflict("请先保存草稿，再上传凭据（已提交的版本不能再加文件）")

// AddReportEvidence attaches a file to the village-year's open draft (the cadre).
func AddReportEvidence(db *gorm.DB, a *Actor, dir string, l EvidenceLimits, code string, year int, name string, data []byte) (*EvidenceFile, *EvidenceUsage, error) {
	v, err := reportTarget(db, a, code, year, RoleVillage)
	if err != nil {
		return nil, nil, err
	}
	open, err := reports.open(db, reportSeries(v, year))
	if err != nil {
		return nil, nil, err
	}
	if open == nil || open.Status != StatusDraft {
		return nil, nil, errNotDraft
	}
	return addEvidence(db, a, dir, l, evidenceTarget{EvidenceReport, open.ID, v}, name, data)
}

// AddWorkshopEvidence attaches a file to the workshop's open draft (the cadre).
func AddWorkshopEvidence(db *gorm.DB, a *Actor, dir string, l EvidenceLimits, id uint, name string, data []byte) (*EvidenceFile, *EvidenceUsage, error) {
	d, err := workshopTarget(db, a, id, RoleVillage)
	if err != nil {
		return nil, nil, err
	}
	if d.Open == nil || d.Open.Status != StatusDraft {
		return nil, nil, errNotDraft
	}
	return addEvidence(db, a, dir, l, evidenceTarget{EvidenceWorkshop, d.Open.ID, &d.Workshop.Village}, name, data)
}

// EvidenceDownload is a file's record with what its download name is made of.
type EvidenceDownload struct {
	EvidenceFile
	VillageName string
	Year        int  // of a report's file
	WorkshopID  uint // of a workshop's file
}

// GetEvidence loads a file's record within the actor's scope (404 outside it).
func GetEvidence(db *gorm.DB, a *Actor, id uint) (*EvidenceDownload, error) {
	var d EvidenceDownload
	err := db.Table("evidence_files").
		Select("evidence_files.*, villages.name AS village_name, COALESCE(report_versions.year, indicator_values.year, 0) AS year, "+
			"COALESCE(workshop_versions.workshop_id, 0) AS workshop_id").
		Joins("JOIN villages ON villages.code = evidence_files.village_code").
		Joins("LEFT JOIN report_versions ON evidence_files.kind = ? AND report_versions.id = evidence_files.version_id", EvidenceReport).
		Joins("LEFT JOIN workshop_versions ON evidence_files.kind = ? AND workshop_versions.id = evidence_files.version_id", EvidenceWorkshop).
		Joins("LEFT JOIN indicator_values ON evidence_files.kind = ? AND indicator_values.id = evidence_files.version_id", EvidenceIndicator).
		Scopes(a.Scope().Villages).Where("evidence_files.id = ?", id).Take(&d).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &d, err
}

// ServedType is the content type a file is served with: its detected type, or
// application/octet-stream for anything not allowed.
func (d *EvidenceDownload) ServedType() string {
	if evidenceExt(d.ContentType) != "" {
		return d.ContentType
	}
	return "application/octet-stream"
}

// FileNames are the names a file is downloaded under, derived by the server and
// never the uploader's: 凭据-<村>-<年度|工坊N>-<id>.<ext of the detected type>, and
// its ASCII fallback evidence-<village code>-<year|workshopN>-<id>.<ext>.
func (d *EvidenceDownload) FileNames() (name, ascii string) {
	ext := evidenceExt(d.ContentType)
	if ext == "" {
		ext = ".bin"
	}
	village := strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, d.VillageName)
	code := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, d.VillageCode)
	if village == "" {
		village = code
	}
	what, whatASCII := strconv.Itoa(d.Year), strconv.Itoa(d.Year)
	if d.Kind == EvidenceWorkshop {
		what, whatASCII = "工坊"+strconv.Itoa(int(d.WorkshopID)), "workshop"+strconv.Itoa(int(d.WorkshopID))
	}
	return fmt.Sprintf("凭据-%s-%s-%d%s", village, what, d.ID, ext),
		fmt.Sprintf("evidence-%s-%s-%d%s", code, whatASCII, d.ID, ext)
}

// EvidencePath is where a file's content is stored.
func EvidencePath(dir string, f *EvidenceFile) string { return filepath.Join(dir, f.StoredName) }

// ListEvidence gives the files of some versions of one kind, by version id.
func ListEvidence(db *gorm.DB, kind string, versionIDs []uint) (map[uint][]EvidenceFile, error) {
	out := map[uint][]EvidenceFile{}
	if len(versionIDs) == 0 {
		return out, nil
	}
	var files []EvidenceFile
	if err := db.Where("kind = ? AND version_id IN ?", kind, versionIDs).Order("id").Find(&files).Error; err != nil {
		return nil, err
	}
	for _, f := range files {
		out[f.VersionID] = append(out[f.VersionID], f)
	}
	return out, nil
}
