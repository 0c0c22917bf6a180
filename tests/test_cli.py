"""`tracegrad demo`: the step table, the pictures, the hand-derived gradients."""

import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from nn import cli
from nn.cli import main


def test_demo_prints_table_writes_pictures_and_matches_the_course(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path / "out"), "--no-progress"]) == 0
    text = capsys.readouterr().out
    assert "upstream ∂root/∂node" in text
    assert (tmp_path / "out" / "neuron.svg").read_text().lstrip().startswith("<?xml")
    assert (tmp_path / "out" / "neuron.png").read_bytes()[:4] == b"\x89PNG"
    hand_rows = [line for line in text.splitlines() if "(ŷ−y)" in line or "ŷ−y " in line]
    assert len(hand_rows) == 3 and all(line.rstrip().endswith("yes") for line in hand_rows)
    mazur_rows = [line for line in text.splitlines() if " published " in line]
    assert len(mazur_rows) == 4 and all(line.endswith("match yes") for line in mazur_rows)
    assert "δ₁⁽²⁾" in text and "✗" not in text  # the layer-by-layer table, identities hold
    assert "a₁⁽¹⁾" in (tmp_path / "out" / "network.svg").read_text()
    assert (tmp_path / "out" / "network.png").read_bytes()[:4] == b"\x89PNG"
    for page in ("backprop.html", "network.html"):  # steppers: one self-contained page each
        html = (tmp_path / "out" / page).read_text(encoding="utf-8")
        assert 'class="tg-stepper"' in html and "<script src" not in html
        assert '"phase":"update"' in html  # each ends with w ← w − η·∂L/∂w, as printed
    assert text.count("ends with the update w ← w − η·∂L/∂w") == 2  # both pages say so
    for picture in ("loss_curve.png", "decision_boundary.png"):
        assert (tmp_path / "out" / picture).read_bytes()[:4] == b"\x89PNG"
    accuracy = re.search(r"test accuracy ([\d.]+)%", text)
    assert accuracy and float(accuracy.group(1)) >= 90


def test_the_demo_names_the_neuron_as_the_course_does_from_1(tmp_path, capsys):
    cli.demo(tmp_path)  # the one-neuron part of 'tracegrad demo'
    neuron_part = capsys.readouterr().out
    assert "Why ∂L/∂w₁ has its value" in neuron_part and "∂L/∂w₁ = " in neuron_part
    for zero_based in ("w0", "x0", "∂L/∂w0"):
        assert zero_based not in neuron_part, zero_based
    hand = [line.split()[:2] for line in neuron_part.splitlines() if "(ŷ−y)·" in line]
    assert hand == [["∂L/∂w₁", "(ŷ−y)·x₁"], ["∂L/∂w₂", "(ŷ−y)·x₂"]]
    svg = (tmp_path / "neuron.svg").read_text(encoding="utf-8")
    assert ">w₁<" in svg and ">x₂ = " in svg and ">w0<" not in svg


def test_console_script_is_installed(tmp_path):
    exe = Path(sys.executable).parent / "tracegrad"
    done = subprocess.run([str(exe), "demo", "--out", str(tmp_path)], capture_output=True,
                          text=True, check=True)
    assert "neuron.png" in done.stdout and "decision_boundary.png" in done.stdout
    assert "training" in done.stderr  # the tqdm progress bar


# --- bad arguments: one line on stderr, argparse style, exit status 2 -------------------------
def run_main(argv, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    out, err = capsys.readouterr()
    return info.value.code, out, err


def assert_one_error_line(err, *fragments):
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith("tracegrad: error: ")
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err, (fragment, err)


def test_out_is_an_existing_file(tmp_path, capsys):
    target = tmp_path / "taken.png"
    target.write_bytes(b"not a folder")
    code, out, err = run_main(["demo", "--out", str(target), "--no-progress"], capsys)
    assert code == 2 and out == ""  # refused before the demo prints anything
    assert_one_error_line(err, f"--out {target} is a file, not a folder")
    assert target.read_bytes() == b"not a folder"


def test_out_under_a_file(tmp_path, capsys):
    target = tmp_path / "file.txt"
    target.write_text("x")
    code, out, err = run_main(["demo", "--out", str(target / "sub" / "dir")], capsys)
    assert code == 2 and out == ""
    assert_one_error_line(err, f"is under {target}, which is a file, not a folder")


def test_out_folder_without_write_permission(tmp_path, capsys, monkeypatch):
    # Root may write anywhere, so a chmod cannot stand in for the refusal: make the probe
    # file fail the way an unwritable folder does.
    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "TemporaryFile", denied)
    code, out, err = run_main(["demo", "--out", str(tmp_path)], capsys)
    assert code == 2 and out == ""
    assert_one_error_line(err, f"--out {tmp_path}: cannot write there (Permission denied)",
                          "choose a folder you can write to")


def test_out_folder_nobody_can_write_to(capsys):
    code, out, err = run_main(["demo", "--out", "/proc"], capsys)  # Linux: not even root
    assert code == 2 and out == ""
    assert_one_error_line(err, "--out /proc: cannot write there")


def test_out_with_a_null_byte(capsys):
    code, _, err = run_main(["demo", "--out", "a\0b"], capsys)
    assert code == 2
    assert_one_error_line(err, "--out 'a\\x00b' is not a usable path")


@pytest.mark.parametrize("argv, fragment", [
    ([], "the following arguments are required: command"),
    (["frob"], "invalid choice: 'frob'"),
    (["demo", "--out"], "argument --out: expected one argument"),
    (["demo", "--bogus"], "unrecognized arguments: --bogus"),
    (["demo", "--no-progress=yes"], "ignored explicit argument 'yes'"),
])
def test_other_usage_errors_are_one_line_too(argv, fragment, capsys):
    code, out, err = run_main(argv, capsys)
    assert code == 2 and out == ""
    assert_one_error_line(err, fragment, "--help')")


def test_a_write_failure_during_the_demo_is_one_line_with_status_1(tmp_path, capsys,
                                                                    monkeypatch):
    def full_disk(out_dir):
        raise OSError(28, "No space left on device", str(out_dir / "neuron.svg"))

    monkeypatch.setattr(cli, "demo", full_disk)
    code, _, err = run_main(["demo", "--out", str(tmp_path)], capsys)
    assert code == 1
    assert_one_error_line(err, f"could not write {tmp_path / 'neuron.svg'}: No space left")


def test_console_script_reports_a_bad_out_without_traceback(tmp_path):
    exe = Path(sys.executable).parent / "tracegrad"
    target = tmp_path / "file"
    target.write_text("x")
    done = subprocess.run([str(exe), "demo", "--out", str(target)], capture_output=True,
                          text=True)
    assert done.returncode == 2 and done.stdout == ""
    assert_one_error_line(done.stderr, "is a file, not a folder")
