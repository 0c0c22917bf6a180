"""The lessons speak the course's French: the glossary in notebooks/README.md puts the
course's own term first, and no lesson uses a variant the glossary lists as avoided."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
README = (ROOT / "notebooks" / "README.md").read_text(encoding="utf-8")
COURSE = "\n".join(p.read_text(encoding="utf-8")
                   for p in sorted((ROOT.parent / "shared" / "course").glob("0*.txt"))) \
    if (ROOT.parent / "shared" / "course").is_dir() else None
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")) + \
    sorted((ROOT / "notebooks" / "solutions").glob("*.ipynb"))


def glossary() -> list[tuple[list[str], str, list[str]]]:
    """Rows (the course's terms, English, avoided variants) of the glossary table."""
    section = README[README.index("## Glossary"):]
    section = section[:section.index("\n## ")]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] in ("the course says", "---"):
            continue
        french = [t.strip() for t in re.sub(r"\(.*?\)", "", cells[0]).split(",") if t.strip()]
        avoided = [t.strip() for t in cells[2].split(",") if t.strip()]
        rows.append((french, cells[1], avoided))
    return rows


def text_of(notebook: Path) -> str:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells)


def fold(text: str) -> str:
    """Lower case with the course's mathematical letters (𝑥) read as plain ones."""
    return unicodedata.normalize("NFKC", text).lower().replace("’", "'")


def test_the_glossary_is_there_and_lists_the_known_variants():
    rows = glossary()
    assert len(rows) >= 20
    avoided = {v for *_, vs in rows for v in vs}
    assert {"surapprentissage", "sur-apprentissage", "passe avant", "écrêtage",
            "planificateurs"} <= avoided


def test_every_french_term_is_the_courses_own():
    if COURSE is None:
        pytest.skip("the course's documents (../shared/course, beside the repository in the "
                    "workplace) are not here: nothing to check the glossary against")
    course = fold(COURSE)
    missing = [t for french, _, _ in glossary() for t in french if fold(t) not in course]
    assert not missing, f"glossary terms the course never uses: {missing}"


def test_no_lesson_uses_an_avoided_variant():
    found = []
    for notebook in LESSONS:
        text = fold(text_of(notebook))
        for _, english, avoided in glossary():
            for variant in avoided:
                if re.search(rf"(?<![\w-]){re.escape(fold(variant))}(?![\w-])", text):
                    found.append(f"{notebook.name}: '{variant}' (the glossary's term: {english})")
    assert not found, "\n".join(found)
