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
  var form = document.getElementById("report-form");
  if (form) {
    var update = function () {
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
    };
    form.addEventListener("input", update);
    // A figure pre-filled from last year stops being marked once the cadre changes it.
    form.addEventListener("input", function (e) { if (e.target.classList) e.target.classList.remove("from-last"); });
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
  var all = document.getElementById("check-all");
  if (all) all.addEventListener("change", function () {
    document.querySelectorAll("input[name=item]").forEach(function (c) { c.checked = all.checked; });
  });
})();
