"""Each lesson reads as a lesson: it opens with what the learner will be able to do (two or
three objectives, right after its title) and closes with a summary of what to remember."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

LESSONS = sorted((Path(__file__).parent.parent / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SUMMARY = re.compile(r"^## (What to remember|What to take away|\d+ · Summary)", re.M)


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.name)
def test_a_lesson_opens_with_two_or_three_objectives(lesson):
    first, second = ("".join(c["source"]) for c in cells(lesson)[:2])
    assert first.startswith("# "), "the title comes first"
    assert second.startswith("**You will be able to:**")
    objectives = re.findall(r"^- .+", second, flags=re.M)
    assert 2 <= len(objectives) <= 3, objectives


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.name)
def test_a_lesson_closes_with_a_summary(lesson):
    tail = ["".join(c["source"]) for c in cells(lesson)[-4:] if c["cell_type"] == "markdown"]
    assert any(SUMMARY.search(text) for text in tail), "no summary among the last cells"


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.name)
def test_step_by_step_displays_keep_every_frame_when_exported(lesson):
    """A display updated in place (``display_id=True``) exports as its last frame only; a
    lesson steps with the stepper, whose page keeps every frame."""
    code = "\n".join("".join(c["source"]) for c in cells(lesson) if c["cell_type"] == "code")
    assert "display_id=True" not in code and "update_display" not in code
