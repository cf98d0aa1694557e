package handlers

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"cunji/models"

	"github.com/labstack/echo/v4"
)

// StagedImportTTL is how long a checked (dry-run) import file waits for "确认导入".
// Older ones are refused and removed at the next import and at start-up.
const StagedImportTTL = time.Hour

// importDir holds the staged import files, mode 0700, each 0600.
func (h *Handler) importDir() string { return filepath.Join(h.FilesDir, "imports") }

// keepUpload stages a checked file under a random token owned by the user, after
// removing the expired ones.
func (h *Handler) keepUpload(c echo.Context, data []byte) (string, error) {
	if _, err := h.ExpireStagedImports(time.Now()); err != nil {
		return "", err
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	token := strconv.FormatUint(uint64(userOf(c).ID), 10) + "-" + hex.EncodeToString(b)
	if err := models.PrivateDir(h.importDir()); err != nil {
		return "", err
	}
	return token, models.WriteFileSync(filepath.Join(h.importDir(), token), data)
}

// takeUpload reads a staged file of this user that has not expired.
func (h *Handler) takeUpload(c echo.Context, token string) ([]byte, error) {
	expired := models.Invalid("file", "导入已过期（检查后 1 小时内须确认），请重新上传文件")
	prefix := strconv.FormatUint(uint64(userOf(c).ID), 10) + "-"
	if len(token) != len(prefix)+32 || token[:len(prefix)] != prefix {
		return nil, expired
	}
	if _, err := hex.DecodeString(token[len(prefix):]); err != nil {
		return nil, expired
	}
	path := filepath.Join(h.importDir(), token)
	st, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, expired
	}
	if err != nil {
		return nil, err
	}
	if time.Since(st.ModTime()) > StagedImportTTL {
		os.Remove(path)
		return nil, expired
	}
	return os.ReadFile(path)
}

// ExpireStagedImports removes the staged import files older than StagedImportTTL at
// now, and says how many it removed. The server calls it at start-up.
func (h *Handler) ExpireStagedImports(now time.Time) (int, error) {
	entries, err := os.ReadDir(h.importDir())
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() || now.Sub(info.ModTime()) <= StagedImportTTL {
			continue
		}
		if err := os.Remove(filepath.Join(h.importDir(), e.Name())); err == nil {
			n++
		}
	}
	return n, nil
}
