"""Names where they are shown: the namer hook, the course's names of a network (1-based), the
rule beside the number, the forward pass in the network's order, the update phase."""

from __future__ import annotations

import math
import re

import pytest

import autograd
import nn
from autograd import Value, backward_steps, naming, ops, stepper, steps_table
from autograd.naming import rule_text

MAX_SENTENCE = 120


def network_221():
    """The issue's network: 2-2-1 sigmoid, one sample, binary cross-entropy (mean)."""
    model = nn.MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid", seed=0)
    loss = nn.losses.binary_cross_entropy([model([0.5, -1.0])], [1.0])
    return model, loss


def node_names(root) -> dict:
    with naming.showing(root):
        return {v: naming.name(v) for v in autograd.topological_order(root)}


# --- sentences ------------------------------------------------------------------------------
def test_every_step_sentence_of_the_221_network_fits_in_120_characters():
    _, loss = network_221()
    made = stepper(loss, lr=0.1)
    phases = {f["phase"] for f in made.frames}
    assert phases == {"start", "forward", "backward", "update"}
    too_long = [f["say"] for f in made.frames if len(f["say"]) > MAX_SENTENCE]
    assert too_long == []
    records = list(backward_steps(loss))
    assert max(len(str(r)) for r in records) <= MAX_SENTENCE  # the records' own text too


def test_a_backward_step_shows_the_rule_beside_the_number():
    _, loss = network_221()
    said = [f["say"] for f in stepper(loss).frames if f["phase"] == "backward"]
    by_start = {s.split(" += ")[0]: s for s in said[1:]}
    y_hat = next(r for r in backward_steps(loss) if r.node.op is nn.losses.CLAMPED_LOG).parent
    assert by_start["∂L/∂ŷ"] == (
        f"∂L/∂ŷ += ∂L/∂log(ŷ) × ∂log(ŷ)/∂ŷ = -1 × 1/ŷ (ŷ > exp(-100)) = "
        f"-1 × {1 / y_hat.data:.4g} = "
        f"{-1 / y_hat.data:.4g}")  # BCE's log is PyTorch's clamped one: its case is said
    a11 = [r for r in backward_steps(loss) if r.node.op is autograd.ops.SIGMOID][1]  # a₁⁽¹⁾ → z₁⁽¹⁾
    slope = a11.node.data * (1 - a11.node.data)
    assert f"× ∂a₁⁽¹⁾/∂z₁⁽¹⁾ = {a11.upstream_grad:.4g} × a₁⁽¹⁾(1 − a₁⁽¹⁾) = " \
           f"{a11.upstream_grad:.4g} × {slope:.4g} = " in by_start["∂L/∂z₁⁽¹⁾"]
    assert "× ∂(w₁⁽¹⁾ᵀx)/∂w₁,₁⁽¹⁾ = -0.004243 × x₁ = -0.004243 × 0.5 = " \
           in by_start["∂L/∂w₁,₁⁽¹⁾"]
    table = steps_table(backward_steps(loss))
    assert f"1/ŷ (ŷ > exp(-100)) = {1 / y_hat.data:.6g}" in table and "a₁⁽¹⁾(1 − a₁⁽¹⁾) = " in table


# --- names, 1-based -------------------------------------------------------------------------
COURSE_NAMES = ["x₁", "x₂", "w₁,₁⁽¹⁾", "w₂,₂⁽¹⁾", "b₁⁽¹⁾", "z₁⁽¹⁾", "z₂⁽¹⁾", "a₁⁽¹⁾", "a₂⁽¹⁾",
                "w₁,₂⁽²⁾", "z₁⁽²⁾", "ŷ", "ℓ₁", "L"]
ZERO_BASED = re.compile(r"\b[xwab]0\b|[xwzab]₀|⁽⁰⁾|layers\.|neurons\.")


def test_names_are_the_courses_and_one_based_everywhere():
    _, loss = network_221()
    names = set(node_names(loss).values())
    assert set(COURSE_NAMES) <= names
    records = "\n".join(str(r) for r in backward_steps(loss))
    table = steps_table(backward_steps(loss))
    frames = "\n".join(f["say"] for f in stepper(loss, lr=0.1).frames)
    source = autograd.draw(loss).source
    boxes = "\n".join(re.findall(r'\[label="([^"]*)"', source))  # not the hover texts
    for where, text in (("records", records), ("table", table), ("stepper", frames),
                        ("drawing", boxes)):
        missing = [n for n in COURSE_NAMES if n not in text and not
                   (where in ("records", "table") and n in ("x₁", "x₂"))]
        assert missing == [], where
        assert ZERO_BASED.search(text) is None, where
    assert 'tooltip="w₁,₁⁽¹⁾ = layers.0.neurons.0.w.0;' in source  # the dotted name on hover
    assert "x₁ = 0.5" in source and "x₂ = -1" in source  # the inputs' boxes
    assert "x₁" in records and "x₂" in records  # ∂(w⁽¹⁾ᵀx)/∂w = xₖ


def test_a_neurons_weighted_sum_is_named_by_its_weights_and_inputs():
    _, loss = network_221()
    names = node_names(loss)
    dots = {n for v, n in names.items() if v.op is autograd.ops.DOT}
    assert dots == {"w₁⁽¹⁾ᵀx", "w₂⁽¹⁾ᵀx", "w₁⁽²⁾ᵀa⁽¹⁾"}
    sums = [n for v, n in names.items() if v.op is autograd.ops.SUM]
    assert sums == ["Σᵢℓᵢ"]
    unfused = nn.MLP(2, [2, 1], activation="tanh", fused=False, seed=0)
    out = unfused([0.5, -1.0])
    names = node_names(out)
    assert names[out] == "ŷ" and {"z₁⁽¹⁾", "a₂⁽¹⁾", "x₁", "x₂"} <= set(names.values())
    assert "w₁,₁⁽¹⁾·x₁" in names.values()  # a product of the unfused neuron, by its formula


@pytest.mark.parametrize("loss, preds, targets", [
    (nn.losses.mse, [0.2, 0.7], [0.0, 1.0]),
    (nn.losses.mae, [0.2, 0.7], [0.0, 1.0]),
    (nn.losses.binary_cross_entropy, [0.2, 0.7], [0.0, 1.0]),
    (nn.losses.LOSSES["bce_with_logits"], [0.2, -0.7], [0.0, 1.0]),
    (nn.losses.cross_entropy, [[0.2, 0.1], [0.3, -0.4]], [0, 1]),
    (nn.losses.hinge, [0.2, -0.7], [-1, 1]),
])
def test_every_loss_is_named_L_with_terms_l_i(loss, preds, targets):
    values = [[Value(p) for p in row] if isinstance(row, list) else Value(row)
              for row in preds]
    L = loss(values, targets)
    assert L.label == "L"
    total = L.parents[0]
    assert total.op is autograd.ops.SUM and total.label == "Σᵢℓᵢ"
    assert [t.label for t in total.parents] == ["ℓ₁", "ℓ₂"]
    summed = loss(values, targets, reduction="sum")
    assert summed.label == "L" and [t.label for t in summed.parents] == ["ℓ₁", "ℓ₂"]
    weighted = loss(values, targets, weights=[1.0, 2.0])
    assert weighted.label == "L" and weighted.parents[0].label == "Σᵢwᵢℓᵢ"


def test_the_users_labels_win_for_plain_values():
    w = Value(0.5, label="w")
    x = autograd.constant(2.0, "x")
    y = (w * x).tanh()
    y.label = "ŷ mine"
    assert node_names(y)[w] == "w" and node_names(y)[x] == "x"
    assert node_names(y)[y] == "ŷ mine"


# --- the namer hook ---------------------------------------------------------------------------
def test_a_custom_namer_wins_everywhere_and_none_falls_back():
    _, loss = network_221()

    def namer(v):
        return "Loss" if v is loss else None  # no opinion on the others

    record = next(backward_steps(loss, namer=namer))
    assert str(record).startswith("∂Loss/∂Σᵢℓᵢ += ∂Loss/∂Loss × ")
    assert "│" not in steps_table(backward_steps(loss), namer=namer)
    assert " Loss " in steps_table(backward_steps(loss), namer=namer)
    assert "ŷ" in steps_table(backward_steps(loss), namer=namer)  # nn's, for the others
    frames = stepper(loss, namer=namer).frames
    assert any(f["say"].startswith("forward: Loss = ") for f in frames)
    assert 'label="{ Loss · / |' in autograd.draw(loss, namer=namer).source
    assert autograd.draw(loss, namer=namer).stepper().frames[-1]["say"] == frames[-1]["say"]
    assert naming.name(loss, namer=namer) == "Loss" and naming.name(loss) == "L"


def test_without_a_registered_namer_the_engine_uses_labels_and_formulas():
    model, loss = network_221()
    naming.unregister_namer(nn.notation.course_name)
    try:
        names = node_names(loss)
        w = model.parameters()[0]
        assert names[w] == "layers.0.neurons.0.w.0"  # the label, as typed
        z = next(v for v in names if v.op is autograd.ops.ADD and v.parents[1] is model.layers[0]
                 .neurons[0].b)
        assert names[z] == f"+#{z.id}"  # its formula is too long: its op and number
        assert not {"z₁⁽¹⁾", "a₁⁽¹⁾", "ŷ", "x₁"} & set(names.values())
        assert names[loss] == "L"  # the loss's label
    finally:
        naming.register_namer(nn.notation.course_name)
    assert node_names(loss)[model.parameters()[0]] == "w₁,₁⁽¹⁾"


def test_the_namer_registry_checks_its_arguments():
    assert nn.notation.course_name in naming.namers()
    count = len(naming.namers())
    naming.register_namer(nn.notation.course_name)  # twice: one entry
    assert len(naming.namers()) == count
    with pytest.raises(TypeError, match="namer must be a function"):
        naming.register_namer("w")
    with pytest.raises(ValueError, match="is not registered"):
        naming.unregister_namer(lambda v: None)
    with pytest.raises(TypeError, match="returned int 3"):
        naming.name(Value(1.0), namer=lambda v: 3)
    with pytest.raises(TypeError, match="namer must be a function"):
        stepper(Value(1.0) * 2, namer="L")


def test_long_formulas_get_a_short_name_and_the_full_formula_on_hover():
    a, b, c = (Value(v, label=n) for v, n in ((1.0, "a"), (2.0, "b"), (3.0, "c")))
    long = (a * b + b * c + c * a) * (a - b)
    assert len(naming.formula(long, own_label=False, max_length=100)) > 24
    assert naming.name(long) == f"*#{long.id}"  # at most 24 characters: op and number
    assert naming.full_formula(long) == "(a·b + b·c + c·a)·(a − b)"
    assert "(a·b + b·c + c·a)·(a − b)" in autograd.draw(long).source  # the tooltip


# --- the rule of every op -------------------------------------------------------------------
_MATH = {name: getattr(math, name) for name in dir(math) if not name.startswith("_")}


def _python(text: str) -> str:
    """A rule's text as a Python expression over the operands' labels."""
    supers = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
    text = re.sub(r"[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+", lambda m: f"**({m.group(0).translate(supers)})", text)
    text = text.replace("−", "-").replace("·", "*").replace("^", "**")
    text = text.replace("σ(", "sigmoid(").replace("ln(", "log(")
    text = re.sub(r"√(\w+|\([^()]*\))", r"sqrt(\1)", text)
    text = re.sub(r"(\d)(sqrt|[a-z])", r"\1*\2", text)
    functions = {"sign", "sigmoid"} | _MATH.keys()
    return re.sub(r"\b([a-z]\w*)\(", lambda m: m.group(0) if m.group(1) in functions
                  else f"{m.group(1)}*(", text)


def _cases():
    """(op, inputs) for every op of the engine's table and nn's, at points on both sides
    of their kinks."""
    for op in ops.all_ops():  # the built-in ops and nn's (nn registers its own)
        if op is ops.POW:
            for n in (0, 1, 2, 3, -1, 0.5, 1.5, -0.5):
                yield op.with_params(n), (1.3,)
        elif op.inputs == "all":
            yield op, (0.7, -1.3, 2.0)
        elif op.inputs == "halves":
            yield op, (0.7, -1.3, 2.0, 0.4)
        elif op.arity() == 2 or op.forward is None:
            yield op, (1.3, 0.7)
        elif op is nn.losses.CLAMPED_LOG:  # on both sides of e⁻¹⁰⁰
            yield op, (0.6,)
            yield op, (1e-50,)
        else:
            yield op, (0.7,)
            yield op, (-0.7,)


def _cases_ids():
    return [f"{op.describe()}{inputs}" for op, inputs in _cases()]


@pytest.mark.parametrize("op, inputs", list(_cases()), ids=_cases_ids())
def test_the_rule_text_of_every_op_evaluates_to_its_local_derivative(op, inputs):
    if op in (ops.LOG, nn.losses.CLAMPED_LOG) and inputs[0] < 0:
        return
    values = [Value(v, label=f"i{k}") for k, v in enumerate(inputs)]
    try:
        out = autograd.apply(op, *values)
    except (ValueError, ArithmeticError):
        return  # outside the op's domain
    out.label = "y"
    env = _MATH | {v.label: v.data for v in values} | {"y": out.data, "sign": lambda t: (
        math.copysign(1.0, t) if t else 0.0), "sigmoid": lambda t: 1 / (1 + math.exp(-t))}
    assert op.derivative is not None, f"{op.describe()} has no derivative text"
    for i, local in enumerate(out.local_grads):
        text = rule_text(out, i)
        assert text is not None
        case = re.fullmatch(r"(.+) \((.+ [<>≤≥] .+)\)", text)  # "1 (i0 > 0)": a rule's case
        if case is not None:
            text, condition = case.groups()
            condition = condition.replace("≤", "<=").replace("≥", ">=")
            assert eval(_python(condition), env), f"{text}: the case said does not hold"
        assert eval(_python(text), env) == pytest.approx(local, rel=1e-12, abs=1e-300), text


def test_an_op_without_a_derivative_text_shows_the_number_alone():
    cube = ops.Op("cube", lambda out, x: (3 * x * x,), forward=lambda x: x ** 3)
    x = Value(2.0, label="x")
    y = autograd.apply(cube, x)
    y.label = "y"
    record = next(backward_steps(y))
    assert record.rule is None and str(record) == "∂y/∂x += ∂y/∂y × ∂y/∂x = 1 × 12 = 12"
    with pytest.raises(TypeError, match="derivative must be a tuple of texts"):
        ops.Op("bad", lambda out, x: (1.0,), forward=lambda x: x, derivative=(1,))


# --- the forward pass in the network's order --------------------------------------------------
def test_the_forward_pass_goes_inputs_layer_by_layer_neuron_by_neuron_then_the_loss():
    _, loss = network_221()
    frames = [f["say"] for f in stepper(loss).frames if f["phase"] == "forward"]
    first = {}
    for i, say in enumerate(frames):
        name = say.removeprefix("forward: ").split(" = ")[0]
        first.setdefault(name, i)
    order = [first[n] for n in ("x₁", "x₂", "w₁,₁⁽¹⁾", "w₁,₂⁽¹⁾", "b₁⁽¹⁾", "z₁⁽¹⁾", "a₁⁽¹⁾",
                                "w₂,₁⁽¹⁾", "b₂⁽¹⁾", "z₂⁽¹⁾", "a₂⁽¹⁾",
                                "w₁,₁⁽²⁾", "b₁⁽²⁾", "z₁⁽²⁾", "ŷ", "ℓ₁", "L")]
    assert order == sorted(order)
    assert frames[-1].startswith("forward: L = ")
    numbers = [i for i, say in enumerate(frames) if "the number" in say]
    assert all(i > first["ŷ"] for i in numbers)  # the loss's numbers come with the loss


def test_reading_order_is_a_topological_order_of_the_whole_graph():
    for loss in (network_221()[1], nn.losses.mse([nn.MLP(3, [4, 4, 2], seed=1)([1, 2, 3])],
                                                  [[0.0, 1.0]])):
        order = autograd.reading_order(loss)
        assert set(order) == set(autograd.topological_order(loss)) and len(order) == len(set(
            order))
        position = {v: i for i, v in enumerate(order)}
        assert all(position[p] < position[v] for v in order for p in v.parents)


# --- the update phase -------------------------------------------------------------------------
def test_the_update_phase_applies_w_minus_lr_grad_and_leaves_the_model_as_it_was():
    model, loss = network_221()
    before = [(p.data, p.grad) for p in model.parameters()]
    made = stepper(loss, lr=0.1)
    assert [(p.data, p.grad) for p in model.parameters()] == before
    updates = [f for f in made.frames if f["phase"] == "update"]
    assert len(updates) == len(model.parameters())
    loss.backward()
    for p, frame in zip(model.parameters(), updates):  # in the network's order
        new = p.data - 0.1 * p.grad
        name = node_names(loss)[p]
        assert frame["say"].startswith(f"update: {name} ← {p.data:.4g} − 0.1 × ")
        assert f"= {new:.4g} " in frame["say"]
        (key, texts), = frame["set"].items()
        assert texts == {"data": f"{new:.4g}"} and frame["lit"] == [key]
        if len(f"{new:.4g}") > len(f"{p.data:.4g}"):  # its box is drawn wide enough for it
            assert f"data {new:.4g}" in made.drawing.source
    with pytest.raises(ValueError, match="lr must be a finite number > 0"):
        stepper(loss, lr=0.0)


def test_the_network_stepper_updates_every_parameter_and_hides_values_until_computed():
    model, x, target = nn.examples.mazur_network()
    before = model.state_dict()
    drawing = nn.draw_network(model, x, target=target, loss="mse")
    made = drawing.stepper(lr=0.5)
    assert model.state_dict() == before
    table = nn.backprop_by_layer(model, x, target, "mse")
    updates = [f for f in made.frames if f["phase"] == "update"]
    assert len(updates) == len(model.parameters())
    for frame in updates:
        name = frame["say"].removeprefix("update: ").split(" ← ")[0]
        p = next(q for q in model.parameters() if nn.notation.parameter_symbol(q) == name)
        new = p.data - 0.5 * table.row(f"∂L/∂{name}").value
        assert frame["say"].endswith(f"= {new:.4g}   (w ← w − η·∂L/∂w)")
        field = "b" if name.startswith("b") else name  # a neuron's "b = …", an edge's "w… = …"
        assert list(frame["set"].values()) == [{field: f"= {new:.4g}"}]
    assert made.value_fill == nn.diagram.VALUE  # z, a and the loss wait for their step
    svg = drawing.svg()
    assert f'fill="{nn.diagram.VALUE}">0.5933<' in svg  # a₁⁽¹⁾'s value, in that colour
    with pytest.raises(ValueError, match="lr must be"):
        drawing.stepper(lr=-1)


def test_a_rule_in_two_cases_shows_the_case_the_numbers_are_in():
    """relu's rule is "1 if z > 0 else 0": a step says which case holds, and why."""
    model = nn.MLP(2, [2, 1], activation="relu", seed=1)
    loss = nn.losses.mse([model([0.5, -1.0])], [1.0])
    seen = set()
    for r in backward_steps(loss):
        if r.node.op is autograd.ops.RELU:
            z = r.parent
            case = "1 (z" if z.data > 0 else "0 (z"
            assert r.rule.startswith(case) and r.rule.endswith(("> 0)", "≤ 0)"))
            assert float(r.rule.split(" ")[0]) == r.local_grad
            seen.add(z.data > 0)
    assert seen == {True, False}  # this seed has one active and one inactive hidden neuron
