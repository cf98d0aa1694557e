package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"cunji/models"
	"cunji/seeds"

	"github.com/golang-jwt/jwt/v5"
)

// forged builds tokens that must never be accepted.
func forged(en *env) map[string]string {
	u := en.users["d"]
	good := func(exp time.Time) claims {
		return claims{TokenVersion: 1, RegisteredClaims: jwt.RegisteredClaims{Subject: strconv.Itoa(int(u.ID)),
			IssuedAt: jwt.NewNumericDate(exp.Add(-time.Hour)), ExpiresAt: jwt.NewNumericDate(exp), Issuer: "cunji"}}
	}
	sign := func(m jwt.SigningMethod, c claims, key any) string {
		s, err := jwt.NewWithClaims(m, c).SignedString(key)
		if err != nil {
			en.t.Fatal(err)
		}
		return s
	}
	future := time.Now().Add(time.Hour)
	noExp := good(future)
	noExp.ExpiresAt = nil
	return map[string]string{
		"garbage":       "not.a.token",
		"expired":       sign(jwt.SigningMethodHS256, good(time.Now().Add(-time.Minute)), en.h.Secret),
		"other key":     sign(jwt.SigningMethodHS256, good(future), []byte("another-secret-0123456789-0123456789")),
		"alg none":      sign(jwt.SigningMethodNone, good(future), jwt.UnsafeAllowNoneSignatureType),
		"HS512":         sign(jwt.SigningMethodHS512, good(future), en.h.Secret),
		"no expiry":     sign(jwt.SigningMethodHS256, noExp, en.h.Secret),
		"old version":   sign(jwt.SigningMethodHS256, claims{TokenVersion: 0, RegisteredClaims: good(future).RegisteredClaims}, en.h.Secret),
		"unknown user":  sign(jwt.SigningMethodHS256, claims{TokenVersion: 1, RegisteredClaims: jwt.RegisteredClaims{Subject: "9999", ExpiresAt: jwt.NewNumericDate(future), Issuer: "cunji"}}, en.h.Secret),
		"other issuer":  sign(jwt.SigningMethodHS256, claims{TokenVersion: 1, RegisteredClaims: jwt.RegisteredClaims{Subject: strconv.Itoa(int(u.ID)), ExpiresAt: jwt.NewNumericDate(future), Issuer: "x"}}, en.h.Secret),
		"no token":      "",
		"empty subject": sign(jwt.SigningMethodHS256, claims{TokenVersion: 1, RegisteredClaims: jwt.RegisteredClaims{ExpiresAt: jwt.NewNumericDate(future), Issuer: "cunji"}}, en.h.Secret),
	}
}

// matrixSetup leaves 甲村 2025 submitted (so approve/reject would succeed for its
// officer) and 乙村 2025 as a draft.
func matrixSetup(t *testing.T) *env {
	en := newEnv(t)
	v1, v2 := en.actor("v1"), en.actor("v2")
	six := int64(60_000_000)
	if _, err := models.SaveDraft(en.db, v1, seeds.FixA1, 2025, models.ReportInput{BusinessFen: &six}); err != nil {
		t.Fatal(err)
	}
	if _, err := models.Submit(en.db, v1, seeds.FixA1, 2025, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := models.SaveDraft(en.db, v2, seeds.FixA2, 2025, models.ReportInput{BusinessFen: &six}); err != nil {
		t.Fatal(err)
	}
	// Workshop 1 of 甲村, submitted; workshop 2 of 乙村, a draft.
	name, kind, state := "竹编工坊", "来料加工", "运营"
	w1, err := models.CreateWorkshop(en.db, v1, seeds.FixA1, models.WorkshopInput{Name: &name, Type: &kind, State: &state})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.SubmitWorkshop(en.db, v1, w1.Workshop.ID, nil); err != nil {
		t.Fatal(err)
	}
	w2, err := models.CreateWorkshop(en.db, v2, seeds.FixA2, models.WorkshopInput{Name: &name, Type: &kind, State: &state})
	if err != nil {
		t.Fatal(err)
	}
	if w1.Workshop.ID != 1 || w2.Workshop.ID != 2 {
		t.Fatalf("workshop ids %d, %d: the routes below name 1 and 2", w1.Workshop.ID, w2.Workshop.ID)
	}
	// Company 1: 甲村 holds 60%.
	co, err := models.CreateCompany(en.db, en.actor("d"), models.CompanyInput{Name: "海门强村公司", CreditCode: "91110108551385082Q",
		Model: "资产经营型", FoundedOn: "2023-01-01"}, []models.MemberInput{{VillageCode: seeds.FixA1, ShareMicro: 600_000, FromYear: 2023}})
	if err != nil || co.ID != 1 {
		t.Fatalf("company: %v %v", co, err)
	}
	return en
}

type route struct {
	method, path string
	body         any
}

var (
	a1        = "/api/v1/villages/" + seeds.FixA1
	a1Report  = a1 + "/reports/2025"
	a2Report  = "/api/v1/villages/" + seeds.FixA2 + "/reports/2025"
	apiRoutes = map[string]route{
		"list":     {"GET", "/api/v1/villages", nil},
		"village":  {"GET", a1, nil},
		"report":   {"GET", a1Report, nil},
		"save":     {"PUT", a2Report, map[string]any{"business_fen": 1, "version": 1}},
		"submit":   {"POST", a2Report + "/submit", nil},
		"approve":  {"POST", a1Report + "/approve", nil},
		"reject":   {"POST", a1Report + "/reject", map[string]any{"reason": "不符"}},
		"withdraw": {"POST", a1Report + "/withdraw", map[string]any{"version": 2}},
		"rollup":   {"GET", "/api/v1/rollup?year=2025", nil},
		"audit":    {"GET", "/api/v1/audit", nil},
		"vcreate":  {"POST", "/api/v1/villages", map[string]any{"code": "331002002299", "name": "新村", "type": "整治提升"}},
		"vupdate":  {"PUT", a1, map[string]any{"name": "改名村"}},
		"v-other":  {"GET", "/api/v1/villages/" + seeds.FixB1, nil},
		"r-other":  {"GET", "/api/v1/villages/" + seeds.FixB1 + "/reports/2025", nil},
		"rollup-b": {"GET", "/api/v1/rollup?year=2025&street=331002002", nil},
		"trend":    {"GET", "/api/v1/trend?indicator=income_50w", nil},
		"ranking":  {"GET", "/api/v1/ranking?year=2025", nil},
		"complete": {"GET", "/api/v1/completeness?year=2025", nil},
		"sprint":   {"GET", "/api/v1/lists/sprint?year=2025", nil},
		"window":   {"PUT", "/api/v1/windows/2025", map[string]any{"opens": "2026-01-01T00:00:00+08:00", "closes": "2026-03-31T17:00:00+08:00"}},
		"except":   {"POST", a1 + "/exceptions", map[string]any{"year": 2025, "until": "2027-01-01T00:00:00+08:00", "reason": "换届"}},
		"export":   {"GET", "/api/v1/rollup?year=2025&format=csv", nil},
		"wsubmit":  {"POST", "/api/v1/workshops/2/submit", map[string]any{"version": 1}},
		"wapprove": {"POST", "/api/v1/workshops/1/approve", nil},
		"wreject":  {"POST", "/api/v1/workshops/1/reject", map[string]any{"reason": "不符"}},
		"udisable": {"POST", "/api/v1/users/v2/disable", nil},
		"uenable":  {"POST", "/api/v1/users/v3/enable", nil},
		"ureset":   {"POST", "/api/v1/users/v1/reset", nil},
		"flagsget": {"GET", "/api/v1/settings/flags", nil},
		"flagsput": {"PUT", "/api/v1/settings/flags", map[string]any{"change_bp": 2500}},
		"wscreate": {"POST", "/api/v1/workshops", map[string]any{"name": "园区工坊", "type": "来料加工", "state": "运营",
			"site": "园区", "site_name": "工业园区"}},
		"cshare": {"PUT", "/api/v1/companies/1/shareholders", map[string]any{"version": 1,
			"shareholders": []any{map[string]any{"name": "区国资公司", "kind": "国资", "share": 40, "from_year": 2023}}}},
	}
	// The routes of a workshop's open version and of an account, by identity.
	apiActionWant = map[string]map[string]int{
		"v1": {"withdraw": 0, "wsubmit": 404, "wapprove": 403, "wreject": 403, "udisable": 403, "uenable": 403, "ureset": 403},
		"v2": {"withdraw": 404, "wsubmit": 0, "wapprove": 403, "wreject": 403, "udisable": 403, "uenable": 403, "ureset": 403},
		"v4": {"withdraw": 404, "wsubmit": 404, "wapprove": 403, "wreject": 403, "udisable": 403, "uenable": 403, "ureset": 403},
		"s1": {"withdraw": 403, "wsubmit": 403, "wapprove": 0, "wreject": 0, "udisable": 0, "uenable": 0, "ureset": 0},
		"s2": {"withdraw": 403, "wsubmit": 403, "wapprove": 404, "wreject": 404, "udisable": 404, "uenable": 404, "ureset": 404},
		"d":  {"withdraw": 403, "wsubmit": 403, "wapprove": 403, "wreject": 403, "udisable": 0, "uenable": 0, "ureset": 0},
	}
	// A company's other shareholders: the district, and the officer of its members' street.
	companyWant = map[string]int{"v1": 403, "v2": 403, "v4": 403, "s1": 0, "s2": 404, "d": 0}
	// A workshop in a 园区, registered under its street: a street's officer, for its own street.
	streetShopWant = map[string]int{"v1": 403, "v2": 403, "v4": 403, "s1": 0, "s2": 0, "d": 403}
)

// TestAPIRoleMatrix: every API route × every identity. A refusal (401, 403, 404)
// must change nothing; a permitted read answers 200.
func TestAPIRoleMatrix(t *testing.T) {
	// Expected status by identity, for each route. 0 means "permitted" (checked
	// below, in a fresh database, since it may change things).
	want := map[string]map[string]int{
		"v1": {"list": 200, "village": 200, "report": 200, "save": 404, "submit": 404, "approve": 403, "reject": 403,
			"rollup": 403, "audit": 200, "vcreate": 403, "vupdate": 403, "v-other": 404, "r-other": 404, "rollup-b": 403,
			"trend": 403, "ranking": 403, "complete": 403, "sprint": 403, "window": 403, "except": 403, "export": 403, "flagsget": 403, "flagsput": 403},
		"v2": {"list": 200, "village": 404, "report": 404, "save": 0, "submit": 0, "approve": 403, "reject": 403,
			"rollup": 403, "audit": 200, "vcreate": 403, "vupdate": 403, "v-other": 404, "r-other": 404, "rollup-b": 403,
			"trend": 403, "ranking": 403, "complete": 403, "sprint": 403, "window": 403, "except": 403, "export": 403, "flagsget": 403, "flagsput": 403},
		"v4": {"list": 200, "village": 404, "report": 404, "save": 404, "submit": 404, "approve": 403, "reject": 403,
			"rollup": 403, "audit": 200, "vcreate": 403, "vupdate": 403, "v-other": 200, "r-other": 200, "rollup-b": 403,
			"trend": 403, "ranking": 403, "complete": 403, "sprint": 403, "window": 403, "except": 403, "export": 403, "flagsget": 403, "flagsput": 403},
		"s1": {"list": 200, "village": 200, "report": 200, "save": 403, "submit": 403, "approve": 0, "reject": 0,
			"rollup": 200, "audit": 200, "vcreate": 403, "vupdate": 403, "v-other": 404, "r-other": 404, "rollup-b": 404,
			"trend": 200, "ranking": 403, "complete": 200, "sprint": 200, "window": 403, "except": 403, "export": 200, "flagsget": 200, "flagsput": 403},
		"s2": {"list": 200, "village": 404, "report": 404, "save": 403, "submit": 403, "approve": 404, "reject": 404,
			"rollup": 200, "audit": 200, "vcreate": 403, "vupdate": 403, "v-other": 200, "r-other": 200, "rollup-b": 200,
			"trend": 200, "ranking": 403, "complete": 200, "sprint": 200, "window": 403, "except": 403, "export": 200, "flagsget": 200, "flagsput": 403},
		"d": {"list": 200, "village": 200, "report": 200, "save": 403, "submit": 403, "approve": 403, "reject": 403,
			"rollup": 200, "audit": 200, "vcreate": 0, "vupdate": 0, "v-other": 200, "r-other": 200, "rollup-b": 200,
			"trend": 200, "ranking": 200, "complete": 200, "sprint": 200, "window": 0, "except": 0, "export": 200, "flagsget": 200, "flagsput": 0},
	}
	for who, codes := range apiActionWant {
		for name, code := range codes {
			want[who][name] = code
		}
	}
	for who, code := range companyWant {
		want[who]["cshare"] = code
		want[who]["wscreate"] = streetShopWant[who]
	}
	en := matrixSetup(t)
	bad := forged(en)
	for name, r := range apiRoutes {
		for label, tok := range bad {
			t.Run(name+"/"+label, func(t *testing.T) {
				before := en.state()
				code, body := en.api(r.method, r.path, tok, r.body)
				if code != http.StatusUnauthorized {
					t.Fatalf("%s %s with %s: %d, want 401", r.method, r.path, label, code)
				}
				errorShape(t, body)
				if en.state() != before {
					t.Fatal("state changed")
				}
			})
		}
		for who, codes := range want {
			exp := codes[name]
			if exp == 0 {
				continue
			}
			t.Run(name+"/"+who, func(t *testing.T) {
				before := en.state()
				code, body := en.api(r.method, r.path, en.token(who), r.body)
				if code != exp {
					t.Fatalf("%s %s as %s: %d, want %d (%v)", r.method, r.path, who, code, exp, body)
				}
				if code >= 400 {
					errorShape(t, body)
				}
				if en.state() != before {
					t.Fatal("state changed")
				}
			})
		}
	}
	// The permitted writes, each in a fresh database.
	for who, codes := range want {
		for name, exp := range codes {
			if exp != 0 {
				continue
			}
			t.Run("permitted/"+name+"/"+who, func(t *testing.T) {
				en := matrixSetup(t)
				r := apiRoutes[name]
				before := en.state()
				code, body := en.api(r.method, r.path, en.token(who), r.body)
				if code != 200 && code != 201 {
					t.Fatalf("%s %s as %s: %d (%v)", r.method, r.path, who, code, body)
				}
				if en.state() == before {
					t.Fatal("a permitted write changed nothing")
				}
			})
		}
	}
}

// TestPageRoleMatrix: the same for the pages, with the session cookie and a valid
// CSRF token, so that only the role and the scope decide.
func TestPageRoleMatrix(t *testing.T) {
	p1 := "/villages/" + seeds.FixA1
	r1 := p1 + "/reports/2025"
	r2 := "/villages/" + seeds.FixA2 + "/reports/2025"
	saveForm := url.Values{"version": {"1"}, "star_rating": {"1"}, "business_wan": {"60"}}
	type pr struct {
		method, path string
		form         url.Values
	}
	routes := map[string]pr{
		"village": {"GET", p1, nil}, "report": {"GET", r1, nil},
		"save": {"POST", r2, saveForm}, "submit": {"POST", r2 + "/submit", nil},
		"withdraw": {"POST", r1 + "/withdraw", url.Values{"version": {"2"}}},
		"approve":  {"POST", r1 + "/approve", nil}, "reject": {"POST", r1 + "/reject", url.Values{"reason": {"不符"}}},
		"bulk":  {"POST", "/queue/approve", url.Values{"item": {seeds.FixA1 + "/2025/2"}, "confirm": {"1"}}},
		"queue": {"GET", "/queue", nil}, "rollup": {"GET", "/rollup?year=2025", nil}, "list": {"GET", "/villages", nil},
		"audit": {"GET", "/audit", nil}, "vnew": {"GET", "/villages/new", nil},
		"vcreate": {"POST", "/villages/new", url.Values{"code": {"331002002299"}, "name": {"新村"}, "street_code": {"331002002"},
			"type": {"整治提升"}, "active_from": {"2023"}}},
		"vedit":   {"GET", p1 + "/edit", nil},
		"vupdate": {"POST", p1 + "/edit", url.Values{"name": {"改名村"}, "street_code": {"331002001"}, "type": {"城郊融合"}, "active_from": {"2000"}}},
		"targets": {"GET", "/targets", nil},
		"target":  {"POST", "/targets", url.Values{"scope_code": {"331002"}, "indicator": {"income_50w"}, "year": {"2026"}, "value": {"80"}}},
		"wcreate": {"POST", "/villages/" + seeds.FixA1 + "/workshops/new", url.Values{"name": {"竹编工坊"}, "type": {"来料加工"},
			"state": {"运营"}, "employed": {"10"}, "low_income_employed": {"2"}, "avg_income_increase": {"1500"}}},
		"ccreate": {"POST", "/companies/new", url.Values{"name": {"甲村公司"}, "credit_code": {"91350100M000100Y43"}, "model": {"资产经营型"},
			"founded_on": {"2023-01-01"}, "capital": {"100"}, "members": {seeds.FixA1 + " 100 2023"}}},
		"wlist": {"GET", "/workshops", nil}, "clist": {"GET", "/companies", nil},
		"wsubmit":  {"POST", "/workshops/2/submit", url.Values{"version": {"1"}}},
		"wapprove": {"POST", "/workshops/1/approve", nil},
		"wreject":  {"POST", "/workshops/1/reject", url.Values{"reason": {"不符"}}},
		"udisable": {"POST", "/users/v2/disable", nil}, "uenable": {"POST", "/users/v3/enable", nil},
		"ureset":   {"POST", "/users/v1/reset", nil},
		"flagsave": {"POST", "/windows/flags", url.Values{"change_bp": {"25"}, "change_fen": {"8"}, "median_k100": {"2.5"}}},
		"overdue":  {"GET", "/overdue", nil},
		"cshare":   {"POST", "/companies/1/shareholders", url.Values{"version": {"1"}, "shareholders": {"区国资公司 国资 40 2023"}}},
		"wsnew":    {"GET", "/workshops/new", nil},
		"wscreate": {"POST", "/workshops/new", url.Values{"name": {"园区工坊"}, "type": {"来料加工"}, "state": {"运营"},
			"employed": {"10"}, "low_income_employed": {"2"}, "avg_income_increase": {"1500"}, "site": {"园区"}, "site_name": {"工业园区"}}},
	}
	// A permitted write answers 303, except a reset, which shows the one-time password.
	permitted := map[string]int{"ureset": http.StatusOK}
	// 0: permitted (a write, checked in a fresh database); 303: a redirect.
	want := map[string]map[string]int{
		"v1": {"village": 200, "report": 200, "save": 404, "submit": 404, "approve": 403, "reject": 403, "bulk": 403,
			"queue": 403, "rollup": 403, "list": 403, "audit": 403, "vnew": 403, "vcreate": 403, "vedit": 403, "vupdate": 403,
			"targets": 403, "target": 403,
			"wcreate": 0, "ccreate": 403, "wlist": 403, "clist": 403, "flagsave": 403, "overdue": 403},
		"v2": {"village": 404, "report": 404, "save": 0, "submit": 0, "approve": 403, "reject": 403, "bulk": 403,
			"queue": 403, "rollup": 403, "list": 403, "audit": 403, "vnew": 403, "vcreate": 403, "vedit": 403, "vupdate": 403,
			"targets": 403, "target": 403,
			"wcreate": 404, "ccreate": 403, "wlist": 403, "clist": 403, "flagsave": 403, "overdue": 403},
		"s1": {"village": 200, "report": 200, "save": 403, "submit": 403, "approve": 0, "reject": 0, "bulk": 0,
			"queue": 200, "rollup": 200, "list": 200, "audit": 200, "vnew": 403, "vcreate": 403, "vedit": 403, "vupdate": 403,
			"targets": 403, "target": 403,
			"wcreate": 403, "ccreate": 0, "wlist": 200, "clist": 200, "flagsave": 403, "overdue": 200},
		"s2": {"village": 404, "report": 404, "save": 403, "submit": 403, "approve": 404, "reject": 404, "bulk": 409,
			"queue": 200, "rollup": 200, "list": 200, "audit": 200, "vnew": 403, "vcreate": 403, "vedit": 403, "vupdate": 403,
			"targets": 403, "target": 403,
			"wcreate": 403, "ccreate": 422, "wlist": 200, "clist": 200, "flagsave": 403, "overdue": 200},
		"d": {"village": 200, "report": 200, "save": 403, "submit": 403, "approve": 403, "reject": 403, "bulk": 403,
			"queue": 403, "rollup": 200, "list": 200, "audit": 200, "vnew": 200, "vcreate": 0, "vedit": 200, "vupdate": 0,
			"targets": 200, "target": 0,
			"wcreate": 403, "ccreate": 0, "wlist": 200, "clist": 200, "flagsave": 0, "overdue": 200},
	}
	for who, codes := range apiActionWant {
		if _, ok := want[who]; !ok {
			continue
		}
		for name, code := range codes {
			want[who][name] = code
		}
		want[who]["cshare"] = companyWant[who]
		want[who]["wscreate"] = streetShopWant[who]
		want[who]["wsnew"] = map[bool]int{true: 200, false: 403}[who == "s1" || who == "s2"]
	}
	en := matrixSetup(t)
	for name, r := range routes {
		t.Run(name+"/anonymous", func(t *testing.T) {
			before := en.state()
			rec := en.page(r.method, r.path, "", r.form, true)
			if r.method == "GET" && (rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/login") {
				t.Fatalf("anonymous GET %s: %d → %s", r.path, rec.Code, rec.Header().Get("Location"))
			}
			if r.method == "POST" && rec.Code != http.StatusUnauthorized {
				t.Fatalf("anonymous POST %s: %d", r.path, rec.Code)
			}
			if en.state() != before {
				t.Fatal("state changed")
			}
		})
		if r.method == "POST" {
			t.Run(name+"/no-csrf", func(t *testing.T) {
				before := en.state()
				if rec := en.page(r.method, r.path, en.token("d"), r.form, false); rec.Code != http.StatusForbidden {
					t.Fatalf("POST %s without CSRF token: %d", r.path, rec.Code)
				}
				if en.state() != before {
					t.Fatal("state changed")
				}
			})
		}
		for who, codes := range want {
			exp := codes[name]
			if exp == 0 {
				continue
			}
			t.Run(name+"/"+who, func(t *testing.T) {
				before := en.state()
				rec := en.page(r.method, r.path, en.token(who), r.form, true)
				if rec.Code != exp {
					t.Fatalf("%s %s as %s: %d, want %d", r.method, r.path, who, rec.Code, exp)
				}
				if en.state() != before {
					t.Fatal("state changed")
				}
			})
		}
	}
	for who, codes := range want {
		for name, exp := range codes {
			if exp != 0 {
				continue
			}
			t.Run("permitted/"+name+"/"+who, func(t *testing.T) {
				en := matrixSetup(t)
				r := routes[name]
				before := en.state()
				rec := en.page(r.method, r.path, en.token(who), r.form, true)
				if rec.Code != http.StatusSeeOther && rec.Code != permitted[name] {
					t.Fatalf("%s %s as %s: %d: %s", r.method, r.path, who, rec.Code, rec.Body.String())
				}
				if en.state() == before {
					t.Fatal("a permitted write changed nothing")
				}
			})
		}
	}
}
