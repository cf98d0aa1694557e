package main

import (
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// flakyNet stands between the browser and the server: a TCP relay whose network
// can be cut (every connection closed, new ones refused) and restored.
type flakyNet struct {
	ln      net.Listener
	backend string
	mu      sync.Mutex
	down    bool
	conns   map[net.Conn]bool
}

func newFlakyNet(t *testing.T, backend string) *flakyNet {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &flakyNet{ln: ln, backend: backend, conns: map[net.Conn]bool{}}
	t.Cleanup(func() { ln.Close(); f.cut(true) })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			f.mu.Lock()
			if f.down {
				f.mu.Unlock()
				c.Close()
				continue
			}
			f.conns[c] = true
			f.mu.Unlock()
			go f.relay(c)
		}
	}()
	return f
}

func (f *flakyNet) relay(c net.Conn) {
	b, err := net.Dial("tcp", f.backend)
	if err != nil {
		c.Close()
		return
	}
	f.mu.Lock()
	f.conns[b] = true
	f.mu.Unlock()
	go func() { io.Copy(b, c); b.Close() }()
	io.Copy(c, b)
	c.Close()
}

// cut drops the network (every open connection too) or brings it back.
func (f *flakyNet) cut(down bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down = down
	if down {
		for c := range f.conns {
			c.Close()
		}
		f.conns = map[net.Conn]bool{}
	}
}

// TestBrowserTypingKept: on a phone, what the cadre types is never lost. The
// session expires mid-form (the browser drops the cookie): 保存草稿 answers the
// login page saying nothing was saved, the login leads back to the form with the
// typing restored and said so, and a confirmed save drops the kept copy. The
// network drops: 保存 says it is not saved and keeps the typing; the page opens
// again without a network (service worker), with the typing; a form sent into a
// dead network gets a page saying it was not saved; when the network is back,
// the pending save goes through.
func TestBrowserTypingKept(t *testing.T) {
	exec := chromiumPath(t)
	bin := buildBinary(t)
	srv := startDemo(t, bin, "--db", t.TempDir()+"/keep.db")
	netw := newFlakyNet(t, srv.addr)
	base := "http://" + netw.ln.Addr().String()
	village := "331002001201"
	report := base + "/villages/" + village + "/reports/2026"
	cadre := newBrowserSession(t, exec, base, "keep", context.Background())
	cadre.login("village-" + village)
	kept := func() int {
		n, err := chromedp.Run(cadre.ctx, chromedp.Evaluate[int](`Object.keys(localStorage).filter(k => k.startsWith("cunji:form:village-`+village+`:`+village+`:2026:")).length`))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	value := func() string {
		v, err := chromedp.Run(cadre.ctx, chromedp.Evaluate[string](`document.getElementById("business_wan").value`))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	// The first visit installs the service worker; the second is kept by it.
	cadre.do("form", chromedp.Navigate(report), chromedp.WaitVisible(chromedp.CSS("#report-form")))
	if _, err := chromedp.Run(cadre.ctx, chromedp.Evaluate[bool](`navigator.serviceWorker.ready.then(() => true)`, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatalf("service worker: %v", err)
	}
	cadre.do("form-kept", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#report-form")))
	if c, _ := chromedp.Run(cadre.ctx, chromedp.Evaluate[bool](`!!navigator.serviceWorker.controller`)); !c {
		t.Fatal("the service worker does not control the form")
	}

	// 1. The session expires mid-form.
	cadre.do("typed", chromedp.Clear(chromedp.CSS("#business_wan")), chromedp.SendKeys(chromedp.CSS("#business_wan"), "41.25"),
		chromedp.WaitVisible(chromedp.CSS("#keep-status")))
	if s := cadre.text("#keep-status"); !strings.Contains(s, "尚未保存") || kept() != 1 {
		t.Fatalf("while typing: %q, %d kept copies", s, kept())
	}
	if _, err := chromedp.Call(cadre.ctx, network.DeleteCookies, network.DeleteCookiesParams{Name: "cunji_token", URL: base}); err != nil {
		t.Fatal(err)
	}
	cadre.do("expired", chromedp.Click(chromedp.CSS(`button[name=action][value=save]`)), chromedp.WaitVisible(chromedp.CSS("#username")))
	if s := cadre.text("main"); !strings.Contains(s, "尚未保存") || strings.Contains(s, "返回首页") {
		t.Fatalf("the login after an expired session: %q", s)
	}
	cadre.do("login-again",
		chromedp.SendKeys(chromedp.CSS("#username"), "village-"+village), chromedp.SendKeys(chromedp.CSS("#password"), "cunji-demo"),
		chromedp.Submit(chromedp.CSS("#password")), chromedp.WaitVisible(chromedp.CSS(".notice.restored")))
	if v := value(); v != "41.25" {
		t.Fatalf("after the login the form holds %q, want the typed 41.25", v)
	}
	if s := cadre.text(".notice.restored"); !strings.Contains(s, "尚未保存") {
		t.Fatalf("restored notice: %q", s)
	}
	cadre.do("saved", chromedp.Click(chromedp.CSS(`button[name=action][value=save]`)), chromedp.WaitVisible(chromedp.CSS(".flash.saved")))
	if v, n := value(), kept(); v != "41.25" || n != 0 {
		t.Fatalf("after the save: %q on the form, %d kept copies (want 41.25, 0)", v, n)
	}

	// 2. The network drops while the cadre types: nothing claims to be saved.
	offline := func(off bool) {
		netw.cut(off)
		if _, err := chromedp.Call(cadre.ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: off, DownloadThroughput: -1, UploadThroughput: -1}); err != nil {
			t.Fatal(err)
		}
	}
	cadre.do("typed-2", chromedp.Clear(chromedp.CSS("#business_wan")), chromedp.SendKeys(chromedp.CSS("#business_wan"), "42.5"))
	offline(true)
	cadre.do("offline-save", chromedp.Click(chromedp.CSS(`button[name=action][value=save]`)), chromedp.WaitVisible(chromedp.CSS("#keep-status.bad")))
	if s := cadre.text("#keep-status"); !strings.Contains(s, "尚未保存") {
		t.Fatalf("saving offline says %q", s)
	}
	// The form opens again without a network, with the typing.
	cadre.do("offline-reopen", chromedp.Navigate(report), chromedp.WaitVisible(chromedp.CSS(".notice.restored")))
	if v := value(); v != "42.5" {
		t.Fatalf("reopened offline: %q, want 42.5", v)
	}
	// A form sent into a dead network (the phone thinks it is online): the service
	// worker's page says it was not saved, and leads back to the form.
	netw.cut(true)
	if _, err := chromedp.Call(cadre.ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: false, DownloadThroughput: -1, UploadThroughput: -1}); err != nil {
		t.Fatal(err)
	}
	cadre.do("dead-network", chromedp.Click(chromedp.CSS(`button[name=action][value=save]`)), chromedp.WaitVisible(chromedp.CSS("main h1")))
	if s := cadre.text("main"); !strings.Contains(s, "尚未保存") {
		t.Fatalf("a form sent into a dead network: %q", s)
	}
	cadre.do("back-to-form", chromedp.Click(chromedp.CSS("main a.button")), chromedp.WaitVisible(chromedp.CSS(".notice.restored")))
	if v := value(); v != "42.5" {
		t.Fatalf("back at the form: %q, want 42.5", v)
	}
	// Offline again, 保存 waits; when the network returns the save goes through.
	offline(true)
	cadre.do("pending", chromedp.Click(chromedp.CSS(`button[name=action][value=save]`)), chromedp.WaitVisible(chromedp.CSS("#keep-status.bad")))
	offline(false)
	cadre.do("back-online", chromedp.WaitVisible(chromedp.CSS(".flash.saved")))
	if v, n := value(), kept(); v != "42.5" || n != 0 {
		t.Fatalf("after the network returned: %q on the form, %d kept copies (want 42.5, 0)", v, n)
	}
	cadre.noProblems("ERR_INTERNET_DISCONNECTED", "ERR_CONNECTION", "ERR_EMPTY_RESPONSE", "ERR_FAILED", "ERR_SOCKET_NOT_CONNECTED", "favicon.ico", "status of 401", "status of 503", "Failed to fetch")
}
