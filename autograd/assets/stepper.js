// tracegrad's backprop stepper: one self-contained engine for every stepper on a page.
// A stepper is a <div class="tg-stepper"> holding an SVG picture and its frames (JSON). Frame k
// is the picture after k steps: the initial texts, then each frame's changes ("set"), with the
// frame's own elements lit. Going to any frame replays the changes from the start (thousands
// of steps take well under a millisecond each), so every control simply calls show(k).
// The picture sits in a viewport (viewport.js): each step scrolls its lit elements into view.
// Keys go to the stepper that has the focus (a hint shows until it has it); a saved page's
// stepper (data-page) takes the focus on load and also gets keys pressed with nothing focused.
(function () {
  "use strict";
  if (window.tracegradStepper) return;

  function fieldsOf(svg, key) {
    // The <text> elements of one drawn element, by the word they start with ("data", "grad",
    // or the names the frames use); remembered with the text's prefix.
    var group = svg.querySelector("g." + key);
    var out = {};
    if (!group) return out;
    group.querySelectorAll("text").forEach(function (t) {
      var words = t.textContent.split(" ");
      out[words[0]] = t;
    });
    return out;
  }

  function setup(root) {
    if (root.dataset.ready) return;
    root.dataset.ready = "1";
    var data = JSON.parse(root.querySelector("script.tg-data").textContent);
    var svg = root.querySelector(".tg-picture svg");
    var view = window.tracegradViewport && root.querySelector(".tg-view")
      ? window.tracegradViewport.setup(root.querySelector(".tg-view")) : null;
    var frames = data.frames;
    var last = frames.length - 1;
    var fields = {};
    var elements = {};
    Object.keys(data.initial).forEach(function (key) {
      fields[key] = fieldsOf(svg, key);
      elements[key] = svg.querySelector("g." + key);
    });
    (data.keys || []).forEach(function (key) {
      if (!elements[key]) elements[key] = svg.querySelector("g." + key);
    });
    var slider = root.querySelector(".tg-slider");
    var status = root.querySelector(".tg-status");
    var counter = root.querySelector(".tg-counter");
    var playButton = root.querySelector('[data-act="play"]');
    var speed = root.querySelector(".tg-speed");
    var table = root.querySelector(".tg-steps tbody");
    var rows = [];
    frames.forEach(function (frame, k) {
      var tr = document.createElement("tr");
      tr.dataset.step = String(k);
      [String(k), frame.phase, frame.say].forEach(function (cell) {
        var td = document.createElement("td");
        td.textContent = cell;
        tr.appendChild(td);
      });
      tr.addEventListener("click", function () { stop(); show(k); });
      table.appendChild(tr);
      rows.push(tr);
    });
    var current = -1;
    var lit = [];
    var timer = null;

    // What the page shows now, so a step touches only the texts and classes that change.
    var shownText = {};
    var shownPending = {};
    var shownHidden = {};

    function write(key, values) {
      var f = fields[key];
      var before = shownText[key] || (shownText[key] = {});
      Object.keys(values).forEach(function (name) {
        if (f[name] && before[name] !== values[name]) {
          f[name].textContent = name + " " + values[name];
          before[name] = values[name];
        }
      });
    }

    function mark(key, isPending, isHidden) {
      var el = elements[key];
      if (!el) return;
      if (shownPending[key] !== isPending) {
        el.classList.toggle("tg-pending", isPending);
        if (data.valueFill) {
          // texts of this colour (the numbers a forward step computes) wait for that step
          el.querySelectorAll('text[fill="' + data.valueFill + '"]').forEach(function (t) {
            t.style.visibility = isPending ? "hidden" : "";
          });
        }
        shownPending[key] = isPending;
      }
      if (data.hideFill && shownHidden[key] !== isHidden) {
        // texts of this colour (the gradients) wait for their backward step
        el.querySelectorAll('text[fill="' + data.hideFill + '"]').forEach(function (t) {
          t.style.visibility = isHidden ? "hidden" : "";
        });
        shownHidden[key] = isHidden;
      }
    }

    function stateAt(k) {
      var state = {};
      Object.keys(data.initial).forEach(function (key) {
        state[key] = Object.assign({}, data.initial[key]);
      });
      var pending = new Set(data.pending);
      var hidden = new Set(data.hidden || []);
      for (var i = 1; i <= k; i++) {
        var changes = frames[i].set || {};
        Object.keys(changes).forEach(function (key) { Object.assign(state[key], changes[key]); });
        (frames[i].reveal || []).forEach(function (key) { pending.delete(key); });
        (frames[i].show || []).forEach(function (key) { hidden.delete(key); });
      }
      return {texts: state, pending: pending, hidden: hidden};
    }

    function show(k) {
      k = Math.max(0, Math.min(last, k));
      var state = stateAt(k);
      Object.keys(state.texts).forEach(function (key) { write(key, state.texts[key]); });
      Object.keys(elements).forEach(function (key) {
        mark(key, state.pending.has(key), state.hidden.has(key));
      });
      lit.forEach(function (el) { el.classList.remove("tg-lit"); });
      lit = (frames[k].lit || []).map(function (key) { return elements[key]; })
        .filter(function (el) { return el; });
      lit.forEach(function (el) { el.classList.add("tg-lit"); });
      if (view && current >= 0) view.reveal(lit);
      if (current >= 0 && rows[current]) rows[current].classList.remove("tg-row-current");
      rows[k].classList.add("tg-row-current");
      var panel = rows[k].closest(".tg-panel-body");
      if (panel && panel.clientHeight) {
        var top = rows[k].offsetTop - panel.clientHeight / 2;
        panel.scrollTop = Math.max(0, top);
      }
      current = k;
      slider.value = String(k);
      counter.textContent = "step " + k + " / " + last;
      status.textContent = frames[k].say;
      root.dataset.step = String(k);
      if (k === last) stop();
    }

    function stop() {
      if (timer !== null) clearInterval(timer);
      timer = null;
      playButton.textContent = "▶";
      playButton.setAttribute("aria-label", "Play");
      root.dataset.playing = "false";
    }

    function play() {
      if (timer !== null) { stop(); return; }
      if (current >= last) show(0);
      playButton.textContent = "||";
      playButton.setAttribute("aria-label", "Pause");
      root.dataset.playing = "true";
      timer = setInterval(function () { show(current + 1); }, Number(speed.value));
    }

    var actions = {
      first: function () { stop(); show(0); },
      prev: function () { stop(); show(current - 1); },
      next: function () { stop(); show(current + 1); },
      last: function () { stop(); show(last); },
      play: play
    };
    root.querySelectorAll("[data-act]").forEach(function (button) {
      button.addEventListener("click", function () { actions[button.dataset.act](); });
    });
    slider.addEventListener("input", function () { stop(); show(Number(slider.value)); });
    speed.addEventListener("change", function () { if (timer !== null) { stop(); play(); } });
    function onKey(event) {
      if (event.target.tagName === "SELECT" || event.ctrlKey || event.metaKey ||
          event.altKey) return;
      var act = {ArrowRight: "next", ArrowLeft: "prev", Home: "first", End: "last",
                 " ": "play"}[event.key];
      if (!act) return;
      if (event.target === slider && act !== "play") return; // the slider moves by itself
      event.preventDefault();
      actions[act]();
    }
    root.addEventListener("keydown", onKey);
    var hint = root.querySelector(".tg-hint");
    // shown while the stepper has no focus (stepper.css); a page's stepper gets every key
    if (hint && !root.dataset.page) hint.hidden = false;
    if (root.dataset.page) {
      document.addEventListener("keydown", function (event) {
        var active = document.activeElement;
        if (active && active !== document.body && active !== document.documentElement) return;
        onKey(event);
      });
      root.focus({preventScroll: true});
    }
    root.tracegrad = {show: show, play: play, stop: stop,
                      frame: function () { return current; }};
    show(0);
  }

  window.tracegradStepper = {
    setup: setup,
    scan: function () { document.querySelectorAll(".tg-stepper").forEach(setup); }
  };
})();
