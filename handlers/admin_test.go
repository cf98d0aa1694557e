package handlers

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"cunji/models"
	"cunji/seeds"

	"github.com/xuri/excelize/v2"
)

// TestUserManagementScope: a street officer manages the cadres of its own villages
// and nobody else; the district manages everyone of the district.
func TestUserManagementScope(t *testing.T) {
	en := newEnv(t)
	cases := []struct {
		who, method, path string
		body              any
		want              int
	}{
		{"s1", "POST", "/api/v1/users/v4/disable", nil, 404}, // another street's cadre
		{"s1", "POST", "/api/v1/users/v4/reset", nil, 404},
		{"s1", "POST", "/api/v1/users/s2/disable", nil, 404}, // another officer
		{"s1", "POST", "/api/v1/users/d/reset", nil, 404},    // the district
		{"s1", "POST", "/api/v1/users", map[string]any{"username": "new-s", "name": "新街道", "role": "street", "scope": "331002001"}, 403},
		{"s1", "POST", "/api/v1/users", map[string]any{"username": "new-v", "name": "新村干部", "role": "village", "scope": seeds.FixB1}, 422},
		{"v1", "POST", "/api/v1/users/v2/disable", nil, 403},
		{"v1", "GET", "/api/v1/users", nil, 403},
		{"s1", "POST", "/api/v1/users/v1/fly", nil, 404},
	}
	for _, c := range cases {
		before := en.state()
		code, body := en.api(c.method, c.path, en.token(c.who), c.body)
		if code != c.want {
			t.Fatalf("%s %s as %s: %d, want %d (%v)", c.method, c.path, c.who, code, c.want, body)
		}
		errorShape(t, body)
		if en.state() != before {
			t.Fatalf("%s %s as %s changed the state", c.method, c.path, c.who)
		}
	}
	_, list := en.api("GET", "/api/v1/users", en.token("s1"), nil)
	if n := list["total"].(float64); n != 3 { // v1, v2, v3
		t.Fatalf("s1 manages %v accounts", n)
	}
	// The officer disables its own cadre: the cadre's token dies at once.
	tok := en.token("v2")
	if code, _ := en.api("POST", "/api/v1/users/v2/disable", en.token("s1"), nil); code != 200 {
		t.Fatalf("disable: %d", code)
	}
	if code, _ := en.api("GET", "/api/v1/villages", tok, nil); code != 401 {
		t.Fatalf("disabled cadre's token: %d", code)
	}
	if code, _ := en.api("POST", "/api/v1/users/v2/enable", en.token("s1"), nil); code != 200 {
		t.Fatalf("enable: %d", code)
	}
	// A new cadre of its own village, with a one-time password.
	code, u := en.api("POST", "/api/v1/users", en.token("s1"), map[string]any{"username": "new-v", "name": "新村干部", "role": "village", "scope": seeds.FixA1})
	if code != 201 || len(u["one_time_password"].(string)) != 12 || u["must_change_password"] != true {
		t.Fatalf("create: %d %v", code, u)
	}
}

// TestOneTimePassword: a reset password logs in but must be changed before anything
// else; the change ends the one-time token.
func TestOneTimePassword(t *testing.T) {
	en := newEnv(t)
	code, r := en.api("POST", "/api/v1/users/v1/reset", en.token("s1"), nil)
	if code != 200 {
		t.Fatalf("reset: %d %v", code, r)
	}
	otp := r["one_time_password"].(string)
	if code, _ := en.api("POST", "/api/v1/auth/login", "", map[string]any{"username": "v1", "password": seeds.FixturePassword}); code != 401 {
		t.Fatalf("old password after reset: %d", code)
	}
	code, lg := en.api("POST", "/api/v1/auth/login", "", map[string]any{"username": "v1", "password": otp})
	if code != 200 {
		t.Fatalf("login with the one-time password: %d", code)
	}
	tok := lg["token"].(string)
	if code, b := en.api("GET", "/api/v1/villages", tok, nil); code != 403 || !strings.Contains(errorShape(t, b)["message"].(string), "一次性密码") {
		t.Fatalf("before changing: %d %v", code, b)
	}
	if rec := en.page("GET", "/villages/"+seeds.FixA1, tok, nil, false); rec.Code != 303 || rec.Header().Get("Location") != "/password" {
		t.Fatalf("page before changing: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	for _, bad := range []map[string]any{
		{"current": "wrong", "password": "a-good-new-password"},
		{"current": otp, "password": "short"},
		{"current": otp, "password": "v1"},
		{"current": otp, "password": "1234567890"},
	} {
		if code, _ := en.api("POST", "/api/v1/auth/password", tok, bad); code != 422 {
			t.Fatalf("bad change %v: %d", bad, code)
		}
	}
	code, ch := en.api("POST", "/api/v1/auth/password", tok, map[string]any{"current": otp, "password": "a-good-new-password"})
	if code != 200 {
		t.Fatalf("change: %d %v", code, ch)
	}
	if code, _ := en.api("GET", "/api/v1/villages", tok, nil); code != 401 {
		t.Fatalf("the one-time token after the change: %d", code)
	}
	if code, _ := en.api("GET", "/api/v1/villages", ch["token"].(string), nil); code != 200 {
		t.Fatalf("the new token: %d", code)
	}
}

// TestLoginRateLimit: five failures lock the account for a while, even for the
// right password; an unknown account answers the same way; many failures from one
// address lock the address.
func TestLoginRateLimit(t *testing.T) {
	en := newEnv(t)
	login := func(user, pw string) (int, string) {
		code, b := en.api("POST", "/api/v1/auth/login", "", map[string]any{"username": user, "password": pw})
		if code != 200 {
			return code, errorShape(t, b)["message"].(string)
		}
		return code, ""
	}
	for i := 0; i < 4; i++ {
		if code, _ := login("v1", "wrong"); code != 401 {
			t.Fatalf("failure %d: %d", i+1, code)
		}
	}
	_, m1 := login("v1", "wrong") // the fifth locks
	code, m2 := login("v1", seeds.FixturePassword)
	if code != http.StatusTooManyRequests || !strings.Contains(m2, "分钟后再试") {
		t.Fatalf("after five failures, the right password: %d %q (%q)", code, m2, m1)
	}
	// The same for an account that does not exist.
	for i := 0; i < 5; i++ {
		login("nobody", "wrong")
	}
	if code, m := login("nobody", "wrong"); code != http.StatusTooManyRequests || m != m2 {
		t.Fatalf("unknown account: %d %q", code, m)
	}
	// Other accounts from this address still work until the address limit.
	if code, _ := login("v2", seeds.FixturePassword); code != 200 {
		t.Fatalf("another account: %d", code)
	}
	for i := 0; i < 20; i++ {
		login("guess"+string(rune('a'+i)), "wrong")
	}
	if code, _ := login("v4", seeds.FixturePassword); code != http.StatusTooManyRequests {
		t.Fatalf("after 20 failures from one address: %d", code)
	}
	// The page says the same.
	rec := en.page("POST", "/login", "", map[string][]string{"username": {"v4"}, "password": {seeds.FixturePassword}}, true)
	if rec.Code != http.StatusTooManyRequests || !strings.Contains(rec.Body.String(), "分钟后再试") {
		t.Fatalf("page login: %d", rec.Code)
	}
}

func multipartFile(t *testing.T, name string, data []byte) (*bytes.Buffer, string) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	return &body, mw.FormDataContentType()
}

// TestImportAPI: dry run, commit, all-or-nothing and bulk accounts through the API.
func TestImportAPI(t *testing.T) {
	en := newEnv(t)
	post := func(path, who, name string, data []byte) *httptest.ResponseRecorder {
		body, ctype := multipartFile(t, name, data)
		req := httptest.NewRequest("POST", path, body)
		req.Header.Set("Content-Type", ctype)
		req.Header.Set("Authorization", "Bearer "+en.token(who))
		rec := httptest.NewRecorder()
		en.e.ServeHTTP(rec, req)
		return rec
	}
	good := []byte("村代码,村名称,街道代码,村庄类型,起始年度,终止年度\n331002003201,新河村,331002003,整治提升,2000,\n")
	before := en.state()
	if rec := post("/api/v1/import/villages?dry_run=true", "d", "v.csv", good); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"new":["331002003201"]`) {
		t.Fatalf("dry run: %d %s", rec.Code, rec.Body.String())
	}
	if en.state() != before {
		t.Fatal("dry run wrote")
	}
	if rec := post("/api/v1/import/villages?dry_run=true", "s1", "v.csv", good); rec.Code != 403 {
		t.Fatalf("street import: %d", rec.Code)
	}
	bad := []byte("村代码,村名称,街道代码,村庄类型,起始年度,终止年度\n331002003201,新河村,331002003,整治提升,2000,\nabc,坏村,331002003,整治提升,2000,\n331002003202,好村,331002003,整治提升,2000,\n")
	rec := post("/api/v1/import/villages?dry_run=false", "d", "v.csv", bad)
	if rec.Code != 422 || !strings.Contains(rec.Body.String(), `"row":3`) || en.state() != before {
		t.Fatalf("bad row: %d %s", rec.Code, rec.Body.String())
	}
	if rec := post("/api/v1/import/villages?dry_run=false", "d", "v.xlsx", pngBytes); rec.Code != 422 || !strings.Contains(rec.Body.String(), "无法识别") {
		t.Fatalf("a PNG named .xlsx: %d %s", rec.Code, rec.Body.String())
	}
	if rec := post("/api/v1/import/villages?dry_run=false", "d", "v.csv", good); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"committed":true`) {
		t.Fatalf("commit: %d %s", rec.Code, rec.Body.String())
	}
	// Bulk accounts: a sheet of one-time passwords comes back.
	sheet := []byte("用户名,姓名,角色,范围代码,手机\nvillage-a,张三,村干部,331002001201,13800000000\nvillage-b,李四,村,331002001202,\n")
	rec = post("/api/v1/import/users?format=xlsx", "s1", "u.csv", sheet)
	if rec.Code != 200 {
		t.Fatalf("bulk users: %d %s", rec.Code, rec.Body.String())
	}
	f, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows(f.GetSheetName(0))
	if len(rows) != 3 || rows[1][0] != "village-a" || len(rows[1][5]) != 12 {
		t.Fatalf("password sheet = %v", rows)
	}
	code, lg := en.api("POST", "/api/v1/auth/login", "", map[string]any{"username": "village-b", "password": rows[2][5]})
	if code != 200 || lg["user"].(map[string]any)["village_code"] != seeds.FixA2 {
		t.Fatalf("login with a bulk one-time password: %d %v", code, lg)
	}
	// All or nothing: one row outside the officer's street stops the whole sheet.
	before = en.state()
	mixed := []byte("用户名,姓名,角色,范围代码,手机\nvillage-c,王五,村干部,331002001203,\nvillage-d,赵六,村干部," + seeds.FixB1 + ",\n")
	if rec := post("/api/v1/import/users", "s1", "u.csv", mixed); rec.Code != 422 || !strings.Contains(rec.Body.String(), `"row":3`) {
		t.Fatalf("mixed sheet: %d %s", rec.Code, rec.Body.String())
	}
	if en.state() != before {
		t.Fatal("a refused sheet created accounts")
	}
	var n int64
	en.db.Model(&models.User{}).Where("username = ?", "village-c").Count(&n)
	if n != 0 {
		t.Fatal("half an import")
	}
}
