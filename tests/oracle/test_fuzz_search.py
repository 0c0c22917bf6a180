"""``make fuzz``'s search (tests/oracle/fuzz_search.py): its shrinking, its known kinds and the
corpus entries it prints."""

from __future__ import annotations

import json

import fuzz_search as search
import pytest
import test_fuzz_torch as gate


def _entry(name: str) -> dict:
    return next(e for e in gate.load_corpus() if e["name"] == name)


def test_shrink_keeps_the_shortest_prefix_that_still_mismatches():
    program = gate.corpus_program(_entry("sigmoid-745-infinite-upstream"))
    longer = gate.Program(program.inputs, (*program.instructions,
                                           gate.Instruction("add_number", (3,), 1.0),
                                           gate.Instruction("tanh", (4,))))
    found = search.findings_of(longer, order=1)
    assert found.groups  # the infinite upstream still reaches sigmoid through add and tanh
    shrunk = search.shrink(longer, 1, 0, search.kind_of(found))
    assert str(shrunk) == str(program)  # no shorter prefix gives sigmoid an infinite upstream


def test_the_corpus_documented_kinds_are_known_to_the_search():
    known = search.documented_kinds()
    for entry in gate.load_corpus():
        if "expected" in entry and entry["order"] == 1:
            found = search.findings_of(gate.corpus_program(entry), 1)
            assert known[search.kind_of(found)] == entry["name"]


def test_search_prints_a_summary_and_entries_that_load_as_corpus_programs(capsys):
    status = search.main(["--programs", "120", "--seed", "3"])
    out = capsys.readouterr().out
    assert "make fuzz: seed 3, 120 programs" in out
    entries = [json.loads(line.rstrip(",")) for line in out.splitlines() if line.startswith("{")]
    assert status == (1 if entries else 0)
    for entry in entries:
        gate.corpus_program(entry)  # ready to paste: it parses as the gate reads it


def test_search_refuses_a_non_positive_time():
    with pytest.raises(SystemExit):
        search.main(["--seconds", "0"])
