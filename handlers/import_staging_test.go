package handlers

import (
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var stagedToken = regexp.MustCompile(`name="token" value="([0-9a-f-]+)"`)

// stageVillages checks a village sheet on the import page and gives its token.
func (en *env) stageVillages() string {
	en.t.Helper()
	sheet := []byte("村代码,村名称,街道代码,村庄类型,起始年度,终止年度\n331002003201,新河村,331002003,整治提升,2000,\n")
	rec := en.upload("/import/villages", en.token("d"), "v.csv", sheet, true)
	m := stagedToken.FindStringSubmatch(rec.Body.String())
	if rec.Code != 200 || m == nil {
		en.t.Fatalf("dry run: %d", rec.Code)
	}
	return m[1]
}

// age sets a staged file's time back by d.
func (en *env) age(token string, d time.Duration) string {
	en.t.Helper()
	path := filepath.Join(en.h.importDir(), token)
	old := time.Now().Add(-d)
	if err := os.Chtimes(path, old, old); err != nil {
		en.t.Fatal(err)
	}
	return path
}

func exists(path string) bool { _, err := os.Stat(path); return err == nil }

// A checked import that is never confirmed expires: it cannot be committed after an
// hour, and it is removed at the next import and at start-up.
func TestStagedImportsExpire(t *testing.T) {
	en := newEnv(t)
	before := en.state()
	stale := en.age(en.stageVillages(), StagedImportTTL+time.Minute)
	rec := en.page("POST", "/import/villages", en.token("d"), url.Values{"token": {filepath.Base(stale)}}, true)
	if rec.Code != 422 || !strings.Contains(rec.Body.String(), "导入已过期") || en.state() != before {
		t.Fatalf("commit of an expired import: %d", rec.Code)
	}
	if exists(stale) {
		t.Fatal("the expired file is still there after its refusal")
	}
	// The next dry run removes the abandoned ones and keeps the fresh ones.
	abandoned := en.age(en.stageVillages(), 2*StagedImportTTL)
	fresh := en.age(en.stageVillages(), StagedImportTTL-time.Minute)
	latest := en.stageVillages()
	if exists(abandoned) || !exists(fresh) {
		t.Fatalf("after the next import: abandoned %v, fresh %v", exists(abandoned), exists(fresh))
	}
	// Start-up removes what is older than the limit.
	n, err := en.h.ExpireStagedImports(time.Now().Add(StagedImportTTL / 2))
	if err != nil || n != 1 || exists(fresh) || !exists(filepath.Join(en.h.importDir(), latest)) {
		t.Fatalf("start-up removed %d (%v); fresh left: %v", n, err, exists(fresh))
	}
	if rec := en.page("POST", "/import/villages", en.token("d"), url.Values{"token": {latest}}, true); rec.Code != 200 || en.state() == before {
		t.Fatalf("commit of a fresh import: %d", rec.Code)
	}
}
