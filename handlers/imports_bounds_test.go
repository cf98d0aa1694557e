package handlers

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"cunji/models"
)

// TestImportBounds: a sheet beyond the readers' limits answers one 422 on the file
// field, through every import: a row of too many columns, and an account sheet of
// more rows than the cap, named in the message.
func TestImportBounds(t *testing.T) {
	en := newEnv(t)
	post := func(path, who string, data []byte) *httptest.ResponseRecorder {
		body, ctype := multipartFile(t, "x.csv", data)
		req := httptest.NewRequest("POST", path, body)
		req.Header.Set("Content-Type", ctype)
		req.Header.Set("Authorization", "Bearer "+en.token(who))
		rec := httptest.NewRecorder()
		en.e.ServeHTTP(rec, req)
		return rec
	}
	wide := []byte("村代码,村名称\n" + strings.Repeat("x,", 40) + "\n")
	for _, path := range []string{"/api/v1/import/villages?dry_run=true", "/api/v1/import/reports?dry_run=true", "/api/v1/import/users"} {
		rec := post(path, "d", wide)
		if rec.Code != 422 || !strings.Contains(rec.Body.String(), "第 2 行超过 32 列") {
			t.Errorf("%s: %d %s", path, rec.Code, rec.Body.String())
		}
	}
	var b strings.Builder
	b.WriteString(strings.Join(models.UserImportHeader, ",") + "\n")
	for i := 0; i < models.UserSheetRows; i++ {
		fmt.Fprintf(&b, "village-%d,张%d,村干部,331002001201,\n", i, i)
	}
	before := en.state()
	rec := post("/api/v1/import/users", "d", []byte(b.String()))
	if rec.Code != 422 || !strings.Contains(rec.Body.String(), fmt.Sprintf("文件超过 %d 行", models.UserSheetRows)) || en.state() != before {
		t.Fatalf("an account sheet over the cap: %d %.300s", rec.Code, rec.Body.String())
	}
}
