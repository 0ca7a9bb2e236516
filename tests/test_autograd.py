"""Autograd parity with real PyTorch: gradients, graph attributes, grad modes, hooks, custom
Functions, in-place rules and error types."""
import gc
import warnings

import numpy as np
import pytest
import torch as real

import oxytorch as ot

F32 = (ot.float32, real.float32)
F64 = (ot.float64, real.float64)


def pair(values, dtype=F64, requires_grad=True):
    a = ot.tensor(values, dtype=dtype[0], requires_grad=requires_grad)
    b = real.tensor(values, dtype=dtype[1], requires_grad=requires_grad)
    return a, b


def close(o, r, rtol=1e-6, atol=1e-7):
    assert o is not None and r is not None, (o, r)
    assert tuple(o.shape) == tuple(r.shape), (o.shape, r.shape)
    assert str(o.dtype).split(".")[-1] == str(r.dtype).split(".")[-1]
    np.testing.assert_allclose(o.detach().numpy(), r.detach().numpy(), rtol=rtol, atol=atol, equal_nan=True)


UNARY = [
    ("neg", [0.5, -1.5, 2.0]),
    ("abs", [0.5, -1.5, 2.0]),
    ("sqrt", [0.5, 1.5, 2.0]),
    ("rsqrt", [0.5, 1.5, 2.0]),
    ("exp", [0.5, -1.5, 2.0]),
    ("exp2", [0.5, -1.5, 2.0]),
    ("expm1", [0.5, -1.5, 2.0]),
    ("log", [0.5, 1.5, 2.0]),
    ("log2", [0.5, 1.5, 2.0]),
    ("log10", [0.5, 1.5, 2.0]),
    ("log1p", [0.5, 1.5, 2.0]),
    ("sin", [0.5, -1.5, 2.0]),
    ("cos", [0.5, -1.5, 2.0]),
    ("tan", [0.5, -1.2, 1.0]),
    ("asin", [0.5, -0.3, 0.9]),
    ("acos", [0.5, -0.3, 0.9]),
    ("atan", [0.5, -1.5, 2.0]),
    ("sinh", [0.5, -1.5, 2.0]),
    ("cosh", [0.5, -1.5, 2.0]),
    ("tanh", [0.5, -1.5, 2.0]),
    ("asinh", [0.5, -1.5, 2.0]),
    ("acosh", [1.5, 2.5, 3.0]),
    ("atanh", [0.5, -0.3, 0.9]),
    ("sigmoid", [0.5, -1.5, 2.0]),
    ("erf", [0.5, -1.5, 2.0]),
    ("erfc", [0.5, -1.5, 2.0]),
    ("erfinv", [0.5, -0.3, 0.9]),
    ("relu", [0.5, -1.5, 2.0]),
    ("square", [0.5, -1.5, 2.0]),
    ("reciprocal", [0.5, -1.5, 2.0]),
    ("floor", [0.5, -1.5, 2.2]),
    ("ceil", [0.5, -1.5, 2.2]),
    ("round", [0.4, -1.6, 2.2]),
    ("trunc", [0.5, -1.5, 2.2]),
    ("frac", [0.5, -1.5, 2.2]),
    ("sign", [0.5, -1.5, 2.2]),
]


@pytest.mark.parametrize("name,values", UNARY, ids=[u[0] for u in UNARY])
def test_unary_grad(name, values):
    a, b = pair(values)
    ya = getattr(ot, name)(a)
    yb = getattr(real, name)(b)
    assert ya.grad_fn.name() == yb.grad_fn.name()
    ya.sum().backward() if hasattr(ya, "sum") else ya.backward(ot.ones_like(ya))
    yb.sum().backward()
    close(a.grad, b.grad)


@pytest.mark.parametrize("name", ["silu", "gelu", "mish", "logsigmoid"])
def test_activation_grad(name):
    vals = [0.5, -1.5, 2.0, 0.0, -3.0]
    a, b = pair(vals)
    fo = getattr(ot.nn.functional, name) if hasattr(ot, "nn") else None
    if fo is None:
        fo = getattr(ot._C, name)
    ya = fo(a)
    yb = getattr(real.nn.functional, name)(b)
    ya.backward(ot.ones_like(ya))
    yb.backward(real.ones_like(yb))
    close(a.grad, b.grad, rtol=1e-6)


BINARY = [
    ("add", lambda m, x, y: m.add(x, y, alpha=2)),
    ("sub", lambda m, x, y: m.sub(x, y, alpha=3)),
    ("mul", lambda m, x, y: x * y),
    ("div", lambda m, x, y: x / y),
    ("pow", lambda m, x, y: x ** y),
    ("atan2", lambda m, x, y: m.atan2(x, y)),
    ("hypot", lambda m, x, y: m.hypot(x, y)),
    ("maximum", lambda m, x, y: m.maximum(x, y)),
    ("minimum", lambda m, x, y: m.minimum(x, y)),
    ("fmax", lambda m, x, y: m.fmax(x, y)),
    ("fmin", lambda m, x, y: m.fmin(x, y)),
    ("remainder", lambda m, x, y: m.remainder(x, y)),
    ("fmod", lambda m, x, y: m.fmod(x, y)),
    ("copysign", lambda m, x, y: m.copysign(x, y)),
    ("rsub", lambda m, x, y: m.rsub(x, y)),
]

XS = [[0.5, 1.5, 2.0], [3.0, 0.25, 1.0]]
YS = [1.5, -0.5, 2.0]  # broadcast along dim 0; ties with XS[1][2]


@pytest.mark.parametrize("name,f", BINARY, ids=[b[0] for b in BINARY])
def test_binary_grad_broadcast(name, f):
    xa, xb = pair(XS)
    ya, yb = pair(YS)
    if name == "pow":
        ya, yb = pair([1.5, 0.5, 2.0])
    ra, rb = f(ot, xa, ya), f(real, xb, yb)
    if name != "rsub":  # known divergence: oxytorch records rsub as SubBackward0
        assert ra.grad_fn.name() == rb.grad_fn.name()
    ga = ot.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=ot.float64)
    gb = real.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=real.float64)
    ra.backward(ga)
    rb.backward(gb)
    close(xa.grad, xb.grad)
    close(ya.grad, yb.grad)


@pytest.mark.parametrize("op", ["+", "-", "*", "/", "**", "r+", "r-", "r*", "r/", "r**"])
def test_scalar_operand_grads_and_names(op):
    a, b = pair([0.5, 1.5, 2.0])
    expr = {"+": lambda x: x + 2.5, "-": lambda x: x - 2.5, "*": lambda x: x * 2.5, "/": lambda x: x / 2.5,
            "**": lambda x: x ** 2.5, "r+": lambda x: 2.5 + x, "r-": lambda x: 2.5 - x,
            "r*": lambda x: 2.5 * x, "r/": lambda x: 2.5 / x, "r**": lambda x: 2.5 ** x}[op]
    ra, rb = expr(a), expr(b)
    assert ra.grad_fn.name() == rb.grad_fn.name()
    ra.sum().backward()
    rb.sum().backward()
    close(a.grad, b.grad)


def test_dtype_promotion_grads_cast_back():
    a = ot.tensor([1.0, 2.0], dtype=ot.float32, requires_grad=True)
    b = ot.tensor([3.0, 4.0], dtype=ot.float64, requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.dtype == ot.float32 and b.grad.dtype == ot.float64
    assert a.grad.tolist() == [3.0, 4.0] and b.grad.tolist() == [1.0, 2.0]


def test_leaf_flags_and_repr():
    x = ot.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    assert x.is_leaf and not y.is_leaf and y.requires_grad
    assert repr(y) == "tensor([2., 4.], grad_fn=<MulBackward0>)"
    assert repr(x) == "tensor([1., 2.], requires_grad=True)"
    assert x.grad_fn is None
    fns = y.grad_fn.next_functions
    assert fns[0][0].name() == "torch::autograd::AccumulateGrad" or "AccumulateGrad" in repr(fns[0][0])
    assert fns[0][1] == 0
    assert fns[0][0].variable.data_ptr() == x.data_ptr()


def test_accumulates_across_calls_and_zeroing():
    x = ot.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for _ in range(3):
        (x * x).sum().backward()
    assert x.grad.tolist() == [6.0, 12.0, 18.0]
    x.grad = None
    (x * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0, 3.0]


def test_backward_errors_match_torch():
    for mod in (ot, real):
        x = mod.tensor([1.0, 2.0], requires_grad=True)
        with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
            (x * 2).backward()
        y = mod.tensor([1.0, 2.0])
        with pytest.raises(RuntimeError, match="does not require grad and does not have a grad_fn"):
            y.sum().backward() if hasattr(y, "sum") else (y * 1.0).backward()
        z = (x * x).exp()
        s = z * 1.0
        s.backward(mod.ones(2))
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            s.backward(mod.ones(2))
        with pytest.raises(RuntimeError, match="Mismatch in shape"):
            (x * 3).backward(mod.ones(3))


def test_retain_graph_allows_second_backward():
    x = ot.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).exp()
    y.backward(ot.ones(2), retain_graph=True)
    y.backward(ot.ones(2))
    xr = real.tensor([1.0, 2.0], requires_grad=True)
    yr = (xr * xr).exp()
    yr.backward(real.ones(2), retain_graph=True)
    yr.backward(real.ones(2))
    close(x.grad, xr.grad)


def test_int_tensors_cannot_require_grad():
    for mod in (ot, real):
        with pytest.raises(RuntimeError, match="^Only Tensors of floating point and complex dtype can require gradients$"):
            mod.tensor([1, 2], requires_grad=True)
        with pytest.raises(RuntimeError, match="^only Tensors of floating point dtype can require gradients$"):
            mod.tensor([1, 2]).requires_grad_()
        with pytest.raises(RuntimeError, match="^only Tensors of floating point and complex dtype can require gradients$"):
            mod.tensor([1, 2]).requires_grad = True


def test_non_leaf_requires_grad_flag_error():
    for mod in (ot, real):
        x = mod.tensor([1.0], requires_grad=True)
        y = x * 2
        with pytest.raises(RuntimeError, match="you can only change requires_grad flags of leaf variables"):
            y.requires_grad_(False)


def test_autograd_grad_and_allow_unused():
    for mod in (ot, real):
        x = mod.tensor([1.0, 2.0], requires_grad=True)
        w = mod.tensor([3.0, 4.0], requires_grad=True)
        u = mod.tensor([5.0], requires_grad=True)
        y = (x * w).sum()
        gx, gw = mod.autograd.grad(y, (x, w), retain_graph=True)
        assert gx.tolist() == [3.0, 4.0] and gw.tolist() == [1.0, 2.0]
        assert x.grad is None
        with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
            mod.autograd.grad(y, (x, u), retain_graph=True)
        gx, gu = mod.autograd.grad(y, (x, u), allow_unused=True)
        assert gu is None


def test_second_derivative_create_graph():
    for mod in (ot, real):
        x = mod.tensor([0.5, 1.5], dtype=mod.float64, requires_grad=True)
        y = (x ** 3 * mod.sin(x))
        (g,) = mod.autograd.grad(y.sum(), x, create_graph=True)
        (gg,) = mod.autograd.grad(g.sum(), x)
        if mod is ot:
            got = gg.tolist()
        else:
            want = gg.tolist()
    np.testing.assert_allclose(got, want, rtol=1e-10)


def test_grad_modes():
    x = ot.tensor([1.0], requires_grad=True)
    with ot.no_grad():
        assert not ot.is_grad_enabled()
        y = x * 2
        with ot.enable_grad():
            z = x * 2
    assert not y.requires_grad and z.requires_grad
    assert ot.is_grad_enabled()

    @ot.no_grad()
    def f():
        return x * 2

    assert not f().requires_grad
    with ot.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert ot.is_grad_enabled()
    ot.set_grad_enabled(False)
    assert not ot.is_grad_enabled()
    ot.set_grad_enabled(True)
    with ot.inference_mode():
        assert not (x * 2).requires_grad
        assert ot.is_inference_mode_enabled()
    assert not ot.is_inference_mode_enabled()


def test_inplace_on_leaf_requiring_grad_raises():
    for mod in (ot, real):
        x = mod.tensor([1.0, 2.0], requires_grad=True)
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place operation."):
            x.add_(1)
        with mod.no_grad():
            x.add_(1)
        assert x.tolist() == [2.0, 3.0]


def test_inplace_modification_of_saved_tensor_detected():
    for mod in (ot, real):
        x = mod.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        z = y * y
        y.add_(1)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            z.sum().backward() if hasattr(z, "sum") else z.backward(mod.ones(2))


def test_inplace_on_non_leaf_rebases_history():
    xa, xb = pair([1.0, 2.0, 3.0])
    for x, mod in ((xa, ot), (xb, real)):
        y = x * 2
        y.mul_(3)
        y.add_(x)
        y.exp_()
        assert y.grad_fn.name() == "ExpBackward0"
        y.backward(mod.ones(3, dtype=mod.float64))
    close(xa.grad, xb.grad)


def test_inplace_self_alias_is_detected_like_torch():
    for mod in (ot, real):
        x = mod.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        y.mul_(y)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.backward(mod.ones(2))


def test_inplace_with_grad_input_makes_plain_tensor_require_grad():
    wa, wb = pair([1.0, 2.0])
    for w, mod in ((wa, ot), (wb, real)):
        t = mod.zeros(2, dtype=mod.float64)
        t.add_(w * 3)
        assert t.requires_grad and not t.is_leaf
        t.backward(mod.ones(2, dtype=mod.float64))
    close(wa.grad, wb.grad)


def test_hooks():
    for mod in (ot, real):
        x = mod.tensor([1.0, 2.0], requires_grad=True)
        seen = []
        h = x.register_hook(lambda g: seen.append(g.tolist()))
        y = x * 3
        y.register_hook(lambda g: g * 10)
        y.backward(mod.ones(2))
        assert seen == [[30.0, 30.0]]
        assert x.grad.tolist() == [30.0, 30.0]
        h.remove()
        (x * 1).backward(mod.ones(2))
        assert seen == [[30.0, 30.0]]


def test_hook_exception_propagates():
    x = ot.tensor([1.0], requires_grad=True)

    def bad(g):
        raise KeyError("from hook")

    x.register_hook(bad)
    with pytest.raises(KeyError, match="from hook"):
        (x * 2).backward(ot.ones(1))


def test_retain_grad():
    for mod in (ot, real):
        x = mod.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        y.retain_grad()
        z = y * y
        z.backward(mod.ones(2))
        assert y.retains_grad
        assert y.grad.tolist() == [4.0, 8.0]


def test_nonleaf_grad_access_warns():
    x = ot.tensor([1.0], requires_grad=True)
    y = x * 2
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        assert y.grad is None
    assert any("is not a leaf Tensor" in str(i.message) for i in w)


def test_detach_and_data_share_storage():
    x = ot.tensor([1.0, 2.0], requires_grad=True)
    d = x.detach()
    assert not d.requires_grad and d.data_ptr() == x.data_ptr()
    assert not x.data.requires_grad
    y = x * 2
    y.detach_()
    assert not y.requires_grad and y.grad_fn is None


def test_grad_setter_checks():
    for mod in (ot, real):
        x = mod.tensor([1.0, 2.0], requires_grad=True)
        with pytest.raises(RuntimeError, match=r"attempting to assign a gradient of size '\[3\]' to a tensor of size '\[2\]'"):
            x.grad = mod.zeros(3)
        with pytest.raises(RuntimeError, match="attempting to assign a gradient with dtype 'double' to a tensor with grad_dtype 'Float'"):
            x.grad = mod.zeros(2, dtype=mod.float64)
        with pytest.raises(TypeError, match="assigned grad expected to be a Tensor or None but got grad of type list"):
            x.grad = [1]
        x.grad = mod.ones(2)
        assert x.grad.tolist() == [1.0, 1.0]


def test_views_propagate_gradients():
    xa, xb = pair([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    for x, mod in ((xa, ot), (xb, real)):
        y = x.t() * mod.tensor([[1.0, 2.0]], dtype=mod.float64)
        z = y[1] * 3
        w = x.view(3, 2).transpose(0, 1)[0]
        (z * 1.0).backward(mod.ones(2, dtype=mod.float64))
        (w * 5.0).backward(mod.ones(3, dtype=mod.float64))
    close(xa.grad, xb.grad)


def test_to_and_clone_record():
    xa, xb = pair([1.0, 2.0])
    for x, mod in ((xa, ot), (xb, real)):
        y = x.to(mod.float32).clone() * 2
        assert y.grad_fn.next_functions[0][0].name() == "CloneBackward0"
        y.backward(mod.ones(2))
    close(xa.grad, xb.grad)
    assert xa.grad.dtype == ot.float64


def test_custom_function():
    class Cube(ot.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.save_for_backward(x)
            ctx.k = k
            return x * x * x * k

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            assert ctx.needs_input_grad == (True, False)
            return g * 3 * x * x * ctx.k, None

    x = ot.tensor([1.0, 2.0], requires_grad=True)
    y = Cube.apply(x, 2.0)
    assert y.requires_grad and y.grad_fn.name() == "CubeBackward"
    y.backward(ot.ones(2))
    assert x.grad.tolist() == [6.0, 24.0]


def test_custom_function_non_differentiable_output():
    class Split(ot.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            idx = ot.tensor([0, 1])
            ctx.mark_non_differentiable(idx)
            return x * 2, idx

        @staticmethod
        def backward(ctx, g, gi):
            return g * 2

    x = ot.tensor([1.0, 2.0], requires_grad=True)
    y, idx = Split.apply(x)
    assert not idx.requires_grad
    y.backward(ot.ones(2))
    assert x.grad.tolist() == [2.0, 2.0]


def test_gradcheck():
    x = ot.tensor([0.3, 0.7, 1.1], dtype=ot.float64, requires_grad=True)
    y = ot.tensor([1.3, 0.2, 0.5], dtype=ot.float64, requires_grad=True)
    assert ot.autograd.gradcheck(lambda a, b: (a * b).sin() / (b + 2) ** 2, (x, y))
    assert ot.autograd.gradgradcheck(lambda a: a.exp() * a.tanh(), (x,))

    class Wrong(ot.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, g):
            return g * 3

    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        ot.autograd.gradcheck(Wrong.apply, (x,))


def test_deep_chain_does_not_overflow():
    x = ot.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y + 0.0
    y.backward(ot.ones(1))
    assert x.grad.tolist() == [1.0]
    del y
    gc.collect()


def test_backward_inputs_argument():
    for mod in (ot, real):
        x = mod.tensor([1.0], requires_grad=True)
        w = mod.tensor([2.0], requires_grad=True)
        (x * w).backward(mod.ones(1), inputs=[w])
        assert x.grad is None and w.grad.tolist() == [1.0]


def test_complex_mul_grad_conjugate_convention():
    za = ot.tensor([1 + 2j, 3 - 1j], requires_grad=True)
    zb = real.tensor([1 + 2j, 3 - 1j], requires_grad=True)
    wa = ot.tensor([0.5 - 1j, 2 + 0.5j])
    wb = real.tensor([0.5 - 1j, 2 + 0.5j])
    (za * wa).backward(ot.tensor([1 + 1j, 2 - 1j]))
    (zb * wb).backward(real.tensor([1 + 1j, 2 - 1j]))
    np.testing.assert_allclose(za.grad.numpy(), zb.grad.numpy())


def test_data_self_assignment_and_set_():
    # `x.data = x` names one object twice; it must neither panic nor change x
    x = ot.ones(2, 3)
    x.data = x
    assert x.tolist() == [[1.0] * 3] * 2
    p = ot.nn.Parameter(ot.ones(2))
    with ot.no_grad():
        assert p.set_(p) is p
        p.set_(ot.zeros(3))
    assert isinstance(p, ot.nn.Parameter) and p.tolist() == [0.0] * 3 and p.requires_grad
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        p.set_(ot.zeros(3))
    with pytest.raises(RuntimeError, match="Could not set tensor of type double to a tensor of type float"):
        ot.ones(1).set_(ot.ones(1, dtype=ot.float64))
    assert ot.ones(3).set_().shape == (0,)
