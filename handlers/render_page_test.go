package handlers

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"cunji/models"
	"cunji/seeds"
	"cunji/views"
)

// TestPageWrittenWithItsLength: a page goes out whole with its length (not in
// chunks), the same bytes as the page rendered afresh, also after a larger page
// and a failed one used the reused buffer before it; a template error leaves the
// response unwritten, so that the error handler can still answer.
func TestPageWrittenWithItsLength(t *testing.T) {
	en := newEnv(t)
	en.approvedYear("v1", seeds.FixA1, 2025, models.ReportInput{BusinessFen: fen(70_000_000)})
	tok := en.token("v1")
	report := "/villages/" + seeds.FixA1 + "/reports/2025"
	big := en.page("GET", report, tok, nil, false)
	if big.Code != http.StatusOK || big.Header().Get("Content-Length") != strconv.Itoa(big.Body.Len()) ||
		!strings.Contains(big.Body.String(), "2025 年度填报") {
		t.Fatalf("report page: %d, length %q for %d bytes", big.Code, big.Header().Get("Content-Length"), big.Body.Len())
	}

	// A template error (the report page given no report) writes nothing.
	rec := httptest.NewRecorder()
	c := en.e.NewContext(httptest.NewRequest("GET", report, nil), rec)
	c.Set(ctxUser, en.users["v1"])
	if err := en.h.renderPage(c, http.StatusOK, "report", PageData{User: en.users["v1"], Data: 42}); err == nil {
		t.Fatal("a page whose template fails was rendered")
	}
	if c.Response().Committed || rec.Body.Len() != 0 {
		t.Fatalf("a failed page wrote its response (%d bytes)", rec.Body.Len())
	}

	// A smaller page after the larger and the failed one: the same bytes as from
	// views of their own, whose buffers never held another page.
	fresh, err := views.Load()
	if err != nil {
		t.Fatal(err)
	}
	pd := PageData{Title: "错误", User: en.users["v1"], CSRF: "csrf", Errors: map[string]string{}, Data: "找不到"}
	for _, v := range []*views.Views{en.h.Views, fresh} {
		if err := v.Render(new(strings.Builder), "report", PageData{Data: 42}); err == nil {
			t.Fatal("a page whose template fails was rendered")
		}
	}
	rec = httptest.NewRecorder()
	c = en.e.NewContext(httptest.NewRequest("GET", "/", nil), rec)
	if err := en.h.renderPage(c, http.StatusNotFound, "error", pd); err != nil {
		t.Fatal(err)
	}
	var want strings.Builder
	if err := fresh.Render(&want, "error", pd); err != nil {
		t.Fatal(err)
	}
	if rec.Code != http.StatusNotFound || rec.Body.String() != want.String() || rec.Body.Len() >= big.Body.Len() ||
		rec.Header().Get("Content-Length") != strconv.Itoa(rec.Body.Len()) {
		t.Fatalf("the page after others differs (%d, %d bytes, length %q):\n%s\n----\n%s", rec.Code, rec.Body.Len(),
			rec.Header().Get("Content-Length"), rec.Body.String(), want.String())
	}
}
