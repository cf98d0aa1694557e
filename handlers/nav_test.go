package handlers

import (
	"regexp"
	"strings"
	"testing"
)

var hrefRe = regexp.MustCompile(`href="(/[^"#?]*)`)

// TestEveryPageLinked: every page a role may open (a GET route of the pages without
// a parameter that answers it 200) is reached by following links from the home page,
// the 菜单 among them; none is reachable only by typing its address. 上报报表 is in
// the 菜单 of the street and the district, not of a cadre.
func TestEveryPageLinked(t *testing.T) {
	en := newEnv(t)
	var pages []string
	for _, r := range en.e.Routes() {
		if r.Method != "GET" || strings.ContainsAny(r.Path, ":*") || strings.HasPrefix(r.Path, "/api") ||
			strings.HasPrefix(r.Path, "/static") || r.Path == "/login" {
			continue
		}
		pages = append(pages, r.Path)
	}
	for _, who := range []string{"d", "s1", "v1"} {
		tok := en.token(who)
		seen := map[string]bool{"/": true}
		queue := []string{"/"}
		for len(queue) > 0 && len(seen) < 400 {
			path := queue[0]
			queue = queue[1:]
			rec := en.page("GET", path, tok, nil, false)
			if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
				continue
			}
			for _, m := range hrefRe.FindAllStringSubmatch(rec.Body.String(), -1) {
				if l := m[1]; !seen[l] && !strings.HasPrefix(l, "/static") && !strings.HasPrefix(l, "/files/") && !strings.HasPrefix(l, "/export/") {
					seen[l] = true
					queue = append(queue, l)
				}
			}
		}
		for _, p := range pages {
			rec := en.page("GET", p, tok, nil, false)
			if rec.Code == 200 && strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") && !seen[p] {
				t.Errorf("%s: %s opens but no page links to it", who, p)
			}
		}
		home := en.page("GET", "/", tok, nil, false).Body.String()
		menu := home[strings.Index(home, "<summary>菜单</summary>"):]
		if has := strings.Contains(menu, `href="/upward"`); has != (who != "v1") {
			t.Errorf("%s: 上报报表 in the 菜单 = %v", who, has)
		}
	}
}
