// Zoom for the wide pictures: the buttons before a figure set the width of its SVG
// ("fit" fits it to the screen); the figure scrolls in its own box, so the page never
// scrolls sideways.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll(".zoom"), function (group) {
      var figure = group.nextElementSibling;
      while (figure && !figure.classList.contains("figure")) { figure = figure.nextElementSibling; }
      var svg = figure && figure.querySelector("svg");
      if (!svg) { return; }
      var natural = parseFloat(svg.getAttribute("width")) || 1000, scale = null;
      group.hidden = false;
      group.addEventListener("click", function (ev) {
        var step = ev.target.getAttribute("data-zoom");
        if (step === null) { return; }
        var now = scale === null ? svg.getBoundingClientRect().width / natural : scale;
        scale = step === "0" ? figure.clientWidth / natural : Math.max(0.25, Math.min(4, now * (step === "1" ? 1.5 : 1 / 1.5)));
        svg.style.minWidth = "0";
        svg.style.maxWidth = "none";
        svg.style.width = Math.round(natural * scale) + "px";
      });
    });
  });
})();
