package handlers

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"cunji/models"

	"github.com/labstack/echo/v4"
)

// keptReports keeps the report page's content (all but the layout) as rendered for
// one account, village and year, so that asking again renders no template and
// reads nothing but the account (which reads the data revision with it):
//   - under the data revision it was read at (keptRevision): every table the page
//     reads moves the revision in the changing transaction (migration 0011, and
//     0019 for the evidence files), on every instance of one database, so a content
//     serves only a request that read the same revision;
//   - until the first instant at which it would change by time alone
//     (models.Report.OpennessUntil: the window opening or closing, the village's
//     exception running out); the titles, the flags and their thresholds are read
//     as recorded by now, and a recording moves the revision.
//
// Only the pages of a village's cadre and of district staff are kept: a street
// officer's page counts the officer's queue as filtered in the query and records
// the first opening of a flagged report (a write), so it is read every time.
//
// The content is kept per account, since it shows the account's username (the
// form's local copy is keyed by it) and the role decides the forms; the CSRF token,
// the one part that differs between two sessions of one account, is cut out and
// put back at each request (renderKeptParts). Before anything kept is served, the
// asking account's scope is checked against the kept village's place (Scope.Holds,
// the rule of the SQL filters): a kept page never answers an account that could
// not read it afresh. A newer revision drops every content; when full it starts
// afresh. A nil keptReports keeps nothing.
type keptReports struct {
	mu  sync.Mutex
	rev int64
	m   map[reportKey]*keptReport
	// marker stands for the CSRF token while a content is rendered: random letters
	// and digits, so that no text of the page can hold it and escaping leaves it as
	// it is.
	marker       string
	hits, misses atomic.Int64
}

// reportKey names a kept content: the account as read at this request (a change of
// its name, role or place gives another key) and the village-year asked.
type reportKey struct {
	user                                    uint
	username, role, district, street, place string
	code                                    string
	year                                    int
}

// keptReport is one kept content.
type keptReport struct {
	title string
	// district, street and village are the kept village's place, checked against
	// the asking account's scope at every request.
	district, street, village string
	// until is the first instant the content is no longer true (zero: none).
	until time.Time
	// parts are the content cut where the CSRF token goes.
	parts [][]byte
}

// reportsKept bounds keptReports (a report page's content is some kilobytes).
const reportsKept = 1024

func newKeptReports() *keptReports {
	b := make([]byte, 16)
	rand.Read(b)
	return &keptReports{m: map[reportKey]*keptReport{}, marker: "cunjicsrf" + hex.EncodeToString(b)}
}

func reportKeyOf(u *models.User, code string, year int) reportKey {
	return reportKey{user: u.ID, username: u.Username, role: u.Role, district: u.DistrictCode, street: u.StreetCode,
		place: u.VillageCode, code: code, year: year}
}

// keepsReport tells whether the page of this role may be kept (see keptReports).
func keepsReport(role string) bool {
	return role == models.RoleVillage || role == models.RoleDistrict
}

// get is the content kept under key at revision rev that is still true at instant
// at and that the scope may read, or nil.
func (r *keptReports) get(rev int64, key reportKey, s models.Scope, at time.Time) *keptReport {
	if r == nil || rev == models.NoRevision {
		return nil
	}
	r.mu.Lock()
	var k *keptReport
	if r.rev == rev {
		k = r.m[key]
	}
	r.mu.Unlock()
	if k == nil || (!k.until.IsZero() && !at.Before(k.until)) || !s.Holds(k.district, k.street, k.village) {
		r.misses.Add(1)
		return nil
	}
	r.hits.Add(1)
	return k
}

// put keeps k under key at revision rev (a content of an older revision than the
// newest seen could never serve, and is not kept).
func (r *keptReports) put(rev int64, key reportKey, k *keptReport) {
	if r == nil || rev == models.NoRevision {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if rev > r.rev || len(r.m) >= reportsKept {
		if rev > r.rev {
			r.rev = rev
		}
		r.m = map[reportKey]*keptReport{}
	}
	if rev == r.rev {
		r.m[key] = k
	}
}

// keep renders the report page's content of p, cut where the CSRF token goes.
func (r *keptReports) keep(h *Handler, c echo.Context, rep *models.Report, p *reportPage, title string) (*keptReport, error) {
	// Exactly what the report's content block reads.
	root := struct {
		User   *models.User
		CSRF   string
		Errors map[string]string
		Data   any
	}{userOf(c), r.marker, map[string]string{}, p}
	html, err := h.Views.ContentFor("report", root)
	if err != nil {
		return nil, err
	}
	v := rep.Village
	return &keptReport{title: title, district: v.DistrictCode, street: v.StreetCode, village: v.Code,
		until: rep.OpennessUntil, parts: bytes.Split([]byte(html), []byte(r.marker))}, nil
}

// spliceable tells whether a CSRF token may be put into a kept content as it is:
// only letters, digits, '-' and '_' (base64url, as csrfToken makes it), which
// the template's escaping leaves unchanged.
func spliceable(token string) bool {
	if token == "" {
		return false
	}
	for i := 0; i < len(token); i++ {
		b := token[i]
		if !('a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || b == '-' || b == '_') {
			return false
		}
	}
	return true
}

// renderReport writes a kept report page with the request's CSRF token.
func (h *Handler) renderReport(c echo.Context, k *keptReport, csrf string) error {
	return h.renderKeptParts(c, http.StatusOK, k.title, k.parts, csrf)
}
