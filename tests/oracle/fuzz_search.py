"""Open-ended differential fuzzing against PyTorch: ``make fuzz`` (``FUZZ_SECONDS=60``).

The gate (``test_fuzz_torch.py``) replays a fixed set of programs, drawn per pair of ops. This
search draws programs over *every* op at once, from a fresh seed each run (or ``--seed``),
for a given time or number of programs, alternating values and first derivatives with
Hessians. Each new kind of mismatch is shrunk (the shortest prefix of the program that still
shows it) and printed as a corpus entry, ready to paste into ``fuzz_corpus.json``: then
decide it — fix the engine, or add ``expected`` saying why ours differs on purpose.

Mismatches of a kind the corpus already documents (``expected``) are counted, not printed.
Exit status: 1 when something new was found, else 0.

Usage::

    python tests/oracle/fuzz_search.py [--seconds 60] [--programs N] [--seed S]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import test_fuzz_torch as gate  # the gate's engine pairs, checks and corpus


def findings_of(program: gate.Program, order: int, method_index: int = 0) -> gate.Findings:
    """The mismatches of one program (order 1: values and gradients; 2: the Hessian)."""
    findings = gate.Findings()
    if order == 1:
        gate.compare_program(program, findings)
    else:
        method = (gate.hessian_by_create_graph, gate.hessian_by_nested_grad)[method_index]
        gate.compare_hessian(program, findings, method)
    return findings


def kind_of(findings: gate.Findings) -> tuple:
    """A mismatch's kind: its first category — for a Hessian, how the numbers differ and
    whether ``a ** b`` with a Value exponent is involved (the ops combined and the inputs
    vary too much to tell kinds apart)."""
    key = min(findings.groups)
    if key[0] == "second derivative":
        return key[0], key[3], "with a ** b" if "pow_value" in key[1] else "without a ** b"
    if key[0] == "local derivative":  # the op, and whether the upstream is ±inf / NaN
        return key[0], key[1], "finite upstream" if key[3][9:] in FINITE else "upstream ±inf/NaN"
    return key


FINITE = {f"{sign}{size}" for sign in "+-" for size in ("normal", "far", "huge", "tiny",
                                                        "subnormal")} | {"0.0", "-0.0"}


def shrink(program: gate.Program, order: int, method_index: int, kind: tuple) -> gate.Program:
    """The shortest prefix of ``program`` whose mismatch is still of this kind (a prefix is a
    program too: its last slot is the output)."""
    for length in range(1, len(program.instructions)):
        prefix = gate.Program(program.inputs, program.instructions[:length])
        found = findings_of(prefix, order, method_index)
        if found.groups and kind_of(found) == kind:
            return prefix
    return program


def documented_kinds() -> dict[tuple, str]:
    """The kinds of mismatch the corpus documents, each with the entry that documents it."""
    kinds = {}
    for entry in gate.load_corpus():
        if "expected" not in entry:
            continue
        program = gate.corpus_program(entry)
        for method_index in (0, 1) if entry["order"] == 2 else (0,):
            found = findings_of(program, entry["order"], method_index)
            if found.groups:
                kinds[kind_of(found)] = entry["name"]
    return kinds


def search(seconds: float, programs: int | None, seed: int) -> int:
    rng = random.Random(seed)
    known = documented_kinds()
    ops = gate.op_names()
    seen: dict[tuple, int] = {}
    known_hits: Counter = Counter()
    compared = 0
    deadline = time.monotonic() + seconds
    k = 0
    while time.monotonic() < deadline and (programs is None or k < programs):
        order = 2 if k % 3 == 2 else 1  # a Hessian costs about two gradient programs
        edge = rng.random() < 0.6
        sizes = {"max_ops": 4, "max_inputs": 2} if order == 2 else {}
        program = gate.random_program(rng, edge=edge, ops=ops, **sizes)
        method_index = rng.randrange(2)
        found = findings_of(program, order, method_index)
        compared += found.compared
        k += 1
        if not found.groups:
            continue
        kind = kind_of(found)
        if kind in known:
            known_hits[known[kind]] += 1
            continue
        seen[kind] = seen.get(kind, 0) + 1
        if seen[kind] > 1:
            continue
        small = shrink(program, order, method_index, kind)
        report = findings_of(small, order, method_index).report().splitlines()
        name = "found-" + "-".join(sorted({i.op for i in small.instructions})) + f"-{seed}-{k}"
        why = f"found by make fuzz (seed {seed}, program {k}): {' | '.join(map(str, kind))}"
        print(f"\n# new mismatch: {' | '.join(map(str, kind))}")
        print("\n".join("#   " + line for line in report[1:]))
        print(json.dumps(gate.corpus_entry(small, order, name, why)) + ",")
    print(f"\nmake fuzz: seed {seed}, {k} programs ({compared} compared, over {len(ops)} ops) "
          f"in {seconds:g} s at most; {len(seen)} new kind(s) of mismatch"
          + (f" ({sum(seen.values())} programs)" if seen else "")
          + (f"; documented in the corpus: {dict(known_hits)}" if known_hits else ""))
    return 1 if seen else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0,
                        help="stop after this many seconds (default 60)")
    parser.add_argument("--programs", type=int, default=None,
                        help="stop after this many programs (default: no limit)")
    parser.add_argument("--seed", type=int, default=None,
                        help="the search's seed (default: a fresh one, printed)")
    args = parser.parse_args(argv)
    if args.seconds <= 0:
        parser.error(f"--seconds must be positive, got {args.seconds}")
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    return search(args.seconds, args.programs, seed)


if __name__ == "__main__":
    sys.exit(main())
