"""Type hints that type checkers cannot work out alone: ``Value``'s op methods.

``Value``'s elementary methods (``exp``, ``tanh``, ``__neg__``…) are attached at import by a
loop over the op registry, which mypy and editors do not run; ``autograd/value.py`` declares
them in an ``if TYPE_CHECKING:`` block of the class. An op added with a ``method`` needs its
line there too: this test names the missing ones. (``make test`` runs mypy itself.)
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import autograd
from autograd import Value

VALUE_PY = Path(autograd.__file__).with_name("value.py")


def _declared_methods() -> dict[str, ast.FunctionDef]:
    """The methods declared in ``class Value``'s ``if TYPE_CHECKING:`` blocks."""
    tree = ast.parse(VALUE_PY.read_text(encoding="utf-8"))
    (cls,) = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Value"]
    return {f.name: f for block in cls.body
            if isinstance(block, ast.If) and isinstance(block.test, ast.Name)
            and block.test.id == "TYPE_CHECKING"
            for f in block.body if isinstance(f, ast.FunctionDef)}


def _registered_methods() -> set[str]:
    """The methods the registry attaches for the ops registered by ``import autograd, nn``
    (in a fresh interpreter: tests register ops of their own) — not the methods written by
    hand in the class (``__add__``, ``leaky_relu``…), which ops also name."""
    code = ("import json, autograd, nn\n"
            "made = lambda op: getattr(autograd.Value.__dict__.get(op.method), 'op', None)\n"
            "print(json.dumps([op.method for op in autograd.all_ops()\n"
            "                  if op.method and made(op) is op]))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True, cwd=VALUE_PY.parent.parent)
    return set(json.loads(out.stdout))


def test_every_registered_op_method_is_declared_for_type_checkers():
    declared = _declared_methods()
    registered = _registered_methods()
    missing = sorted(set(registered) - set(declared))
    assert not missing, (
        f"Value methods attached from the op registry but not declared in the "
        f"`if TYPE_CHECKING:` block of class Value in {VALUE_PY}: {missing}; add "
        f"`def {missing[0]}(self) -> Value: ...` there so mypy and editors know it")
    stale = sorted(set(declared) - set(registered))
    assert not stale, f"declared in value.py's TYPE_CHECKING block but no op attaches: {stale}"


def test_the_declarations_match_the_attached_methods():
    for name, node in _declared_methods().items():
        assert [a.arg for a in node.args.args] == ["self"], name  # one input, no parameters
        assert ast.unparse(node.returns) == "Value", name
        assert name not in Value.__dict__ or callable(Value.__dict__[name])
        assert isinstance(getattr(Value(0.5), name)(), Value), name
