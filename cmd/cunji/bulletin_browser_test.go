package main

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"cunji/models"
	"cunji/seeds"

	"github.com/chromedp/chromedp"
)

// TestBrowserIssueBulletin: the district previews a street's 通报 for a closed year
// on the desktop, types the 发文机关, 文号 and date and presses 印发并存档; the kept
// 通报 is the one previewed (that street, that year), and its PDF (read back with
// pdftotext) and its Word file (unzipped) hold the issuing body, the 文号, the
// scope and, in the PDF, the narrative's figures equal to the roll-up as of the
// kept instant. The form once posted without its year and street, and every issue kept
// the whole district's latest year.
func TestBrowserIssueBulletin(t *testing.T) {
	chromium := chromiumPath(t)
	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext is missing (poppler-utils)")
		}
		t.Skip("pdftotext is missing (apt-get install poppler-utils)")
	}
	bin := buildBinary(t)
	dbPath := filepath.Join(t.TempDir(), "bulletin.db")
	srv := startDemo(t, bin, "--db", dbPath)
	base := "http://" + srv.addr
	d := newSizedSession(t, chromium, base, "bulletin-district", t.Context(), 1366, 768, false)
	d.login("district")
	d.do("preview", chromedp.Navigate(base+"/bulletin?year=2024&street=331002001"), chromedp.WaitVisible(chromedp.CSS("#document_no")))
	title := d.text("main h1")
	if !strings.Contains(title, "海门街道") || !strings.Contains(title, "2024") {
		t.Fatalf("preview heading %q", title)
	}
	d.do("issue",
		chromedp.SendKeys(chromedp.CSS("#issuer"), "海门街道办事处"),
		chromedp.SendKeys(chromedp.CSS("#document_no"), "海街〔2026〕7号"),
		chromedp.SetValue(chromedp.CSS("#issued_on"), "2026-12-01"),
		chromedp.Click(chromedp.CSS("#document_no ~ button[type=submit], form.card button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("a[href$='/pdf']")),
	)
	url, err := chromedp.Run(d.ctx, chromedp.Evaluate[string](`location.pathname`))
	if err != nil || !regexp.MustCompile(`^/bulletins/\d+$`).MatchString(url) {
		t.Fatalf("after 印发: %q %v", url, err)
	}
	if kept := d.text("main"); !strings.Contains(kept, "关于海门街道2024年度") || !strings.Contains(kept, "海街〔2026〕7号") {
		t.Fatalf("the kept 通报 is not the one previewed")
	}
	fetch := func(path string) []byte {
		t.Helper()
		b64, err := chromedp.Run(d.ctx, chromedp.Evaluate[string](`fetch(`+"`"+path+"`"+`).then(r => r.arrayBuffer()).then(b => {
			let s = ""; for (const x of new Uint8Array(b)) s += String.fromCharCode(x); return btoa(s) })`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("download %s: %v", path, err)
		}
		raw, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	pdf := fetch(url + "/pdf")
	pdfPath := filepath.Join(t.ArtifactDir(), "issued-bulletin.pdf")
	if err := os.WriteFile(pdfPath, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	text, err := exec.Command(pdftotext, "-layout", pdfPath, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	flat := strings.Join(strings.Fields(string(text)), "")
	// The narrative's figures are the roll-up's as of the kept instant, counted here
	// on the same database.
	db, err := models.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	var kept models.Bulletin
	if err := db.Order("id DESC").Take(&kept).Error; err != nil {
		t.Fatal(err)
	}
	ru, err := models.ComputeRollup(db, &models.Actor{Role: models.RoleDistrict, DistrictCode: seeds.DistrictCode, Name: "test"},
		"331002001", 2024, kept.AsOf)
	if s, _ := db.DB(); s != nil {
		s.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	sentence := fmt.Sprintf("%d个行政村中，%d个村的2024年度数据经街道审核通过；经营性收入达50万元以上的村%d个，占%s",
		ru.Villages, ru.Reported, ru.Income50w.Count, ru.Income50w.Share.Percent())
	for _, want := range []string{"海门街道办事处", "海街〔2026〕7号", "关于海门街道2024年度", "二〇二六年十二月一日", sentence} {
		if !strings.Contains(flat, want) {
			t.Errorf("the PDF lacks %q", want)
		}
	}
	docx := fetch(url + "/docx")
	zr, err := zip.NewReader(bytes.NewReader(docx), int64(len(docx)))
	if err != nil {
		t.Fatalf("the Word file is not a zip: %v", err)
	}
	var body string
	for _, f := range zr.File {
		if f.Name == "word/document.xml" {
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			body = regexp.MustCompile(`<[^>]+>`).ReplaceAllString(string(b), "")
		}
	}
	for _, want := range []string{"海门街道办事处", "海街〔2026〕7号", "关于海门街道2024年度"} {
		if !strings.Contains(body, want) {
			t.Errorf("the Word file lacks %q", want)
		}
	}
	d.noProblems()
}
