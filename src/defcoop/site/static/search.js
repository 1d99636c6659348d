// Search as you type and filters by partner, kind, status and year, on the entity list
// and the timeline. The index is the script search-index.js written by defcoop site
// (window.DEFCOOP_INDEX): nothing is fetched, so this works from file:// as well.
(function () {
  "use strict";
  var root = document.documentElement.getAttribute("data-root") || "";

  function fold(s) {
    return String(s).toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }
  // How well an entry matches (lower is better), or -1: its name, a label, a word of a
  // label, part of a label, an alternative label, a quote of the letter.
  function score(entry, q) {
    var labels = [fold(entry.en), fold(entry.nl)], best = -1;
    function take(s) { if (best < 0 || s < best) { best = s; } }
    if (fold(entry.key) === q || labels.indexOf(q) >= 0) { take(0); }
    labels.forEach(function (l) {
      if (l.indexOf(q) === 0) { take(1); }
      else if ((" " + l.replace(/[^a-z0-9]+/g, " ")).indexOf(" " + q.replace(/[^a-z0-9]+/g, " ").trim()) >= 0) { take(2); }
      else if (l.indexOf(q) >= 0) { take(3); }
    });
    if (best < 0 && entry.alt.some(function (a) { return fold(a).indexOf(q) >= 0; })) { take(4); }
    if (best < 0 && entry.quotes.some(function (t) { return fold(t).indexOf(q) >= 0; })) { take(5); }
    return best;
  }
  function search(entries, text) {
    var q = fold(text).trim();
    if (!q) { return []; }
    return entries.map(function (e) { return [score(e, q), e]; })
      .filter(function (se) { return se[0] >= 0; })
      .sort(function (a, b) {
        return a[0] - b[0] || a[1].en.length - b[1].en.length || (a[1].en < b[1].en ? -1 : a[1].en > b[1].en ? 1 : 0);
      })
      .map(function (se) { return se[1]; });
  }
  // The chosen filters: {partner: "NO", kind: "", ...}
  function chosen(form) {
    var out = {};
    Array.prototype.forEach.call(form.querySelectorAll("select[name]"), function (s) { out[s.name] = s.value; });
    return out;
  }
  function passes(facets, f) {
    return Object.keys(f).every(function (k) {
      if (!f[k]) { return true; }
      var have = facets[k];
      return Array.isArray(have) ? have.map(String).indexOf(f[k]) >= 0 : String(have) === f[k];
    });
  }
  function facetsOf(node) {
    return {
      partner: (node.getAttribute("data-partner") || "").split(" ").filter(Boolean),
      kind: node.getAttribute("data-kind") || "",
      status: node.getAttribute("data-status") || "",
      year: (node.getAttribute("data-year") || "").split(" ").filter(Boolean)
    };
  }
  function label(en, nl, tag) {
    var a = document.createElement(tag || "span");
    var e = document.createElement("span"); e.className = "l-en"; e.lang = "en"; e.textContent = en;
    var n = document.createElement("span"); n.className = "l-nl"; n.lang = "nl"; n.textContent = nl;
    a.appendChild(e); a.appendChild(n);
    return a;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var index = window.DEFCOOP_INDEX;
    var form = document.querySelector("form.filters");
    if (!form || !index) { return; }
    form.hidden = false;
    var input = form.querySelector("input[type=search]");
    var hits = document.getElementById("hits");
    var items = document.querySelectorAll("[data-filterable] [data-kind]");
    var count = form.querySelector("[data-count]");
    function update() {
      var f = chosen(form), shown = 0;
      Array.prototype.forEach.call(items, function (node) {
        var ok = passes(facetsOf(node), f);
        if (ok && node.tagName !== "TR") { shown++; }
        if (node instanceof SVGElement) { node.style.display = ok ? "" : "none"; } else { node.hidden = !ok; }
      });
      if (count) { count.textContent = String(shown); }
      if (hits && input) {
        hits.textContent = "";
        var found = search(index.entries, input.value).filter(function (e) { return passes(e, f); });
        hits.hidden = !input.value.trim();
        found.slice(0, 50).forEach(function (e) {
          var li = document.createElement("li"), a = label(e.en, e.nl, "a");
          a.href = root + e.href;
          li.appendChild(a);
          hits.appendChild(li);
        });
        hits.setAttribute("data-hits", String(found.length));
      }
    }
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    form.addEventListener("submit", function (ev) { ev.preventDefault(); update(); });
    update();
  });
  window.defcoopSearch = function (text) {
    return search(window.DEFCOOP_INDEX.entries, text).map(function (e) { return e.href; });
  };
})();
