// The Dutch/English switch: shows one language of every bilingual text, remembers it.
(function () {
  "use strict";
  var root = document.documentElement;
  function set(lang) {
    root.setAttribute("data-lang", lang);
    root.setAttribute("lang", lang);
    var buttons = document.querySelectorAll("[data-set-lang]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute("aria-pressed", String(buttons[i].getAttribute("data-set-lang") === lang));
    }
    try { window.localStorage.setItem("defcoop-lang", lang); } catch (e) { /* private mode */ }
  }
  var saved = null;
  try { saved = window.localStorage.getItem("defcoop-lang"); } catch (e) { /* private mode */ }
  if (saved === "nl") { root.setAttribute("data-lang", "nl"); root.setAttribute("lang", "nl"); }
  document.addEventListener("DOMContentLoaded", function () {
    var buttons = document.querySelectorAll("[data-set-lang]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].addEventListener("click", function (ev) { set(ev.currentTarget.getAttribute("data-set-lang")); });
    }
    set(saved === "nl" ? "nl" : "en");
  });
})();
