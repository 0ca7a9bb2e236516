"""Tensor.register_post_accumulate_grad_hook against torch: when it runs (after .grad is updated, once
per backward), what it sees, removal, errors, and an optimizer step taken inside backward."""
import pytest
import torch

import oxytorch as ot


def _run(L):
    p = L.tensor([1.0, -2.0], requires_grad=True)
    seen = []
    h = p.register_post_accumulate_grad_hook(lambda t: seen.append((t is p, t.grad.tolist())))
    (p * 3).sum().backward()
    (p * p).sum().backward()
    h.remove()
    (p * 3).sum().backward()
    return seen, p.grad.tolist(), type(h).__name__


def test_post_accumulate_hook_runs_after_accumulation():
    assert _run(ot) == _run(torch)


def _step_in_backward(L):
    w = L.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    b = L.tensor([0.5, -0.5], requires_grad=True)
    opt = {p: L.optim.SGD([p], lr=0.1) for p in (w, b)}

    def step(p):
        opt[p].step()
        opt[p].zero_grad()

    for p in (w, b):
        p.register_post_accumulate_grad_hook(step)
    x = L.tensor([[1.0, -1.0], [2.0, 0.5]])
    for _ in range(3):
        ((x @ w + b) ** 2).sum().backward()
    return w.reshape(-1).tolist(), b.tolist(), w.grad, b.grad


def test_optimizer_step_in_backward():
    wo, bo, go, gbo = _step_in_backward(ot)
    wt, bt, gt, gbt = _step_in_backward(torch)
    assert wo == pytest.approx(wt) and bo == pytest.approx(bt)
    assert (go is None) == (gt is None) and (gbo is None) == (gbt is None)


@pytest.mark.parametrize("case", ["non_leaf", "no_grad", "returns_value"])
def test_post_accumulate_hook_errors(case):
    def mk(L):
        if case == "non_leaf":
            return lambda: (L.ones(2, requires_grad=True) * 2).register_post_accumulate_grad_hook(lambda t: None)
        if case == "no_grad":
            return lambda: L.ones(2).register_post_accumulate_grad_hook(lambda t: None)

        def f():
            p = L.ones(2, requires_grad=True)
            p.register_post_accumulate_grad_hook(lambda t: 5)
            (p * 2).sum().backward()
        return f
    with pytest.raises(Exception) as et:
        mk(torch)()
    with pytest.raises(Exception) as eo:
        mk(ot)()
    assert type(eo.value) is type(et.value)
    assert str(eo.value) == str(et.value)


def test_hook_does_not_keep_tensor_alive():
    import gc
    import weakref
    p = ot.ones(2, requires_grad=True)
    p.register_post_accumulate_grad_hook(lambda t: None)
    r = weakref.ref(p)
    del p
    gc.collect()
    assert r() is None
