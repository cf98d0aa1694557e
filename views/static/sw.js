// cunji's service worker (served as /sw.js, same origin, nothing from outside).
// It keeps the last copy of the pages a cadre fills in (the village page and a
// year's report form) and the CSS/JS, so that the form opens without a network
// once visited. The typing itself is kept by app.js in localStorage. A form sent
// while the network is down is answered here with a page that says, plainly, that
// nothing was saved.
"use strict";
var CACHE = "cunji-pages-v1";
var STATIC = ["/static/app.css", "/static/app.js", "/static/icon.svg"];
var KEPT = /^\/villages\/\d+(\/reports\/\d{4})?$/;

self.addEventListener("install", function (e) {
  e.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(STATIC); }).then(function () { return self.skipWaiting(); }));
});
self.addEventListener("activate", function (e) {
  e.waitUntil(caches.keys().then(function (ks) {
    return Promise.all(ks.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

function page(title, body, status) {
  var html = '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>' + title + ' · 村级进展登记 cunji</title>' +
    '<link rel="stylesheet" href="/static/app.css"></head><body><header class="top"><a class="brand" href="/">村级进展登记</a></header>' +
    '<main><section class="card"><h1>' + title + '</h1>' + body + '</section></main></body></html>';
  return new Response(html, { status: status, headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" } });
}

function sameOrigin(u) {
  try { return new URL(u).origin === self.location.origin; } catch (e) { return false; }
}

self.addEventListener("fetch", function (e) {
  var r = e.request, u = new URL(r.url);
  if (u.origin !== self.location.origin) return;
  var kept = u.pathname.indexOf("/static/") === 0 || (r.mode === "navigate" && KEPT.test(u.pathname));
  if (r.method === "GET" && kept) {
    // Network first: the server's page is the truth; the copy is for no network.
    e.respondWith(fetch(r).then(function (res) {
      if (res.ok && !res.redirected && res.type === "basic") {
        var copy = res.clone();
        caches.open(CACHE).then(function (c) { return c.put(u.pathname, copy); });
      }
      return res;
    }).catch(function () {
      return caches.match(u.pathname).then(function (m) {
        if (!m) return page("没有网络", "<p>没有网络，这一页也还没有在本机保存过，暂时打不开。请联网后重试。</p>", 503);
        // The copy says it is a copy, and loses the message it was shown with
        // (a "草稿已保存" of then must not read as a save now).
        return m.text().then(function (t) {
          t = t.replace(/<p class="flash[^"]*"[^>]*>[\s\S]*?<\/p>/, "").replace("<main>", '<main><p class="notice" role="status">' +
            "没有网络：这是本机保存的页面副本。在这里填写的内容保留在本机，联网后点保存才算保存。</p>");
          return new Response(t, { status: 200, headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" } });
        });
      });
    }));
    return;
  }
  if (r.method === "POST" && r.mode === "navigate") {
    var back = sameOrigin(r.referrer) ? new URL(r.referrer).pathname : "/";
    e.respondWith(fetch(r).catch(function () {
      return page("网络中断，尚未保存",
        '<p class="notice" role="alert">网络中断，刚才的内容<b>尚未保存</b>到系统。</p>' +
        "<p>您填写的内容仍保留在本机浏览器中。网络恢复后，回到表单再点一次保存。</p>" +
        '<p><a class="button" href="' + back.replace(/[^\/0-9a-z]/gi, "") + '">回到表单</a></p>', 503);
    }));
  }
});
