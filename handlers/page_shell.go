package handlers

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"html/template"
	"io"
	"strconv"
	"sync"

	"cunji/views"

	"github.com/labstack/echo/v4"
)

// pageShells keeps the layout around a page content rendered before
// (views.Prerendered): the page before and after its content, for each title,
// account, CSRF token and demo banner (all the layout shows), so that serving a
// kept content renders no template. A page with a flash message is rendered
// whole. When full it starts afresh.
type pageShells struct {
	mu sync.Mutex
	m  map[shellKey]shell
	// marker stands for the content while a shell is rendered: random, so that
	// no text shown in the layout (an account's name, say) can hold it.
	marker []byte
}

type shellKey struct {
	title, csrf                                            string
	id                                                     uint
	username, name, role, district, street, village, phone string
	tokenVersion                                           int
	disabled, accountDemo, mustChangePassword, demo        bool
}

type shell struct{ before, after []byte }

// shellsKept bounds pageShells (a few kilobytes each).
const shellsKept = 1024

func newPageShells() *pageShells {
	b := make([]byte, 16)
	rand.Read(b)
	return &pageShells{m: map[shellKey]shell{}, marker: []byte("cunji-content-" + hex.EncodeToString(b))}
}

// renderKept writes a page around content rendered before (views.Content), as
// render(c, status, views.Prerendered, title, content, nil) would.
func (h *Handler) renderKept(c echo.Context, status int, title string, content template.HTML) error {
	return h.renderKeptParts(c, status, title, [][]byte{[]byte(content)}, "")
}

// renderKeptParts is renderKept of the content made of parts with sep between
// each two (the request's CSRF token, say), written piece by piece.
func (h *Handler) renderKeptParts(c echo.Context, status int, title string, parts [][]byte, sep string) error {
	pd := h.pageData(c, title, nil, nil)
	if pd.Flash != "" || pd.User == nil || h.shells == nil {
		pd.Data = template.HTML(bytes.Join(parts, []byte(sep)))
		return h.renderPage(c, status, views.Prerendered, pd)
	}
	u := pd.User
	key := shellKey{title: pd.Title, csrf: pd.CSRF, id: u.ID, username: u.Username, name: u.Name, role: u.Role,
		district: u.DistrictCode, street: u.StreetCode, village: u.VillageCode, phone: u.Phone, tokenVersion: u.TokenVersion,
		disabled: u.Disabled, accountDemo: u.Demo, mustChangePassword: u.MustChangePassword, demo: pd.Demo}
	sh, err := h.shells.get(h, key, pd)
	if err != nil {
		return err
	}
	n := len(sh.before) + len(sh.after) + len(sep)*(len(parts)-1)
	for _, p := range parts {
		n += len(p)
	}
	res := c.Response()
	res.Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	res.Header().Set(echo.HeaderContentLength, strconv.Itoa(n))
	res.WriteHeader(status)
	// Written in pieces, nothing copied: the connection's buffered writer gathers
	// them.
	if _, err := res.Write(sh.before); err != nil {
		return err
	}
	for i, p := range parts {
		if i > 0 {
			if _, err := io.WriteString(res, sep); err != nil {
				return err
			}
		}
		if _, err := res.Write(p); err != nil {
			return err
		}
	}
	_, err = res.Write(sh.after)
	return err
}

// get is the shell of key, rendered from pd (its data and request id left out:
// the layout must not show them) when not kept yet.
func (s *pageShells) get(h *Handler, key shellKey, pd PageData) (shell, error) {
	s.mu.Lock()
	sh, ok := s.m[key]
	s.mu.Unlock()
	if ok {
		return sh, nil
	}
	pd.Data, pd.RequestID = template.HTML(s.marker), ""
	var buf bytes.Buffer
	if err := h.Views.Render(&buf, views.Prerendered, pd); err != nil {
		return shell{}, err
	}
	before, after, found := bytes.Cut(buf.Bytes(), s.marker)
	if !found || bytes.Contains(after, s.marker) {
		return shell{}, errors.New("page layout without its content, or with it twice")
	}
	sh = shell{before, after}
	s.mu.Lock()
	if len(s.m) >= shellsKept {
		s.m = map[shellKey]shell{}
	}
	s.m[key] = sh
	s.mu.Unlock()
	return sh, nil
}
