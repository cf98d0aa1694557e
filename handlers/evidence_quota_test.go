package handlers

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"cunji/models"
	"cunji/seeds"
)

// Quotas per version, per village and in all: a clear 422 in Chinese, nothing
// stored, and the usage in every answer and on the page.
func TestEvidenceQuotas(t *testing.T) {
	en := newEnv(t)
	size := int64(len(pdfBytes))
	en.h.EvidenceLimits = models.EvidenceLimits{PerVersion: 2, VillageBytes: 3 * size, TotalBytes: 4 * size}
	if _, err := models.SaveDraft(en.db, en.actor("v1"), seeds.FixA1, 2025, models.ReportInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := models.SaveDraft(en.db, en.actor("v4"), seeds.FixB1, 2025, models.ReportInput{}); err != nil {
		t.Fatal(err)
	}
	name, kind, state := "竹编工坊", "来料加工", "运营"
	w, err := models.CreateWorkshop(en.db, en.actor("v1"), seeds.FixA1, models.WorkshopInput{Name: &name, Type: &kind, State: &state})
	if err != nil {
		t.Fatal(err)
	}
	report := "/api/v1/villages/" + seeds.FixA1 + "/reports/2025/files"
	workshop := fmt.Sprintf("/api/v1/workshops/%d/files", w.Workshop.ID)
	other := "/api/v1/villages/" + seeds.FixB1 + "/reports/2025/files"
	steps := []struct {
		path, who string
		want      int
		message   string
		usage     [3]int64 // files of the version, bytes of the village, bytes in all
	}{
		{report, "v1", 201, "", [3]int64{1, size, size}},
		{report, "v1", 201, "", [3]int64{2, 2 * size, 2 * size}},
		{report, "v1", 422, "每个版本最多 2 个文件（已有 2 个）", [3]int64{}},
		{workshop, "v1", 201, "", [3]int64{1, 3 * size, 3 * size}},
		{workshop, "v1", 422, fmt.Sprintf("本村凭据已用 %d 字节", 3*size), [3]int64{}},
		{other, "v4", 201, "", [3]int64{1, size, 4 * size}},
		{other, "v4", 422, "全区凭据已用", [3]int64{}},
	}
	for i, s := range steps {
		before, files := en.state(), en.storedFiles()
		rec := en.upload(s.path, en.token(s.who), "a.pdf", pdfBytes, false)
		if rec.Code != s.want || !strings.Contains(rec.Body.String(), s.message) {
			t.Fatalf("step %d: %d %s", i, rec.Code, rec.Body.String())
		}
		if s.want != 201 {
			if en.state() != before || en.storedFiles() != files {
				t.Fatalf("step %d: a refused file was kept", i)
			}
			continue
		}
		var ans struct{ Usage map[string]int64 }
		json.Unmarshal(rec.Body.Bytes(), &ans)
		u := ans.Usage
		got := [3]int64{u["version_files"], u["village_bytes"], u["total_bytes"]}
		if got != s.usage || u["version_files_max"] != 2 || u["village_bytes_max"] != 3*size || u["total_bytes_max"] != 4*size {
			t.Fatalf("step %d: usage %v", i, u)
		}
	}
	// The page names the quota and what is used; a refusal says why.
	html := en.page("GET", "/villages/"+seeds.FixA1+"/reports/2025", en.token("v1"), nil, false).Body.String()
	if !strings.Contains(html, "本版本已有 2 / 2 个文件") || !strings.Contains(html, "本村已用") {
		t.Fatal("the report page does not show the usage")
	}
	page := "/villages/" + seeds.FixA1 + "/reports/2025/files"
	if rec := en.upload(page, en.token("v1"), "a.pdf", pdfBytes, true); rec.Code != 303 || !strings.Contains(rec.Header().Get("Set-Cookie"), "cunji_flash") {
		t.Fatalf("page upload over the quota: %d", rec.Code)
	}
}

// Sixty uploads at once to one version leave exactly the allowed number of files,
// on SQLite and on PostgreSQL.
func TestEvidenceQuotaConcurrent(t *testing.T) {
	en := newEnv(t)
	if _, err := models.SaveDraft(en.db, en.actor("v1"), seeds.FixA1, 2025, models.ReportInput{}); err != nil {
		t.Fatal(err)
	}
	api := "/api/v1/villages/" + seeds.FixA1 + "/reports/2025/files"
	token := en.token("v1")
	codes := make(chan int, 60)
	var wg sync.WaitGroup
	for i := 0; i < 60; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes <- en.upload(api, token, "a.pdf", pdfBytes, false).Code
		}()
	}
	wg.Wait()
	close(codes)
	count := map[int]int{}
	for c := range codes {
		count[c]++
	}
	var n int64
	en.db.Model(&models.EvidenceFile{}).Count(&n)
	want := models.DefaultEvidencePerVersion
	if count[201] != want || count[422] != 60-want || n != int64(want) || en.storedFiles() != want {
		t.Fatalf("answers %v; %d records, %d files; want %d", count, n, en.storedFiles(), want)
	}
}
