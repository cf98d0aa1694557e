// Package views holds the HTML templates and the static assets, embedded in the
// binary: government networks have no internet, so nothing is loaded from outside.
package views

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"math/big"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"

	"cunji/models"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Static is the file system of /static/ (CSS, JavaScript, icons).
func Static() fs.FS {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // the embedded folder is part of the binary: it cannot be missing
	}
	return sub
}

// Views holds every page's template, parsed once at start-up.
type Views struct {
	pages map[string]*template.Template
	// buffers are the buffers pages are executed into (RenderPage), reused so
	// that a page of some tens of kilobytes is not grown anew, doubling after
	// doubling, at each request.
	buffers sync.Pool
}

// pageBufferKept bounds the buffers returned to the pool: a rare very large
// page (a long list) does not stay in memory behind every later small one.
const pageBufferKept = 256 << 10

// Funcs are the helpers the templates may call.
var Funcs = template.FuncMap{
	"wan":      WanGrouped,
	"wanDelta": WanDelta,
	"rate":     RateDelta,
	"bytes":    models.FormatBytes,
	// pathEscape makes a value one segment of a path (an old username may hold "/").
	"pathEscape": url.PathEscape,
	"wanExact":   models.FormatWanExact,
	"money":      models.FormatMoney,
	"pct":        func(r models.Ratio) string { return r.Percent() },
	// target shows an assigned share target, or says none is assigned.
	"target": func(r models.Ratio) string {
		if !r.Valid() {
			return "未下达目标"
		}
		return r.Percent()
	},
	// colour names a 三色预警 colour; none without a target or for a year in progress.
	"colour": func(c string) string {
		switch c {
		case models.ColorGreen:
			return "绿"
		case models.ColorYellow:
			return "黄"
		case models.ColorRed:
			return "红"
		}
		return "—"
	},
	// needed shows the villages still needed, or "—" without a target.
	"needed": func(n *int64) string {
		if n == nil {
			return "—"
		}
		return fmt.Sprint(*n)
	},
	"pctnum":   PercentNumber,
	"docchart": DocChart,
	"status":   StatusLabel,
	"when":     When,
	"yesno": func(b bool) string {
		if b {
			return "是"
		}
		return "否"
	},
	"star": func(n int) string {
		if n == 0 {
			return "无"
		}
		return fmt.Sprintf("%d 星", n)
	},
	"role":   RoleLabel,
	"action": models.ActionLabel,
	"object": models.ObjectLabel,
	"add":    func(a, b int) int { return a + b },
	// pair bundles two values for a partial.
	"pair":  func(r, v any) map[string]any { return map[string]any{"R": r, "V": v} },
	"neq64": func(a, b int64) bool { return a != b },
	"share": models.FormatShare,
	"cell":  PageCell,
	"head":  PageHeader,
	"isnum": IsNumber,
	"seq": func(n int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	},
	// field bundles a form field for a shared input partial.
	"field": func(name, label, value string, errs map[string]string) FormField {
		return FormField{Name: name, Label: label, Value: value, Error: errs[name]}
	},
}

// FormField is one input of a form partial.
type FormField struct{ Name, Label, Value, Error string }

// StatusLabel is the Chinese name of a version's state.
func StatusLabel(s string) string {
	if l := models.StatusName(s); l != "" {
		return l
	}
	return "未填报"
}

// RoleLabel is the Chinese name of a role.
func RoleLabel(r string) string { return models.RoleName(r) }

// When formats an instant in Asia/Shanghai, or "—" for none.
func When(t any) string {
	switch v := t.(type) {
	case time.Time:
		if v.IsZero() {
			return "—"
		}
		return v.In(models.Shanghai).Format("2006-01-02 15:04")
	case *time.Time:
		if v == nil {
			return "—"
		}
		return When(*v)
	}
	return "—"
}

// Load parses every page with the layout; a missing or broken template fails here,
// at start-up, not in front of a user.
func Load() (*Views, error) {
	base, err := template.New("layout.html").Funcs(Funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	entries, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	v := &Views{pages: map[string]*template.Template{}}
	for _, e := range entries {
		name := path.Base(e)
		if name == "layout.html" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFS, e)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		v.pages[strings.TrimSuffix(name, ".html")] = t
	}
	pre, err := template.Must(base.Clone()).Parse(`{{define "content"}}{{.Data}}{{end}}`)
	if err != nil {
		return nil, err
	}
	v.pages[Prerendered] = pre
	return v, nil
}

// Prerendered is the page whose content is its data, a template.HTML rendered
// before (Content): the layout around a page content kept from an earlier request.
const Prerendered = "prerendered"

// Content renders only the "content" block of a page. The block reads nothing of
// the page's data but data itself (given as the .Data of an otherwise empty page,
// so that a block that read more would show it at once), so its output may be kept
// beside data and served through Prerendered.
func (v *Views) Content(page string, data any) (template.HTML, error) {
	t, ok := v.pages[page]
	if !ok {
		return "", fmt.Errorf("no template %q", page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "content", struct{ Data any }{data}); err != nil {
		return "", err
	}
	return template.HTML(buf.String()), nil
}

// ContentFor renders only the "content" block of a page with root as its whole
// data ($): for a block that reads more of the page than its data (the account,
// the CSRF token), given exactly what it may read, so that reading anything else
// fails at once.
func (v *Views) ContentFor(page string, root any) (template.HTML, error) {
	t, ok := v.pages[page]
	if !ok {
		return "", fmt.Errorf("no template %q", page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "content", root); err != nil {
		return "", err
	}
	return template.HTML(buf.String()), nil
}

// Render executes a page into a buffer first, so that a template error becomes a
// clean error rather than half a page.
func (v *Views) Render(w io.Writer, page string, data any) error {
	return v.RenderPage(page, data, func(b []byte) error {
		_, err := w.Write(b)
		return err
	})
}

// RenderPage executes a page whole into a reused buffer, then hands its bytes to
// write (which may so give the page's length before writing it). write must not
// keep the bytes after it returns: the buffer serves the next page. A template
// error returns before write is called, so nothing of the page has been sent.
func (v *Views) RenderPage(page string, data any, write func([]byte) error) error {
	t, ok := v.pages[page]
	if !ok {
		return fmt.Errorf("no template %q", page)
	}
	buf, _ := v.buffers.Get().(*bytes.Buffer)
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	defer func() {
		if buf.Cap() <= pageBufferKept {
			buf.Reset()
			v.buffers.Put(buf)
		}
	}()
	buf.Reset()
	if err := t.ExecuteTemplate(buf, "layout.html", data); err != nil {
		return err
	}
	return write(buf.Bytes())
}

// PercentNumber is a ratio as a percentage number with one decimal (for SVG
// lengths), clamped to 0–100; "0" when undefined.
func PercentNumber(r models.Ratio) string {
	if r.R == nil {
		return "0"
	}
	p := new(big.Rat).Mul(r.R, big.NewRat(100, 1))
	if p.Cmp(big.NewRat(100, 1)) > 0 {
		return "100"
	}
	return p.FloatString(1)
}

// WanDelta formats a difference in 分 as signed 万元 with two decimals ("+1.20",
// "-0.35", "0.00").
func WanDelta(fen int64) string {
	s := WanGrouped(fen)
	if fen > 0 && s != "0.00" {
		return "+" + s
	}
	return s
}

// RateDelta formats a rate of change as a signed percentage with one decimal, or
// "—" when undefined (no base, or a base of 0).
func RateDelta(r models.Ratio) string {
	if r.R == nil {
		return "—"
	}
	s := r.Percent()
	if r.R.Sign() > 0 {
		s = "+" + s
	}
	return s
}

// WanGrouped formats 分 as 万元 with two decimals and thousands separators (the
// number only, for columns whose header names the unit).
func WanGrouped(fen int64) string { return models.FormatWanGrouped(fen) }
