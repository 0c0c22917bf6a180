"""The course map (notebooks/README.md) points at lessons and sections that exist."""

from __future__ import annotations

import json
import re
from pathlib import Path

NOTEBOOKS = Path(__file__).parent.parent / "notebooks"
MAP = (NOTEBOOKS / "README.md").read_text(encoding="utf-8")
LINK = re.compile(r"\[(\d\d)\]\((\d\d_\w+)\.ipynb\)")


def headings(lesson: str) -> list[str]:
    cells = json.loads((NOTEBOOKS / f"{lesson}.ipynb").read_text(encoding="utf-8"))["cells"]
    return [line.lstrip("#").strip().lower() for c in cells if c["cell_type"] == "markdown"
            for line in "".join(c["source"]).splitlines() if line.startswith("#")]


def rows() -> list[list[str]]:
    table = [line for line in MAP.splitlines() if re.match(r"\| 00[0-4] \|", line)]
    return [[c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
            for line in table]


def sections_exist(where: str) -> list[str]:
    """The section references of a map cell that name no heading of their lesson."""
    missing = []
    for lesson_ref in re.split(r";\s*(?=\[\d\d\])", where):
        link = LINK.search(lesson_ref)
        if link is None:
            continue
        titles = headings(link.group(2))
        refs = lesson_ref[link.end():]
        for ref in re.findall(r"§\s*([^;,§()]+)", refs):
            ref = re.split(r" — |: ", ref)[0].strip(" .*`").lower()  # the section's name
            number = re.match(r"(\d+)\b", ref)
            if number:
                ok = any(re.match(rf"{number.group(1)}\s*[·.]", t) for t in titles)
            else:
                ok = ref.startswith(("intro", "what to")) or any(
                    ref[:18] in t or t[:18] in ref for t in titles)
            if not ok:
                missing.append(f"{link.group(2)} § {ref}")
    return missing


def test_every_row_names_a_lesson_or_says_why_it_is_out_of_scope():
    found = rows()
    assert len(found) >= 250  # five documents, item by item
    for row in found:
        where = row[-1]
        if "out of scope" in where.lower() and not LINK.search(where):
            assert len(where.split("out of scope", 1)[1]) > 10, row  # it says why
            continue
        assert LINK.search(where), f"no lesson for {row}"
        for link in LINK.finditer(where):
            assert (NOTEBOOKS / f"{link.group(2)}.ipynb").exists(), row


def test_the_sections_named_exist_in_their_lessons():
    missing = [m for row in rows() for m in sections_exist(row[-1])]
    assert missing == []


def test_every_lesson_and_every_document_is_on_the_map():
    for lesson in NOTEBOOKS.glob("*.ipynb"):
        assert f"({lesson.stem}.ipynb)" in MAP, lesson.stem
    for document in ("000", "001", "002", "003", "004"):
        assert sum(row[0] == document for row in rows()) >= 5, document


def test_a_section_that_does_not_exist_is_noticed():
    assert sections_exist("[03](03_backprop_step_by_step.ipynb) § 42 Nowhere") != []
    assert sections_exist("[03](03_backprop_step_by_step.ipynb) § No such section") != []
    assert sections_exist("[03](03_backprop_step_by_step.ipynb) § 9 Mazur") == []
