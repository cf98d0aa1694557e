// cunji pages: small progressive enhancements; every page works without them.
(function () {
  "use strict";
  // Parse 万元 into 分 exactly (as the server does), or null when not a number.
  function fen(s) {
    s = (s || "").trim().replace(/[０-９]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xfee0); })
      .replace(/[,，\s]/g, "").replace("．", ".").replace("－", "-");
    if (s === "") return 0n;
    var m = /^([+-]?)(\d*)(?:\.(\d{0,6}))?$/.exec(s);
    if (!m || (m[2] === "" && !m[3])) return null;
    var v = BigInt(m[2] || "0") * 1000000n + BigInt(((m[3] || "") + "000000").slice(0, 6));
    return m[1] === "-" ? -v : v;
  }
  function wan(f) {
    var neg = f < 0n; if (neg) f = -f;
    var h = (f + 5000n) / 10000n, r = (h % 100n).toString();
    return (neg && h !== 0n ? "-" : "") + (h / 100n).toString() + "." + (r.length < 2 ? "0" + r : r);
  }
  var form = document.getElementById("report-form"), update = null;
  if (form) {
    update = function () {
      var v = {};
      form.querySelectorAll("[data-money]").forEach(function (i) { v[i.dataset.money] = fen(i.value); });
      var parts = ["business", "contract", "investment"], ok = true, op = 0n;
      parts.forEach(function (k) { if (v[k] === null) ok = false; else op += v[k]; });
      var tot = op; ["subsidy", "other"].forEach(function (k) { if (v[k] === null) ok = false; else tot += v[k]; });
      var o = document.getElementById("d-operating"), t = document.getElementById("d-total"), d = document.getElementById("d-verdict");
      if (!ok) { o.textContent = "—"; t.textContent = "—"; d.textContent = "请检查金额格式"; d.className = "bad"; return; }
      o.textContent = wan(op); t.textContent = wan(tot);
      v.operating = op; v.total = tot;
      // Beside every figure: the difference with last year's approved one.
      form.querySelectorAll(".vs[data-for]").forEach(function (p) {
        var cur = v[p.dataset.for], last = BigInt(p.dataset.last), d = p.querySelector(".vs-delta"), r = p.querySelector(".vs-rate");
        if (cur === null || cur === undefined) { d.textContent = "—"; r.textContent = "—"; return; }
        var delta = cur - last, abs = last < 0n ? -last : last;
        d.textContent = (delta > 0n && wan(delta) !== "0.00" ? "+" : "") + wan(delta);
        if (abs === 0n) { r.textContent = "—"; return; }
        var neg = delta < 0n, m = neg ? -delta : delta, q = (m * 2000n / abs + 1n) / 2n;
        r.textContent = (q === 0n ? "" : neg ? "-" : "+") + (q / 10n).toString() + "." + (q % 10n).toString() + "%";
      });
      var meets = op >= 50000000n;
      d.textContent = meets ? "经营性收入达到 50 万元" : "经营性收入未达 50 万元"; d.className = meets ? "ok" : "bad";
      // The flags the form can tell as the cadre types (the 50 万 line, a move past
      // both change thresholds): a note will be needed to submit.
      var need = document.getElementById("note-need");
      if (!need || !form.dataset.changeBp) return;
      var bp = BigInt(form.dataset.changeBp), lim = BigInt(form.dataset.changeFen), why = [];
      form.querySelectorAll(".vs[data-for]").forEach(function (p) {
        var k = p.dataset.for, cur = v[k], last = BigInt(p.dataset.last);
        if (cur === null || cur === undefined || k === "total") return;
        if (k === "operating") { if ((cur >= 50000000n) !== (last >= 50000000n)) why.push("经营性收入跨越 50 万元线"); return; }
        var m = cur - last, a = last < 0n ? -last : last;
        if (m < 0n) m = -m;
        var l = form.querySelector("label[for='" + k + "_wan']");
        if (m > lim && m * 10000n > bp * a && l) why.push(l.textContent.split("（")[0] + "较上年变动大");
      });
      need.hidden = why.length === 0;
      need.textContent = why.length ? "按现在的数字，提交时须在“说明”中写明原因：" + why.join("、") + "。" : "";
    };
    form.addEventListener("input", update);
    // A figure pre-filled from last year stops being marked once the cadre changes it.
    form.addEventListener("input", function (e) { if (e.target.classList) e.target.classList.remove("from-last"); });
  }
  // Typing is never lost: the report form's values are kept in this browser
  // (localStorage, per user, village, year and version) while the cadre types,
  // brought back with a notice after an expired session, a dropped network or a
  // closed tab, and dropped once the server confirms a save (.flash.saved).
  var keepEl = document.querySelector("h1[data-keep]");
  var keep = keepEl && keepEl.dataset.keep ? keepEl.dataset.keep.split("|") : null;
  if (keep && keep.length === 4) {
    var prefix = "cunji:form:" + keep.slice(0, 3).join(":") + ":", key = prefix + keep[3];
    var store = null;
    try { store = window.localStorage; store.getItem(key); } catch (e) { store = null; }
    var drop = function (all) {
      if (!store) return;
      for (var i = store.length - 1; i >= 0; i--) {
        var k = store.key(i);
        if (all ? k.indexOf(prefix) === 0 : k === key) store.removeItem(k);
      }
    };
    if (document.querySelector(".flash.saved")) drop(true);
    if (form) {
      var status = document.getElementById("keep-status"), pending = null;
      var fields = function () {
        return Array.prototype.filter.call(form.elements, function (e) {
          return e.name && e.name !== "csrf" && e.name !== "version" && e.name !== "action" && e.type !== "file";
        });
      };
      var values = function () { var o = {}; fields().forEach(function (e) { o[e.name] = e.value; }); return o; };
      var say = function (msg, bad) { status.textContent = msg; status.hidden = false; status.className = "keep" + (bad ? " bad" : ""); };
      var kept = null;
      try { kept = store && JSON.parse(store.getItem(key) || "null"); } catch (e) { kept = null; }
      if (kept && kept.v) {
        var server = values(), differs = Object.keys(kept.v).some(function (k) { return k in server && server[k] !== kept.v[k]; });
        if (!differs) drop(false);
        else {
          fields().forEach(function (e) {
            if (e.name in kept.v && e.value !== kept.v[e.name]) { e.value = kept.v[e.name]; e.classList.remove("from-last"); }
          });
          if (update) update();
          var n = document.createElement("div");
          n.className = "notice restored";
          n.setAttribute("role", "alert");
          var at = new Date(kept.at || Date.now());
          n.innerHTML = "<p>已恢复您 " + ("0" + at.getHours()).slice(-2) + ":" + ("0" + at.getMinutes()).slice(-2) +
            " 在本机填写、<b>尚未保存</b>的内容。请核对后点「保存草稿」或「保存并提交审核」。</p>";
          var discard = document.createElement("button");
          discard.type = "button";
          discard.textContent = "放弃本机内容";
          discard.addEventListener("click", function () {
            drop(false);
            fields().forEach(function (e) { if (e.name in server) e.value = server[e.name]; });
            if (update) update();
            n.remove();
          });
          n.appendChild(discard);
          form.parentNode.insertBefore(n, form);
        }
      }
      form.addEventListener("input", function () {
        try {
          store.setItem(key, JSON.stringify({ v: values(), at: Date.now() }));
          say(navigator.onLine ? "已在本机保留您填写的内容，尚未保存到系统。" : "没有网络：内容已保留在本机，尚未保存。");
        } catch (e) { say("本浏览器不能在本机保留内容，请尽快保存。", true); }
      });
      form.addEventListener("submit", function (ev) {
        if (navigator.onLine !== false) return;
        ev.preventDefault();
        pending = ev.submitter || null;
        say("没有网络，尚未保存。内容已保留在本机；网络恢复后会自动再保存一次（请不要关闭本页）。", true);
      });
      window.addEventListener("offline", function () { say("网络已断开：内容保留在本机，尚未保存。", true); });
      window.addEventListener("online", function () {
        if (!pending) { say("网络已恢复，请点保存。"); return; }
        var b = pending;
        pending = null;
        say("网络已恢复，正在保存……");
        if (form.requestSubmit) form.requestSubmit(b); else b.click();
      });
    }
  }
  // The service worker keeps visited report forms for a dropped network; on the
  // login page (after a logout) the kept pages of the last person go.
  if ("serviceWorker" in navigator && window.caches) {
    if (document.querySelector("header.top .who")) navigator.serviceWorker.register("/sw.js").catch(function () {});
    else caches.delete("cunji-pages-v1").catch(function () {});
  }
  // Focus the first field in error, so keyboard and screen-reader users land on it.
  var bad = document.querySelector("[aria-invalid=true]");
  if (bad) bad.focus();
  // Uploads show their progress; the answer replaces the page as a normal submit would.
  document.querySelectorAll("form[data-progress]").forEach(function (f) {
    f.addEventListener("submit", function (ev) {
      if (!window.XMLHttpRequest || !window.FormData || !window.DOMParser) return;
      ev.preventDefault();
      var bar = f.querySelector("progress"), txt = f.querySelector(".progress-text");
      var xhr = new XMLHttpRequest();
      xhr.open("POST", f.action);
      bar.hidden = false;
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) { bar.value = Math.round(e.loaded * 100 / e.total); txt.textContent = "上传 " + bar.value + "%"; }
      };
      xhr.upload.onload = function () { bar.removeAttribute("value"); txt.textContent = "正在逐行检查……"; };
      xhr.onload = function () {
        var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
        document.title = doc.title;
        document.body.replaceWith(doc.body);
        window.scrollTo(0, 0);
      };
      xhr.onerror = function () { txt.textContent = "上传失败，请检查网络后重试"; };
      xhr.send(new FormData(f));
    });
  });
  // A table that scrolls sideways can be scrolled from the keyboard too.
  document.querySelectorAll(".scroll:not([tabindex])").forEach(function (d) { d.tabIndex = 0; });
  var all = document.getElementById("check-all");
  if (all) all.addEventListener("change", function () {
    document.querySelectorAll("input[name=item]").forEach(function (c) { c.checked = all.checked; });
  });
})();

// A button marked data-print prints the page (the handout of new accounts).
document.querySelectorAll("button[data-print]").forEach(b => b.addEventListener("click", () => window.print()));
