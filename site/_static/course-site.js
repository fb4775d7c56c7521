// The course site's own script (no dependencies, loaded deferred on every page).
//
// 1. Accessible names. The saved explorers are drawn by the widget manager after the page
//    loads; their slider handles carry role="slider" but no name, so a screen reader says
//    only "slider". Each handle gets its control's visible label as its name. The theme's
//    search button is named "Search" while it shows "Search Ctrl+K"; its name becomes
//    what it shows.
// 2. Explorers computed in the browser: course-explorers.js (loaded on the pages that
//    need it) registers them in window.courseExplorers; this script starts each one when
//    its widget appears.
(function () {
  "use strict";

  function text(element) {
    return element ? element.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function nameSliderHandles(root) {
    root.querySelectorAll(".widget-slider, .widget-hslider, .widget-vslider").forEach(
      function (widget) {
        var name = text(widget.querySelector(".widget-label"));
        if (!name) return;
        widget.querySelectorAll("[role=slider]").forEach(function (handle) {
          if (handle.getAttribute("aria-label") !== name) handle.setAttribute("aria-label", name);
        });
      });
  }

  // MyST-NB's "show code" toggles are named "Toggle hidden content" while they show other
  // words: their name becomes what they show.
  function nameToggles(root) {
    root.querySelectorAll("details > summary[aria-label]").forEach(function (summary) {
      var shown = text(summary);
      if (shown && summary.getAttribute("aria-label") !== shown) {
        summary.setAttribute("aria-label", shown);
      }
    });
  }

  function nameSearchButtons() {
    document.querySelectorAll(".search-button__button[aria-label]").forEach(function (button) {
      var shown = text(button);
      if (shown && button.getAttribute("aria-label") !== shown) {
        button.setAttribute("aria-label", shown);
      }
    });
  }

  // The sidebar's site title sits outside every landmark; the sidebar's top becomes one.
  function landmarkSidebar() {
    var top = document.querySelector(".sidebar-primary-items__start");
    if (top && !top.closest("nav, header, aside, main, [role]")) {
      top.setAttribute("role", "navigation");
      top.setAttribute("aria-label", "Course");
    }
  }

  function startExplorers(root) {
    var registry = window.courseExplorers || {};
    Object.keys(registry).forEach(function (selector) {
      root.querySelectorAll(selector).forEach(function (element) {
        if (element.dataset.courseLive) return;
        element.dataset.courseLive = "starting";
        registry[selector](element);
      });
    });
  }

  window.courseStartExplorers = function () { startExplorers(document); };

  function tidy() {
    nameSliderHandles(document);
    startExplorers(document);
  }

  // The widget manager typesets labels with MathJax 2's API (MathJax.Hub.Queue); the site
  // ships MathJax 3, whose API is typesetPromise. Without this bridge every widget label
  // logs "Cannot read properties of undefined (reading 'Queue')".
  function bridgeMathJax() {
    var mathjax = window.MathJax;
    if (mathjax && !mathjax.Hub) {
      mathjax.Hub = {
        Queue: function (job) {
          var element = job && job[2];
          if (element && mathjax.typesetPromise) {
            mathjax.typesetPromise([element]).catch(function () { return null; });
          }
        }
      };
    }
  }

  function start() {
    bridgeMathJax();
    nameSearchButtons();
    nameToggles(document);
    landmarkSidebar();
    tidy();
    var pending = false;
    new MutationObserver(function () {
      if (pending) return;
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        tidy();
      });
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
