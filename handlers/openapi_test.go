package handlers

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"cunji/docs"
	"cunji/seeds"

	"github.com/labstack/echo/v4"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// specURL names docs/openapi.json for the schema compiler; nothing is fetched.
const specURL = "https://cunji.invalid/openapi.json"

// specResponse is one response of the document: its content, or a $ref to a
// shared one under components/responses.
type specResponse struct {
	Ref     string         `json:"$ref"`
	Content map[string]any `json:"content"`
}

// apiSpec is docs/openapi.json, parsed once, with its response schemas compiled on
// first use.
type apiSpec struct {
	doc struct {
		Paths map[string]map[string]struct {
			Responses map[string]specResponse `json:"responses"`
		} `json:"paths"`
		Components struct {
			Responses map[string]specResponse `json:"responses"`
		} `json:"components"`
	}
	compiler *jsonschema.Compiler
	mu       sync.Mutex
	schemas  map[string]*jsonschema.Schema
}

var loadSpec = sync.OnceValues(func() (*apiSpec, error) {
	s := &apiSpec{compiler: jsonschema.NewCompiler(), schemas: map[string]*jsonschema.Schema{}}
	if err := json.Unmarshal(docs.OpenAPI, &s.doc); err != nil {
		return nil, err
	}
	raw, err := jsonschema.UnmarshalJSON(bytes.NewReader(docs.OpenAPI))
	if err != nil {
		return nil, err
	}
	s.compiler.DefaultDraft(jsonschema.Draft2020)
	if err := s.compiler.AddResource(specURL, raw); err != nil {
		return nil, err
	}
	return s, nil
})

func specFor(t testing.TB) *apiSpec {
	t.Helper()
	s, err := loadSpec()
	if err != nil {
		t.Fatalf("docs/openapi.json: %v", err)
	}
	return s
}

// openAPIPath turns an Echo route ("/api/v1/villages/:code") into the document's
// path ("/villages/{code}"); ok is false outside API v1.
func openAPIPath(route string) (string, bool) {
	p, ok := strings.CutPrefix(route, "/api/v1")
	if !ok || p == "/*" || p == "" {
		return "", false
	}
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, ":") {
			parts[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(parts, "/"), true
}

func pointerEscape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// schema is the compiled JSON schema of one documented response, or nil when the
// document names no JSON body for it; documented is false when the operation or
// the status (nor a default) is not in the document.
func (s *apiSpec) schema(method, path string, status int) (sch *jsonschema.Schema, documented bool, err error) {
	op, ok := s.doc.Paths[path][strings.ToLower(method)]
	if !ok {
		return nil, false, nil
	}
	// The exact status, else its class ("4XX"), else the default.
	code := strconv.Itoa(status)
	res, ok := op.Responses[code]
	for _, c := range []string{code[:1] + "XX", "default"} {
		if !ok {
			code = c
			res, ok = op.Responses[c]
		}
	}
	if !ok {
		return nil, false, nil
	}
	loc := "#/paths/" + pointerEscape(path) + "/" + strings.ToLower(method) + "/responses/" + code
	if name, shared := strings.CutPrefix(res.Ref, "#/components/responses/"); shared {
		loc, res = res.Ref, s.doc.Components.Responses[name]
	}
	if _, ok := res.Content["application/json"]; !ok {
		return nil, true, nil
	}
	loc = specURL + loc + "/content/application~1json/schema"
	s.mu.Lock()
	defer s.mu.Unlock()
	if sch, ok := s.schemas[loc]; ok {
		return sch, true, nil
	}
	sch, err = s.compiler.Compile(loc)
	if err != nil {
		return nil, true, err
	}
	s.schemas[loc] = sch
	return sch, true, nil
}

// checkResponses makes every JSON answer of API v1 that a test provokes match its
// schema in docs/openapi.json: a status the document does not name, or a body that
// breaks its schema, fails the test that sent the request.
func checkResponses(t *testing.T, e *echo.Echo) {
	spec := specFor(t)
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			path, ok := openAPIPath(c.Path())
			if !ok {
				return next(c)
			}
			rec := &bodyRecorder{ResponseWriter: c.Response().Writer}
			c.Response().Writer = rec
			if err := next(c); err != nil {
				c.Error(err)
			}
			method, status := c.Request().Method, c.Response().Status
			sch, documented, err := spec.schema(method, path, status)
			switch {
			case err != nil:
				t.Errorf("openapi.json: schema of %s %s %d: %v", method, path, status, err)
			case !documented:
				t.Errorf("openapi.json does not document %s %s answering %d", method, path, status)
			case sch != nil && strings.HasPrefix(c.Response().Header().Get(echo.HeaderContentType), "application/json"):
				v, err := jsonschema.UnmarshalJSON(bytes.NewReader(rec.body.Bytes()))
				if err == nil {
					err = sch.Validate(v)
				}
				if err != nil {
					body := rec.body.String()
					if len(body) > 600 {
						body = body[:600] + "…"
					}
					t.Errorf("%s %s answered %d with a body that breaks its schema in openapi.json: %v\n%s", method, path, status, err, body)
				}
			}
			return nil
		}
	})
}

// bodyRecorder keeps a copy of what a handler writes.
type bodyRecorder struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (r *bodyRecorder) Write(b []byte) (int, error) {
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}

// TestOpenAPICoversRoutes: every API v1 route registered in Echo is in
// docs/openapi.json, and every operation of the document is a route.
func TestOpenAPICoversRoutes(t *testing.T) {
	en := newEnv(t)
	spec := specFor(t)
	routes := map[string]bool{}
	for _, r := range en.e.Routes() {
		if p, ok := openAPIPath(r.Path); ok {
			routes[strings.ToLower(r.Method)+" "+p] = true
		}
	}
	documented := map[string]bool{}
	for p, ops := range spec.doc.Paths {
		for m := range ops {
			documented[m+" "+p] = true
		}
	}
	var missing, stale []string
	for r := range routes {
		if !documented[r] {
			missing = append(missing, r)
		}
	}
	for d := range documented {
		if !routes[d] {
			stale = append(stale, d)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	if len(missing) > 0 {
		t.Errorf("routes missing from docs/openapi.json:\n  %s", strings.Join(missing, "\n  "))
	}
	if len(stale) > 0 {
		t.Errorf("operations in docs/openapi.json that no route serves:\n  %s", strings.Join(stale, "\n  "))
	}
	if len(routes) < 40 {
		t.Fatalf("only %d API routes found", len(routes))
	}
}

// TestOpenAPIServed: the document is served without login, as JSON, and is the
// embedded file; every operation names its roles.
func TestOpenAPIServed(t *testing.T) {
	en := newEnv(t)
	code, body := en.api("GET", "/api/v1/openapi.json", "", nil)
	if code != http.StatusOK || body["openapi"] != "3.1.0" {
		t.Fatalf("GET /api/v1/openapi.json: %d %v", code, body["openapi"])
	}
	var doc struct {
		Paths map[string]map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(docs.OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	for p, ops := range doc.Paths {
		for m, op := range ops {
			if roles, _ := op["x-roles"].([]any); len(roles) == 0 {
				t.Errorf("%s %s names no roles (x-roles)", m, p)
			}
		}
	}
}

// TestOpenAPIChecksResponses: the response check does fail a test on a body that
// breaks its schema (a village whose code is a number).
func TestOpenAPIChecksResponses(t *testing.T) {
	spec := specFor(t)
	sch, documented, err := spec.schema("GET", "/villages", 200)
	if err != nil || !documented || sch == nil {
		t.Fatalf("schema of GET /villages 200: %v %v %v", sch, documented, err)
	}
	bad, _ := jsonschema.UnmarshalJSON(strings.NewReader(`{"villages":[{"code":331002001201}],"total":1}`))
	if sch.Validate(bad) == nil {
		t.Fatal("a village with a numeric code passed the schema")
	}
	errSch, documented, err := spec.schema("GET", "/villages", 404)
	if err != nil || !documented || errSch == nil {
		t.Fatalf("schema of GET /villages 404: %v %v %v", errSch, documented, err)
	}
	good, _ := jsonschema.UnmarshalJSON(strings.NewReader(`{"error":{"code":"not_found","message":"不存在"}}`))
	if err := errSch.Validate(good); err != nil {
		t.Fatalf("an error body failed the error schema: %v", err)
	}
	if errSch.Validate(bad) == nil {
		t.Fatal("a body without error passed the error schema")
	}
	if _, documented, _ := spec.schema("DELETE", "/villages", 200); documented {
		t.Fatal("an undocumented operation was found")
	}
}

// TestOpenAPIRolesMatchRoutes: the roles the document names for an operation
// (x-roles) are the roles routes.go lets through: every other role gets 403 and
// changes nothing.
func TestOpenAPIRolesMatchRoutes(t *testing.T) {
	en := newEnv(t)
	var doc struct {
		Paths map[string]map[string]struct {
			Roles      []string `json:"x-roles"`
			Parameters []struct {
				Name, In string
				Schema   struct {
					Enum []string `json:"enum"`
				} `json:"schema"`
			} `json:"parameters"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(docs.OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	values := map[string]string{"code": seeds.FixA1, "year": "2025", "id": "1", "username": "v2"}
	who := map[string]string{"village": "v1", "street": "s1", "district": "d"}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			if len(op.Roles) == 1 && op.Roles[0] == "anyone" {
				continue
			}
			url := "/api/v1" + path
			for _, p := range op.Parameters {
				v := values[p.Name]
				if len(p.Schema.Enum) > 0 {
					v = p.Schema.Enum[0]
				}
				url = strings.ReplaceAll(url, "{"+p.Name+"}", v)
			}
			for role, user := range who {
				if slices.Contains(op.Roles, role) {
					continue
				}
				before := en.state()
				code, body := en.api(strings.ToUpper(method), url, en.token(user), "{}")
				if code != http.StatusForbidden {
					t.Errorf("%s %s as %s (not in x-roles %v): %d, want 403 (%v)", method, path, role, op.Roles, code, body)
				}
				if en.state() != before {
					t.Errorf("%s %s as %s changed the state", method, path, role)
				}
			}
		}
	}
}
