"""`tracegrad demo`: the step table, the pictures, the hand-derived gradients."""

import re
import subprocess
import sys
from pathlib import Path

from nn.cli import main


def test_demo_prints_table_writes_pictures_and_matches_the_course(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path / "out"), "--no-progress"]) == 0
    text = capsys.readouterr().out
    assert "upstream ∂root/∂node" in text
    assert (tmp_path / "out" / "neuron.svg").read_text().lstrip().startswith("<?xml")
    assert (tmp_path / "out" / "neuron.png").read_bytes()[:4] == b"\x89PNG"
    hand_rows = [line for line in text.splitlines() if "(ŷ−y)" in line or "ŷ−y " in line]
    assert len(hand_rows) == 3 and all(line.rstrip().endswith("yes") for line in hand_rows)
    for picture in ("loss_curve.png", "decision_boundary.png"):
        assert (tmp_path / "out" / picture).read_bytes()[:4] == b"\x89PNG"
    accuracy = re.search(r"test accuracy ([\d.]+)%", text)
    assert accuracy and float(accuracy.group(1)) >= 90


def test_console_script_is_installed(tmp_path):
    exe = Path(sys.executable).parent / "tracegrad"
    done = subprocess.run([str(exe), "demo", "--out", str(tmp_path)], capture_output=True,
                          text=True, check=True)
    assert "neuron.png" in done.stdout and "decision_boundary.png" in done.stdout
    assert "training" in done.stderr  # the tqdm progress bar
