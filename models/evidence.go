package models

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// Evidence limits (凭据): at most 10 files of at most 10 MB each per version.
const (
	MaxEvidenceBytes      = 10 << 20
	MaxEvidencePerVersion = 10
)

// Kinds of versions that carry evidence.
const (
	EvidenceReport   = "report"
	EvidenceWorkshop = "workshop"
)

// EvidenceFile is a file attached to a report version or a workshop change. The
// content is stored outside any served folder under a generated name; the original
// name is kept for download.
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

// SniffEvidence recognises PDF, JPEG and PNG by their content, never their name.
func SniffEvidence(data []byte) (string, bool) {
	switch {
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return "application/pdf", true
	case bytes.HasPrefix(data, []byte("\xFF\xD8\xFF")):
		return "image/jpeg", true
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png", true
	}
	return "", false
}

// cleanName keeps a safe display name: the base name, no control characters, at
// most 200 characters.
func cleanName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' {
			return -1
		}
		return r
	}, name)
	if !utf8.ValidString(name) || name == "." || name == "/" || name == "" {
		name = "file"
	}
	if r := []rune(name); len(r) > 200 {
		name = string(r[len(r)-200:])
	}
	return name
}

// evidenceTarget names the open draft a file is attached to.
type evidenceTarget struct {
	kind      string
	versionID uint
	village   *Village
}

// addEvidence checks and stores one file for an open draft, in dir.
func addEvidence(db *gorm.DB, a *Actor, dir string, t evidenceTarget, name string, data []byte) (*EvidenceFile, error) {
	if len(data) == 0 {
		return nil, Invalid("file", "文件为空")
	}
	if len(data) > MaxEvidenceBytes {
		return nil, Invalid("file", "文件超过 10 MB")
	}
	ctype, ok := SniffEvidence(data)
	if !ok {
		return nil, Invalid("file", "只接受 PDF、JPEG 或 PNG 文件（按文件内容识别，不看扩展名）")
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	f := &EvidenceFile{Kind: t.kind, VersionID: t.versionID, VillageCode: t.village.Code, StoredName: hex.EncodeToString(b),
		OriginalName: cleanName(name), ContentType: ctype, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), UploadedBy: a.Name}
	if err := PrivateDir(dir); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, f.StoredName)
	if err := WriteFileSync(path, data); err != nil {
		return nil, err
	}
	err := db.Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&EvidenceFile{}).Where("kind = ? AND version_id = ?", t.kind, t.versionID).Count(&n).Error; err != nil {
			return err
		}
		if n >= MaxEvidencePerVersion {
			return Invalid("file", "每个版本最多 10 个文件")
		}
		if err := tx.Create(f).Error; err != nil {
			return err
		}
		return Audit(tx, a, t.kind+".file", t.kind, itoa(int(t.versionID)), VillageScope(t.village), nil,
			map[string]any{"file": f.OriginalName, "size": f.Size, "sha256": f.SHA256})
	})
	if err != nil {
		os.Remove(path)
		return nil, err
	}
	return f, nil
}

// AddReportEvidence attaches a file to the village-year's open draft (the cadre).
func AddReportEvidence(db *gorm.DB, a *Actor, dir, code string, year int, name string, data []byte) (*EvidenceFile, error) {
	v, err := reportTarget(db, a, code, year, RoleVillage)
	if err != nil {
		return nil, err
	}
	open, err := findOpen(db, code, year)
	if err != nil {
		return nil, err
	}
	if open == nil || open.Status != StatusDraft {
		return nil, Conflict("请先保存草稿，再上传凭据（已提交的版本不能再加文件）")
	}
	return addEvidence(db, a, dir, evidenceTarget{EvidenceReport, open.ID, v}, name, data)
}

// AddWorkshopEvidence attaches a file to the workshop's open draft (the cadre).
func AddWorkshopEvidence(db *gorm.DB, a *Actor, dir string, id uint, name string, data []byte) (*EvidenceFile, error) {
	d, err := workshopTarget(db, a, id, RoleVillage)
	if err != nil {
		return nil, err
	}
	if d.Open == nil || d.Open.Status != StatusDraft {
		return nil, Conflict("请先保存草稿，再上传凭据（已提交的版本不能再加文件）")
	}
	return addEvidence(db, a, dir, evidenceTarget{EvidenceWorkshop, d.Open.ID, &d.Workshop.Village}, name, data)
}

// GetEvidence loads a file's record within the actor's scope (404 outside it).
func GetEvidence(db *gorm.DB, a *Actor, id uint) (*EvidenceFile, error) {
	var f EvidenceFile
	err := db.Joins("JOIN villages ON villages.code = evidence_files.village_code").Scopes(a.Villages).
		Where("evidence_files.id = ?", id).Take(&f).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &f, err
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
