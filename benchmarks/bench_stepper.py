"""Stepper benchmark: how long one step takes in a real browser, for a graph of ~2,000 steps.

Builds one sample's loss through an MLP(2, [24, 24, 1]) (over 2,000 forward and backward steps),
saves its stepper page, opens it in Debian's Chromium (Playwright) and measures, inside the
page, the time of a step forward (→), of a step back (←) and of a jump (the slider to any
step), each including the style and layout the browser needs before it can paint. A frame at
60 Hz lasts 16.7 ms: a step faster than that is instant to the eye.

Run:  make bench   (or .venv/bin/python benchmarks/bench_stepper.py)
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import autograd
import nn

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from conftest import chromium_path  # the tests' way of finding Chromium

FRAME_MS = 1000 / 60


def build(shape=(24, 24, 1)):
    model = nn.MLP(2, list(shape), seed=0)
    loss = (model([0.5, -1.0]) - 1.0) ** 2
    loss.label = "L"
    return loss


def measure(page, moves: list[int]) -> list[float]:
    """Milliseconds per show(k) call, layout included (getBoundingClientRect forces it)."""
    return page.evaluate("""(moves) => {
        const root = document.querySelector('.tg-stepper');
        const svg = root.querySelector('svg');
        const times = [];
        for (const k of moves) {
            const t0 = performance.now();
            root.tracegrad.show(k);
            svg.getBoundingClientRect();
            root.querySelector('.tg-status').getBoundingClientRect();
            times.push(performance.now() - t0);
        }
        return times;
    }""", moves)


def main() -> None:
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        print("bench_stepper: no Chromium found (apt-get install chromium); skipped")
        return
    loss = build()
    t0 = time.perf_counter()
    made = autograd.stepper(loss, max_nodes=2000)
    with tempfile.TemporaryDirectory() as folder:
        path = made.save(Path(folder) / "big.html")
        built = time.perf_counter() - t0
        size = path.stat().st_size
        n_nodes = len(autograd.topological_order(loss))
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1000, "height": 800})
            t0 = time.perf_counter()
            page.goto(path.as_uri())
            page.wait_for_function("document.querySelector('.tg-stepper').dataset.ready")
            opened = time.perf_counter() - t0
            last = made.steps
            forward = measure(page, list(range(1, last + 1)))
            backward = measure(page, list(range(last - 1, -1, -1)))
            jumps = measure(page, [last, 0, last // 2, last, 1, last - 1] * 5)
            browser.close()

    def line(name, times):
        median, worst = statistics.median(times), max(times)
        return (f"  {name:<14} median {median:6.2f} ms   worst {worst:6.2f} ms   "
                f"({FRAME_MS / median:5.1f}× faster than a 60 Hz frame)")

    print(f"stepper: {n_nodes} nodes, {made.steps} steps; page {size / 1e6:.2f} MB written in "
          f"{built:.2f} s, opened in {opened:.2f} s")
    print(line("step forward", forward))
    print(line("step back", backward))
    print(line("jump (slider)", jumps))


if __name__ == "__main__":
    main()
