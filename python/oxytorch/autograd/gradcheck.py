"""Finite-difference checks of analytical gradients (``gradcheck`` / ``gradgradcheck``)."""
from .. import _C


class GradcheckError(RuntimeError):
    pass


def _as_tuple(x):
    return x if isinstance(x, tuple) else (x,) if not isinstance(x, list) else tuple(x)


def _numerical_jacobian(fn, inputs, i, eps):
    """Per element k of inputs[i]: central differences of every output along the real direction,
    and along the imaginary one for complex inputs (None for real inputs)."""
    x = inputs[i]
    # Perturb through an alias of x (reshape(-1) copies a non-contiguous x): element k in
    # row-major order is indexed by its multi-index.
    data = x.detach()
    cplx = x.dtype.is_complex
    shape = tuple(x.shape)

    def index(k):
        idx = []
        for n in reversed(shape):
            k, r = divmod(k, n)
            idx.append(r)
        return tuple(reversed(idx))

    def diff(k, step):
        at = index(k)
        orig = data[at].item()
        data[at] = orig + step
        plus = [o.detach().clone() for o in _as_tuple(fn(*inputs))]
        data[at] = orig - step
        minus = [o.detach().clone() for o in _as_tuple(fn(*inputs))]
        data[at] = orig
        return [(p - m) / (2 * eps) for p, m in zip(plus, minus)]

    return [(diff(k, eps), diff(k, eps * 1j) if cplx else None) for k in range(x.numel())]


def _expected(d_re, d_im, g):
    """The gradient backward must give for grad_output g, in torch's conjugate-Wirtinger
    convention: with L = Re(conj(g) * y), dL/da + i dL/db (just dL/da for a real input)."""
    re = (g.conjugate() * d_re).real
    if d_im is None:
        return re
    return complex(re, (g.conjugate() * d_im).real)


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
              check_batched_forward_grad=False, check_forward_ad=False, check_backward_ad=True,
              fast_mode=False, masked=None):
    """Compares analytical gradients (autograd) with finite differences for every input that
    requires grad. Complex inputs are perturbed along both axes and complex outputs are checked
    with grad_output 1 and 1j, as torch's slow mode does. Returns True, or raises GradcheckError
    (or returns False with raise_exception=False)."""
    from . import grad as _grad
    inputs = _as_tuple(inputs)
    outputs = _as_tuple(func(*inputs))
    diff_in = [i for i, x in enumerate(inputs) if isinstance(x, _C.Tensor) and x.requires_grad]
    for oi, out in enumerate(outputs):
        if not isinstance(out, _C.Tensor) or not out.requires_grad:
            continue
        n_out = out.numel()
        gvals = (1.0, 1j) if out.dtype.is_complex else (1.0,)
        for i in diff_in:
            x = inputs[i]
            numerical = _numerical_jacobian(lambda *a: _as_tuple(func(*a))[oi], inputs, i, eps)
            # analytical: one backward per output element (and per grad_output value)
            for j in range(n_out):
                for gv in gvals:
                    g = _C.zeros(out.shape, dtype=out.dtype)
                    g.view(-1)[j] = gv
                    outs = _as_tuple(func(*inputs))
                    (ga,) = _grad(outs[oi], (x,), g, retain_graph=False, allow_unused=True)
                    ga_flat = ga.reshape(-1) if ga is not None else None
                    for k in range(x.numel()):
                        d_re, d_im = numerical[k]
                        d_re = d_re[0].reshape(-1)[j].item()
                        d_im = d_im[0].reshape(-1)[j].item() if d_im is not None else None
                        num = _expected(complex(d_re), None if d_im is None else complex(d_im), complex(gv))
                        ana = ga_flat[k].item() if ga_flat is not None else 0.0
                        if abs(ana - num) > atol + rtol * abs(num):
                            msg = (f"Jacobian mismatch for output {oi} with respect to input {i},\n"
                                   f"numerical:{num}\nanalytical:{ana}\n")
                            if raise_exception:
                                raise GradcheckError(msg)
                            return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False, masked=False):
    """gradcheck of the function that maps inputs (and grad_outputs) to the first derivatives."""
    from . import grad as _grad
    inputs = _as_tuple(inputs)
    outputs = _as_tuple(func(*inputs))
    if grad_outputs is None:
        grad_outputs = tuple(
            _C.randn(o.shape, dtype=o.dtype).requires_grad_(True) for o in outputs if o.requires_grad)
    grad_outputs = _as_tuple(grad_outputs)
    n_in = len(inputs)
    diff_idx = [i for i, x in enumerate(inputs) if isinstance(x, _C.Tensor) and x.requires_grad]

    def first_derivative(*args):
        ins, gos = args[:n_in], args[n_in:]
        outs = [o for o in _as_tuple(func(*ins)) if o.requires_grad]
        grads = _grad(outs, [ins[i] for i in diff_idx], gos, create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_derivative, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
