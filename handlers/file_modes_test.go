package handlers

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"cunji/models"
	"cunji/seeds"
)

// Evidence files, staged imports and their folders are private (0600 and 0700)
// whatever the umask.
func TestPrivateFileModes(t *testing.T) {
	for _, umask := range []int{0o022, 0o002, 0} {
		old := syscall.Umask(umask)
		t.Cleanup(func() { syscall.Umask(old) })
		en := newEnv(t)
		en.h.FilesDir = filepath.Join(t.TempDir(), "files")
		if umask == 0 {
			// A folder the operator made beforehand, open to all.
			if err := os.Mkdir(en.h.FilesDir, 0o777); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := models.SaveDraft(en.db, en.actor("v1"), seeds.FixA1, 2025, models.ReportInput{}); err != nil {
			t.Fatal(err)
		}
		if rec := en.upload("/api/v1/villages/"+seeds.FixA1+"/reports/2025/files", en.token("v1"), "a.pdf", pdfBytes, false); rec.Code != 201 {
			t.Fatalf("upload: %d", rec.Code)
		}
		en.stageVillages()
		seen := 0
		filepath.WalkDir(en.h.FilesDir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				t.Fatal(err)
			}
			info, _ := d.Info()
			want := fs.FileMode(0o600)
			if d.IsDir() {
				want = 0o700
			}
			if info.Mode().Perm() != want {
				t.Errorf("umask %03o: %s is %v, want %v", umask, path, info.Mode().Perm(), want)
			}
			seen++
			return nil
		})
		if seen != 4 {
			t.Fatalf("umask %03o: %d paths checked", umask, seen)
		}
		syscall.Umask(old)
	}
}
