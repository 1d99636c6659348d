// Zoom for the wide pictures: the buttons before a figure set the width of its SVG
// ("fit" fits it to the screen); the figure scrolls in its own box, so the page never
// scrolls sideways. Where the timeline is wider than the screen (a phone), it opens
// scrolled to the letter's date, where most events are.
(function () {
  "use strict";
  function toLetterDate(figure) {
    var svg = figure.querySelector("svg"), line = svg && svg.querySelector("line.letter-date");
    if (!line || figure.scrollWidth <= figure.clientWidth) { return; }
    var scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    figure.scrollLeft = parseFloat(line.getAttribute("x1")) * scale - figure.clientWidth * 0.6;
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll(".figure.timeline"), toLetterDate);
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
        if (figure.classList.contains("timeline")) { toLetterDate(figure); }
      });
    });
  });
})();
