// The query page: every stored query, and free SPARQL, run in the browser by Oxigraph
// (WebAssembly) over the site's own dump of the graph. Classic scripts only, loaded on
// the first run, so the page works from file:// and from any web server; nothing is
// fetched from elsewhere. Parameters are bound as defcoop query binds them: one RDF
// term per value, of the parameter's type, in a VALUES block opening the WHERE group.
(function () {
  "use strict";
  var spec = JSON.parse(document.getElementById("query-specs").textContent);
  var root = document.documentElement.getAttribute("data-root") || "";
  var byName = {};
  spec.queries.forEach(function (q) { byName[q.name] = q; });
  var patterns = {};
  Object.keys(spec.patterns).forEach(function (k) { patterns[k] = new RegExp(spec.patterns[k]); });
  var XSD = "http://www.w3.org/2001/XMLSchema#";
  var ready = null;

  function load(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = root + src;
      s.onload = resolve;
      s.onerror = function () { reject(new Error("cannot load " + src)); };
      document.head.appendChild(s);
    });
  }
  function bytes(b64) {
    var bin = atob(b64), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { out[i] = bin.charCodeAt(i); }
    return out;
  }
  function gunzip(data) {
    var stream = new Blob([data]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).arrayBuffer().then(function (b) { return new Uint8Array(b); });
  }
  // The engine with the graph loaded, once per page.
  function engine() {
    if (!ready) {
      ready = load("static/oxigraph/oxigraph.js")
        .then(function () { return load("static/oxigraph/engine.js"); })
        .then(function () { return load("data/dump.js"); })
        .then(function () { return gunzip(bytes(window.DEFCOOP_OXIGRAPH_WASM)); })
        .then(function (wasm) { return window.oxigraph.__wbg_init({ module_or_path: wasm }); })
        .then(function () { return gunzip(bytes(window.DEFCOOP_DUMP)); })
        .then(function (dump) {
          var store = new window.oxigraph.Store();
          store.load(new TextDecoder().decode(dump), { format: "application/n-quads" });
          return store;
        });
    }
    return ready;
  }

  // One RDF term in SPARQL syntax, as defcoop.query.params.to_term makes it.
  function term(name, type, value) {
    function bad(why) {
      return new Error("--param " + name + ": " + why + " (expected " + spec.types[type] + ", got " + JSON.stringify(value) + ")");
    }
    var v = value.trim();
    if (type === "iri") {
      var iri;
      if (v.charAt(0) === "<" && v.charAt(v.length - 1) === ">") { iri = v.slice(1, -1); }
      else if (patterns.pname.test(v) && spec.prefixes.hasOwnProperty(v.split(":")[0])) {
        iri = spec.prefixes[v.split(":")[0]] + v.slice(v.indexOf(":") + 1);
      } else if (patterns.scheme.test(v) && !patterns.pname.test(v)) { iri = v; }
      else if (patterns.pname.test(v)) { throw new Error("--param " + name + ": unknown prefix " + JSON.stringify(v.split(":")[0]) + " in " + JSON.stringify(value)); }
      else { throw bad("not an IRI"); }
      if (!patterns.scheme.test(iri) || patterns.iri_forbidden.test(iri)) { throw bad("not a valid IRI"); }
      return "<" + iri + ">";
    }
    if (type === "string" || type === "lang") {
      if (type === "lang" && !patterns.lang.test(value)) { throw bad("not a language tag"); }
      if (/\\[uU]/.test(value)) { throw new Error("--param " + name + ": a backslash followed by 'u' is not allowed in a value"); }
      var s = type === "lang" ? value.toLowerCase() : value;
      return '"' + s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t") + '"';
    }
    if (type === "int") { if (!patterns.int.test(v)) { throw bad("not an integer"); } return '"' + String(BigInt(v)) + '"^^<' + XSD + "integer>"; }
    if (type === "decimal") { if (!patterns.decimal.test(v)) { throw bad("not a decimal number"); } return '"' + v + '"^^<' + XSD + "decimal>"; }
    if (type === "bool") {
      var b = v.toLowerCase();
      if (["true", "false", "1", "0"].indexOf(b) < 0) { throw bad("not a boolean"); }
      return '"' + (b === "true" || b === "1" ? "true" : "false") + '"^^<' + XSD + "boolean>";
    }
    if (type === "date") {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || isNaN(Date.parse(v + "T00:00:00Z")) || new Date(v + "T00:00:00Z").toISOString().slice(0, 10) !== v) { throw bad("not a date"); }
      return '"' + v + '"^^<' + XSD + "date>";
    }
    if (type === "gYear" || type === "gYearMonth") {
      if (!patterns[type].test(v)) { throw bad(type === "gYear" ? "not a year" : "not a month"); }
      return '"' + v + '"^^<' + XSD + type + ">";
    }
    throw new Error("--param " + name + ": unknown parameter type " + type);
  }

  // The query text with the values (and the defaults) bound, as defcoop.query.library.bind.
  function bind(q, values) {
    if (!q.params.length) { return q.text; }
    var terms = {};
    q.params.forEach(function (p) {
      var value = values.hasOwnProperty(p.name) && values[p.name] !== "" ? values[p.name] : p.default;
      if (value === null || value === undefined) { throw new Error("--param " + p.name + ": required by " + q.name); }
      terms[p.name] = term(p.name, p.type, String(value));
    });
    var names = Object.keys(terms).sort();
    var block = " VALUES (" + names.map(function (n) { return "?" + n; }).join(" ") + ") { (" +
      names.map(function (n) { return terms[n]; }).join(" ") + ") }";
    return q.text.slice(0, q.where) + block + q.text.slice(q.where);
  }

  // Run SPARQL text: SELECT/ASK as SPARQL JSON results, graphs as N-Triples text.
  function run(text) {
    return engine().then(function (store) {
      var graph = /^\s*(CONSTRUCT|DESCRIBE)\b/im.test(text.replace(/#[^\n]*/g, "").replace(/^\s*(PREFIX|BASE)\s[^\n]*$/gim, ""));
      var out = store.query(text, { results_format: graph ? "application/n-triples" : "application/sparql-results+json" });
      return graph ? { graph: out } : JSON.parse(out);
    });
  }
  window.defcoopTerm = function (name, type, value) {
    try { return [true, term(name, type, value)]; } catch (err) { return [false, err.message]; }
  };
  window.defcoopRun = function (name, values) { return run(bind(byName[name], values || {})); };
  window.defcoopSparql = run;

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function csvCell(t) {
    var v = t ? t.value : "";
    return /[",\r\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v;
  }
  function cell(t) {
    var td = el("td");
    if (!t) { return td; }
    var page = t.type === "uri" ? spec.pages[t.value] : null;
    if (page) {
      var a = el("a", { href: root + page[0] });
      a.appendChild(el("span", { "class": "l-en", lang: "en" }, page[1]));
      a.appendChild(el("span", { "class": "l-nl", lang: "nl" }, page[2]));
      td.appendChild(a);
    } else if (t.type === "uri") {
      td.appendChild(el("code", {}, t.value));
    } else {
      td.appendChild(el("span", t["xml:lang"] ? { lang: t["xml:lang"] } : {}, t.value));
    }
    return td;
  }
  function show(out, result, name) {
    out.textContent = "";
    out.setAttribute("data-json", JSON.stringify(result));
    if (result.graph !== undefined) {
      out.appendChild(el("pre", {}, result.graph));
    } else if (result.boolean !== undefined) {
      out.appendChild(el("p", {}, String(result.boolean)));
    } else {
      var vars = result.head.vars, rows = result.results.bindings;
      var p = el("p", {}, rows.length + (rows.length === 1 ? " row " : " rows "));
      var csv = [vars.join(",")].concat(rows.map(function (r) { return vars.map(function (v) { return csvCell(r[v]); }).join(","); })).join("\r\n") + "\r\n";
      var link = el("a", { href: URL.createObjectURL(new Blob([csv], { type: "text/csv" })), download: name + ".csv", "class": "csv" }, "CSV");
      p.appendChild(link);
      out.appendChild(p);
      var wrap = el("div", { "class": "table-wrap" }), table = el("table"), head = el("tr");
      vars.forEach(function (v) { head.appendChild(el("th", { scope: "col" }, v)); });
      table.appendChild(el("thead")).appendChild(head);
      var body = el("tbody");
      rows.forEach(function (r) {
        var tr = el("tr");
        vars.forEach(function (v) { tr.appendChild(cell(r[v])); });
        body.appendChild(tr);
      });
      table.appendChild(body);
      wrap.appendChild(table);
      out.appendChild(wrap);
    }
    out.setAttribute("data-state", "done");
  }
  function fail(out, err) {
    out.textContent = "";
    out.appendChild(el("p", { role: "alert" }, String(err && err.message || err)));
    out.setAttribute("data-state", "error");
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form.run"), function (form) {
      form.hidden = false;
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        var out = form.querySelector("output");
        out.setAttribute("data-state", "running");
        out.textContent = "…";
        var name = form.getAttribute("data-query"), job;
        try {
          if (name) {
            var values = {};
            Array.prototype.forEach.call(form.querySelectorAll("[data-param]"), function (i) { values[i.name] = i.value; });
            job = run(bind(byName[name], values));
          } else {
            job = run(form.querySelector("textarea").value);
          }
        } catch (err) { fail(out, err); return; }
        job.then(function (r) { show(out, r, name || "query"); }, function (err) { fail(out, err); });
      });
    });
  });
})();
