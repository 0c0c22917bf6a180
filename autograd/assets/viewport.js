// tracegrad's picture viewport: an SVG shown at a legible scale, panned and zoomed when it is
// wider than its column. A viewport is a <div class="tg-view"> with the SVG's natural size
// (data-width, data-height, in CSS px) and the smallest legible scale (data-floor: every text
// >= 11 px, worked out in Python from the SVG's font sizes). Scale 1 is the natural size.
//   default: the natural size, or smaller to fit the column, but never below the floor;
//   - and ctrl+wheel out stop at the floor; "fit" shows the whole picture even below it
//   (the user asked to see everything); + and ctrl+wheel in stop at 4x.
(function () {
  "use strict";
  if (window.tracegradViewport) return;
  var STEP = 1.25;
  var MAX = 4;

  function setup(view) {
    if (view.tracegradView) return view.tracegradView;
    var scroller = view.querySelector(".tg-scroll");
    var svg = scroller && scroller.querySelector("svg");
    var width = Number(view.dataset.width);
    var height = Number(view.dataset.height);
    if (!svg || !width || !height) return null;
    var floor = Number(view.dataset.floor) || 0;
    var always = view.dataset.controls === "always";
    var bar = view.querySelector(".tg-zoom");
    var level = view.querySelector(".tg-zoom-level");
    var scale = 1;
    var chosen = false; // the user zoomed: a resize keeps their scale
    var reduceMotion = window.matchMedia &&
      window.matchMedia("(prefers-reduced-motion: reduce)").matches;

    function room() {
      // the width the column gives the picture, the height the box may grow to
      var maxHeight = parseFloat(getComputedStyle(scroller).maxHeight);
      return {w: Math.max(1, view.clientWidth),
              h: isFinite(maxHeight) && maxHeight > 0 ? maxHeight : height};
    }

    function natural() { return Math.max(floor, Math.min(1, room().w / width)); }
    function whole() { var r = room(); return Math.min(r.w / width, r.h / height); }

    function overflows() {
      var r = room();
      return width * scale > r.w + 0.5 || height * scale > r.h + 0.5;
    }

    function refresh() {
      var pannable = overflows();
      scroller.classList.toggle("tg-pannable", pannable);
      if (bar) bar.hidden = !(always || pannable || chosen);
      if (level) level.textContent = Math.round(scale * 100) + "%";
      view.dataset.scale = scale.toFixed(4);
    }

    function zoom(next, clientX, clientY) {
      // Scale to `next`, keeping the picture's point under (clientX, clientY) where it is
      // (the centre of the box when no point is given).
      var box = scroller.getBoundingClientRect();
      if (clientX === undefined) {
        clientX = box.left + scroller.clientWidth / 2;
        clientY = box.top + scroller.clientHeight / 2;
      }
      var before = svg.getBoundingClientRect();
      var u = (clientX - before.left) / scale;
      var v = (clientY - before.top) / scale;
      scale = next;
      svg.style.width = (width * scale) + "px";
      svg.style.height = (height * scale) + "px";
      var after = svg.getBoundingClientRect();
      scroller.scrollLeft += after.left + u * scale - clientX;
      scroller.scrollTop += after.top + v * scale - clientY;
      refresh();
    }

    function lowest() { return Math.min(floor, scale); } // below the floor only by "fit"
    var acts = {
      "in": function () { chosen = true; zoom(Math.min(MAX, scale * STEP)); },
      out: function () { chosen = true; zoom(Math.max(lowest(), scale / STEP)); },
      fit: function () { chosen = true; zoom(whole()); },
      one: function () { chosen = true; zoom(1); }
    };
    view.querySelectorAll("[data-zoom]").forEach(function (button) {
      button.addEventListener("click", function () { acts[button.dataset.zoom](); });
    });

    scroller.addEventListener("wheel", function (event) {
      if (!event.ctrlKey) return; // a plain wheel scrolls, as everywhere
      event.preventDefault();
      chosen = true;
      var next = scale * Math.exp(-event.deltaY * 0.002);
      zoom(Math.max(lowest(), Math.min(MAX, next)), event.clientX, event.clientY);
    }, {passive: false});

    // Drag to pan, with the mouse (touch pans natively). A drag is not a click.
    var drag = null;
    scroller.addEventListener("pointerdown", function (event) {
      if (event.pointerType !== "mouse" || event.button !== 0 || !overflows()) return;
      var box = scroller.getBoundingClientRect();
      if (event.clientX - box.left - scroller.clientLeft >= scroller.clientWidth ||
          event.clientY - box.top - scroller.clientTop >= scroller.clientHeight) return;
      drag = {x: event.clientX, y: event.clientY, left: scroller.scrollLeft,
              top: scroller.scrollTop, moved: false, id: event.pointerId};
    });
    scroller.addEventListener("pointermove", function (event) {
      if (!drag || event.pointerId !== drag.id) return;
      var dx = event.clientX - drag.x;
      var dy = event.clientY - drag.y;
      if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
      if (!drag.moved) {
        drag.moved = true;
        scroller.setPointerCapture(event.pointerId);
        scroller.classList.add("tg-dragging");
      }
      scroller.scrollLeft = drag.left - dx;
      scroller.scrollTop = drag.top - dy;
    });
    function endDrag(event) {
      if (!drag || event.pointerId !== drag.id) return;
      if (drag.moved) {
        scroller.classList.remove("tg-dragging");
        // the click that ends a drag is not a click on the picture
        var swallow = function (e) { e.stopPropagation(); e.preventDefault(); };
        scroller.addEventListener("click", swallow, true);
        setTimeout(function () { scroller.removeEventListener("click", swallow, true); }, 0);
      }
      drag = null;
    }
    scroller.addEventListener("pointerup", endDrag);
    scroller.addEventListener("pointercancel", endDrag);

    function reveal(elements) {
      // Scroll so the lit elements are in view: all of them when they fit, else the first
      // (a stepped edge or neuron); only as far as needed, with a margin.
      var boxes = elements.filter(function (el) { return el; })
        .map(function (el) { return el.getBoundingClientRect(); })
        .filter(function (r) { return r.width || r.height; });
      if (!boxes.length) return;
      var box = scroller.getBoundingClientRect();
      var inner = {left: box.left + scroller.clientLeft, top: box.top + scroller.clientTop,
                   w: scroller.clientWidth, h: scroller.clientHeight};
      var union = boxes.reduce(function (a, r) {
        return {left: Math.min(a.left, r.left), top: Math.min(a.top, r.top),
                right: Math.max(a.right, r.right), bottom: Math.max(a.bottom, r.bottom)};
      });
      var target = union.right - union.left <= inner.w && union.bottom - union.top <= inner.h
        ? union : boxes[0];
      var margin = 16;
      function delta(lo, hi, start, size) {
        if (hi - lo > size - 2 * margin) return (lo + hi) / 2 - (start + size / 2); // centre
        if (lo < start + margin) return lo - start - margin;
        if (hi > start + size - margin) return hi - (start + size) + margin;
        return 0;
      }
      var dx = delta(target.left, target.right, inner.left, inner.w);
      var dy = delta(target.top, target.bottom, inner.top, inner.h);
      if (Math.abs(dx) < 1 && Math.abs(dy) < 1) return;
      scroller.scrollBy({left: dx, top: dy, behavior: reduceMotion ? "auto" : "smooth"});
    }

    function resized() { if (!chosen) zoom(natural()); else refresh(); }
    if (window.ResizeObserver) new ResizeObserver(resized).observe(view);
    zoom(natural(), 0, 0);
    scroller.scrollLeft = 0;
    scroller.scrollTop = 0;

    var api = {
      zoom: function (s) { chosen = true; zoom(s); },
      act: function (name) { acts[name](); },
      scale: function () { return scale; },
      floor: function () { return floor; },
      reveal: reveal
    };
    view.tracegradView = api;
    return api;
  }

  window.tracegradViewport = {
    setup: setup,
    scan: function () { document.querySelectorAll(".tg-view").forEach(setup); }
  };
})();
