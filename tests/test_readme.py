"""The README's and the user's guide's examples run and say what they claim."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text()
GUIDE = (ROOT / "docs" / "guide.md").read_text()
BLOCKS = re.findall(r"```python\n(.*?)```", README + GUIDE, flags=re.S)


def test_readme_opens_with_the_two_commands():
    first_block = re.search(r"```bash\n(.*?)```", README, flags=re.S).group(1)
    assert "make demo" in first_block and "make test" in first_block


def test_ten_line_example_runs_and_gives_the_published_gradients(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    scope = {}
    exec(BLOCKS[0], scope)
    assert len(BLOCKS[0].strip().splitlines()) <= 12
    grads = [scope[n].grad for n in ("x1", "w1", "x2", "w2")]
    assert grads == pytest.approx([-1.5, 1.0, 0.5, 0.0], abs=1e-12)
    assert (tmp_path / "neuron.svg").read_text().lstrip().startswith("<?xml")


def test_custom_op_example_runs():
    scope = {}
    exec(next(b for b in BLOCKS if '"cube"' in b), scope)
    assert scope["y"].data == 8.0


def test_network_example_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    block = next(b for b in BLOCKS if b.startswith("import nn"))
    scope = {}
    exec(block.replace("epochs=40", "epochs=40, progress=False"), scope)
    assert scope["history"].train_accuracy[-1] >= 0.95
    assert (tmp_path / "moons.json").exists()


def test_replay_example_runs():
    block = next(b for b in BLOCKS if b.startswith("import autograd, nn"))
    scope = {}
    exec(block, scope)
    assert scope["loss"] > 0 and scope["history"].train_accuracy[-1] >= 0.9


def test_the_readme_fits_a_first_screen_and_links_what_it_left_out():
    """The README is the first steps; the rest is one link away, and every link resolves."""
    assert len(README.splitlines()) <= 80
    for doc in (README, GUIDE):
        for target in re.findall(r"\]\(([^)#]+)\)", doc):
            if target.startswith("http"):
                continue
            base = ROOT if doc is README else ROOT / "docs"
            assert (base / target).exists(), target
    for linked in ("notebooks/README.md", "docs/guide.md", "ARCHITECTURE.md"):
        assert f"]({linked})" in README
