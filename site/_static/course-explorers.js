// Lesson 05's output-size explorer, computed in the reader's browser.
//
// In a notebook the explorer's sliders call Python (course_utils.widgets.arithmetic). On
// the static site there is no Python, but the arithmetic and the diagram are simple enough
// to compute here: this file is a line-for-line port of course_utils/arithmetic.py's
// output sizes (with their messages) and of the explorer's formula, notes and diagram.
// tests/test_site.py checks its output sizes against real PyTorch layers.
(function () {
  "use strict";

  // ------------------------------------------------------------------ arithmetic

  function fail(message) {
    throw new Error(message);
  }

  function span(k, d) {
    return d * (k - 1) + 1;
  }

  function convOutputSize(i, k, s, p, d) {
    var reach = span(k, d);
    var padded = i + 2 * p;
    if (reach > padded) {
      fail("the kernel covers " + reach + " pixels (kernel " + k + ", dilation " + d +
           ") but the padded input is only " + padded + " wide (" + i + " + 2×" + p +
           "): there is no position where it fits. Use a smaller kernel or dilation, " +
           "or more padding.");
    }
    return Math.floor((padded - reach) / s) + 1;
  }

  function poolOutputSize(i, k, s, p, d, pool) {
    if (pool === "avg" && d !== 1) {
      fail("AvgPool2d has no dilation: set dilation to 1 (or use MaxPool2d).");
    }
    if (p > Math.floor(k / 2)) {
      fail("padding " + p + " is more than half the kernel (" + k + " // 2 = " +
           Math.floor(k / 2) + "); PyTorch only allows padding ≤ kernel_size // 2 for " +
           "pooling, so that every window holds at least one real pixel.");
    }
    var reach = span(k, d);
    var out = Math.floor((i + 2 * p - reach) / s) + 1;
    if (out < 1) {
      fail("the pooling window covers " + reach + " pixels but the padded input is only " +
           (i + 2 * p) + " wide: no output is left. Use a smaller kernel or more padding.");
    }
    return out;
  }

  function convTransposeOutputSize(i, k, s, p, a, d) {
    if (a >= Math.max(s, d)) {
      fail("output_padding must be smaller than the stride or the dilation (here max(" + s +
           ", " + d + ") = " + Math.max(s, d) + "), got " + a + ". It only chooses among " +
           "sizes that the stride makes ambiguous; to grow the output, change the stride, " +
           "kernel or padding.");
    }
    var out = (i - 1) * s - 2 * p + d * (k - 1) + a + 1;
    if (out < 1) {
      fail("padding " + p + " removes " + 2 * p + " pixels from an output of only " +
           (out + 2 * p) + ": nothing is left. Use less padding or a larger kernel or stride.");
    }
    return out;
  }

  // layer, input size i, kernel k, stride s, padding p, output_padding a, dilation d
  function outputSize(layer, i, k, s, p, a, d) {
    if (layer === "Conv2d") return convOutputSize(i, k, s, p, d);
    if (layer === "MaxPool2d") return poolOutputSize(i, k, s, p, d, "max");
    if (layer === "AvgPool2d") return poolOutputSize(i, k, s, p, d, "avg");
    if (layer === "ConvTranspose2d") return convTransposeOutputSize(i, k, s, p, a, d);
    if (layer === "Upsample + Conv2d") return convOutputSize(i * s, k, 1, p, d);
    fail("unknown layer " + layer);
  }

  var FORMULAS = {
    "Conv2d": "o = ⌊(i + 2p − d·(k − 1) − 1) / s⌋ + 1",
    "MaxPool2d": "o = ⌊(i + 2p − d·(k − 1) − 1) / s⌋ + 1",
    "AvgPool2d": "o = ⌊(i + 2p − k) / s⌋ + 1",
    "ConvTranspose2d": "o = (i − 1)·s − 2p + d·(k − 1) + a + 1",
    "Upsample + Conv2d": "u = i·s, then o = u + 2p − d·(k − 1)   (the Conv2d has stride 1)"
  };

  function worked(layer, i, k, s, p, a, d) {
    var top;
    if (layer === "Conv2d" || layer === "MaxPool2d") {
      top = i + 2 * p - d * (k - 1) - 1;
      return "o = ⌊(" + i + " + 2·" + p + " − " + d + "·(" + k + " − 1) − 1) / " + s +
             "⌋ + 1 = ⌊" + top + " / " + s + "⌋ + 1 = " + (Math.floor(top / s) + 1);
    }
    if (layer === "AvgPool2d") {
      top = i + 2 * p - k;
      return "o = ⌊(" + i + " + 2·" + p + " − " + k + ") / " + s + "⌋ + 1 = ⌊" + top +
             " / " + s + "⌋ + 1 = " + (Math.floor(top / s) + 1);
    }
    if (layer === "ConvTranspose2d") {
      return "o = (" + i + " − 1)·" + s + " − 2·" + p + " + " + d + "·(" + k + " − 1) + " +
             a + " + 1 = " + ((i - 1) * s - 2 * p + d * (k - 1) + a + 1);
    }
    var u = i * s;
    return "u = " + i + "·" + s + " = " + u + ", then o = " + u + " + 2·" + p + " − " + d +
           "·(" + k + " − 1) = " + (u + 2 * p - d * (k - 1));
  }

  function notes(layer, a, s) {
    var found = [];
    if (layer !== "ConvTranspose2d" && a) {
      found.push("output_padding is ignored: only ConvTranspose2d takes it (a = " + a +
                 " has no effect here).");
    }
    if (layer === "Upsample + Conv2d") {
      found.push("stride is the upsampling factor here (Upsample(scale_factor=" + s +
                 ")); the Conv2d after it has stride 1.");
    }
    if (layer === "MaxPool2d") {
      found.push("PyTorch's MaxPool2d defaults to stride = kernel_size; the slider sets it " +
                 "explicitly.");
    }
    return found;
  }

  // ------------------------------------------------------------------ diagram

  var COLOURS = { input: "#4c72b0", copy: "#8fa9d6", zero: "#ffffff", pad: "#e8e8e8",
                  kernel: "#dd8452", output: "#a7d3a9", first: "#55a868" };

  function canvas(layer, i, k, s, p, a, d) {
    if (layer === "AvgPool2d") d = 1;
    var taps = [];
    for (var j = 0; j < k; j++) taps.push(j * d);
    var kinds = [], x;
    if (layer === "ConvTranspose2d") {
      var spread = (i - 1) * s + 1, edge = d * (k - 1) - p;
      for (x = -edge; x < spread + edge + a; x++) {
        kinds.push(x >= 0 && x < spread ? (x % s === 0 ? "input" : "zero") : "pad");
      }
      var cut = edge < 0 ? "; " + (-edge) + " cell(s) cut from each side" : "";
      return { cells: kinds, taps: taps, step: 1,
               caption: "input spread by the stride (" + (s - 1) + " zero(s) between pixels), " +
                        Math.max(edge, 0) + " padding cell(s) per side + " + a +
                        " at the end" + cut + "; kernel stride 1" };
    }
    if (layer === "Upsample + Conv2d") {
      for (x = 0; x < p; x++) kinds.push("pad");
      for (x = 0; x < i * s; x++) kinds.push(Math.floor(x / s) % 2 === 0 ? "input" : "copy");
      for (x = 0; x < p; x++) kinds.push("pad");
      return { cells: kinds, taps: taps, step: 1,
               caption: "each input pixel copied " + s + "× (nearest), " + p +
                        " padding cell(s) per side; kernel stride 1" };
    }
    for (x = 0; x < p; x++) kinds.push("pad");
    for (x = 0; x < i; x++) kinds.push("input");
    for (x = 0; x < p; x++) kinds.push("pad");
    return { cells: kinds, taps: taps, step: s,
             caption: "input with " + p + " padding cell(s) per side; kernel stride " + s };
  }

  function cellKind(row, col) {
    if (row === "pad" || col === "pad") return "pad";
    if (row === "zero" || col === "zero") return "zero";
    return row === col ? "input" : "copy";
  }

  function squares(cells, x0, y0, cell, style) {
    if (!cells.length) return "";
    var d = cells.map(function (rc) {
      return "M" + (x0 + rc[1] * cell) + " " + (y0 + rc[0] * cell) + "h" + cell + "v" + cell +
             "h-" + cell + "z";
    }).join("");
    return '<path d="' + d + '" ' + style + "/>";
  }

  function escapeHtml(value) {
    return String(value).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#x27;");
  }

  function diagram(layer, i, k, s, p, a, d) {
    var maxCells = 40, c = canvas(layer, i, k, s, p, a, d), n = c.cells.length, out;
    try { out = outputSize(layer, i, k, s, p, a, d); } catch (error) { out = 0; }
    if (n > maxCells || out > maxCells) {
      return '<div style="color:#4d4d4d">(diagram drawn up to ' + maxCells +
             " cells per side; this one needs " + Math.max(n, out) +
             ": try a smaller input size)</div>";
    }
    if (n < 1) {
      return '<div style="color:#4d4d4d">(nothing to draw: the padding removes everything)</div>';
    }
    var cell = Math.max(4, Math.min(20, Math.floor(300 / Math.max(n, out, 1))));
    var y0 = 20, xOut = Math.max(n * cell + 60, 290);
    var width = Math.max(xOut + Math.max(out, 1) * cell + 20, 560);
    var height = Math.max(n, out, 1) * cell + y0 + 40;
    var thin = 'stroke="#999" stroke-width="0.5"';
    var parts = ['<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ' + width + " " + height +
                 '" width="' + width + '" height="' + height + '" role="img" aria-label="' +
                 escapeHtml(layer + ": a " + n + "×" + n + " grid the kernel slides over, and the " +
                 out + "×" + out + " output") + '" font-family="sans-serif" font-size="11">',
                 '<text x="0" y="12">' + escapeHtml(layer) + ": what the kernel slides over (" +
                 n + "×" + n + ")</text>"];
    var byKind = { input: [], copy: [], zero: [], pad: [] }, r, col;
    for (r = 0; r < n; r++) {
      for (col = 0; col < n; col++) byKind[cellKind(c.cells[r], c.cells[col])].push([r, col]);
    }
    ["input", "copy", "zero"].forEach(function (kind) {
      parts.push(squares(byKind[kind], 0, y0, cell, 'fill="' + COLOURS[kind] + '" ' + thin));
    });
    parts.push(squares(byKind.pad, 0, y0, cell,
                       'fill="' + COLOURS.pad + '" ' + thin + ' stroke-dasharray="2,2"'));
    var fits = c.taps.every(function (t) { return t < n; });
    var taps = [];
    c.taps.forEach(function (u) {
      c.taps.forEach(function (v) { if (u < n && v < n) taps.push([u, v]); });
    });
    parts.push(squares(taps, 0, y0, cell, 'fill="' + (fits ? COLOURS.kernel : "#d62728") +
                       '" fill-opacity="0.75"'));
    if (out >= 2) {
      var next = [];
      c.taps.forEach(function (u) {
        c.taps.forEach(function (v) { next.push([u, v + c.step]); });
      });
      parts.push(squares(next, 0, y0, cell, 'fill="none" stroke="' + COLOURS.kernel +
                         '" stroke-width="1.5" stroke-dasharray="3,2"'));
    }
    parts.push('<text x="' + (Math.floor((n * cell + xOut) / 2) - 8) + '" y="' + (y0 + 14) +
               '" font-size="16">→</text>');
    if (out >= 1) {
      parts.push('<text x="' + xOut + '" y="12">output (' + out + "×" + out + ")</text>");
      var rest = [];
      for (r = 0; r < out; r++) {
        for (col = 0; col < out; col++) if (r || col) rest.push([r, col]);
      }
      parts.push(squares(rest, xOut, y0, cell, 'fill="' + COLOURS.output + '" ' + thin));
      parts.push(squares([[0, 0]], xOut, y0, cell, 'fill="' + COLOURS.first + '" ' + thin));
      if (out >= 2) {
        parts.push(squares([[0, 1]], xOut, y0, cell, 'fill="none" stroke="' + COLOURS.kernel +
                           '" stroke-width="1.5" stroke-dasharray="3,2"'));
      }
    } else {
      parts.push('<text x="' + xOut + '" y="' + (y0 + 14) + '" fill="#b00020">no output</text>');
    }
    parts.push('<text x="0" y="' + (height - 20) + '">' + escapeHtml(c.caption) + "</text>");
    parts.push('<text x="0" y="' + (height - 5) + '" fill="#4d4d4d">blue: input · light blue: ' +
               "copies · white: inserted zeros · grey dashed: padding · orange: kernel taps" +
               "</text>");
    parts.push("</svg>");
    return parts.join("");
  }

  // ------------------------------------------------------------------ the explorer

  function explain(layer, i, k, s, p, a, d) {
    var size = null, problem = null;
    try { size = outputSize(layer, i, k, s, p, a, d); } catch (error) { problem = error.message; }
    var formula = '<div style="font-family:monospace">' + escapeHtml(FORMULAS[layer]) +
                  "<br>" + escapeHtml(worked(layer, i, k, s, p, a, d)) + "</div>";
    var found = notes(layer, a, s);
    if (found.length) {
      formula += '<ul style="margin:2px 0;color:#4d4d4d">' + found.map(function (note) {
        return "<li>" + escapeHtml(note) + "</li>";
      }).join("") + "</ul>";
    }
    var line = size !== null ? "output size: " + size : "Not possible: " + problem;
    var colour = size !== null ? "#1f4e8c" : "#8a4200";
    var where = size !== null
      ? "Computed in your browser: 1×1×" + i + "×" + i + " → 1×1×" + size + "×" + size
      : "Computed in your browser: PyTorch refuses these settings too";
    var result = '<div style="font-size:1.1em;color:' + colour + '"><b>' + escapeHtml(line) +
                 "</b></div><div>" + escapeHtml(where) +
                 " (run the lesson to see a real PyTorch layer do it)</div>";
    return { size: size, problem: problem, formula: formula, result: result,
             diagram: diagram(layer, i, k, s, p, a, d) };
  }

  var SLIDERS = ["input-size", "kernel", "stride", "padding", "output-padding", "dilation"];

  function sliderValue(root, name) {
    var widget = root.querySelector(".course-explorer-" + name);
    var target = widget && widget.querySelector(".noUi-target");
    if (target && target.noUiSlider) return Math.round(Number(target.noUiSlider.get()));
    var handle = widget && widget.querySelector("[role=slider]");
    return handle ? Math.round(Number(handle.getAttribute("aria-valuenow"))) : NaN;
  }

  function setHtml(root, selector, html) {
    var widget = root.querySelector(selector);
    var content = widget && (widget.querySelector(".widget-html-content") || widget);
    if (content && content.innerHTML !== html) content.innerHTML = html;
  }

  function startConvExplorer(root) {
    var parts = SLIDERS.map(function (name) { return root.querySelector(".course-explorer-" + name); });
    var select = root.querySelector(".course-explorer-layer select");
    if (!select || parts.some(function (part) { return !part || !part.querySelector(".noUi-target"); })) {
      delete root.dataset.courseLive; // not drawn yet: try again on the next change
      return;
    }
    function update() {
      var v = SLIDERS.map(function (name) { return sliderValue(root, name); });
      if (v.some(isNaN)) return;
      var e = explain(select.value, v[0], v[1], v[2], v[3], v[4], v[5]);
      setHtml(root, ".course-explorer-formula", e.formula);
      setHtml(root, ".course-explorer-result", e.result);
      setHtml(root, ".course-explorer-diagram", e.diagram);
      root.dataset.courseLive = "live";
    }
    parts.forEach(function (part) {
      part.querySelector(".noUi-target").noUiSlider.on("update", update);
    });
    select.addEventListener("change", update);
    update();
  }

  window.courseArithmetic = { outputSize: outputSize, explain: explain, diagram: diagram };
  window.courseExplorers = window.courseExplorers || {};
  window.courseExplorers[".course-explorer"] = startConvExplorer;
  if (window.courseStartExplorers) window.courseStartExplorers();
})();
