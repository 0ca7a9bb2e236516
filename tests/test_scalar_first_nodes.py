"""Node names, edges and gradients when a Python scalar comes first: the function forms
(`torch.sub(2, x)`: the tensor-tensor node with an empty first edge) versus the operators
(`2 - x`: RsubBackward1 with one edge; `2 / x`: reciprocal times the scalar)."""
import pytest
import torch

import oxytorch as ot

from parity import assert_same

CASES = [
    "m.add(2, x)", "m.add(2.5, x, alpha=3)", "m.sub(2, x)", "m.sub(2, x, alpha=2)", "m.mul(2, x)",
    "m.div(2, x)", "m.multiply(3, x)", "m.subtract(1.5, x)", "m.true_divide(2, x)",
    "2 + x", "2 - x", "2 * x", "2 / x", "x + 2", "x - 2", "x * 2", "x / 2",
    "m.add(x, 2)", "m.sub(x, 2)", "m.mul(x, 2)", "m.div(x, 2)", "m.rsub(x, 2)",
    "m.add(2, x * x)", "m.div(2, x.t())", "m.sub(2, x).sum()",
]


def _structure(r):
    def names(fn):
        return [None if n[0] is None else n[0].name() for n in fn.next_functions]
    return r.grad_fn.name(), names(r.grad_fn)


@pytest.mark.parametrize("code", CASES)
def test_scalar_first_nodes(code):
    out = []
    for m in (torch, ot):
        x = m.arange(1.0, 7.0, dtype=m.float64).reshape(2, 3).requires_grad_()
        r = eval(code)
        r.backward(m.ones_like(r))
        out.append((_structure(r), r.detach(), x.grad))
    (st, rt, gt), (so, ro, go) = out
    assert so == st
    assert_same(ro, rt)
    assert_same(go, gt)


@pytest.mark.parametrize("code", ["m.sub(2, x)", "m.div(2, x)", "m.mul(2, x)", "m.add(2, x)"])
def test_scalar_first_second_derivatives(code):
    out = []
    for m in (torch, ot):
        x = m.arange(1.0, 4.0, dtype=m.float64).requires_grad_()
        y = eval(code)
        (g,) = m.autograd.grad((y * y).sum(), x, create_graph=True)
        (gg,) = m.autograd.grad(g.sum(), x)
        out.append((g.detach(), gg))
    assert_same(out[1][0], out[0][0])
    assert_same(out[1][1], out[0][1])
