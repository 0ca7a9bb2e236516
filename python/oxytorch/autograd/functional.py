"""torch.autograd.functional: vjp, jvp (double-backward trick), jacobian, hessian, vhp and hvp,
built on ``oxytorch.autograd.grad`` (reverse mode; ``vectorize=True`` computes the same values row by row)."""
import oxytorch as torch

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]


def _as_tuple(x, arg_name, fn_name):
    is_tuple = isinstance(x, tuple)
    items = x if is_tuple else (x,)
    for i, el in enumerate(items):
        if not isinstance(el, torch.Tensor):
            where = f" value at index {i}" if is_tuple else f" given {arg_name}"
            raise TypeError(f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of Tensors but "
                            f"the{where} has type {type(el)}.")
    return is_tuple, items


def _unpack(res, flags):
    outer, inner = flags if isinstance(flags, tuple) else (flags, None)
    if inner is not None and not inner:
        res = tuple(r[0] for r in res)
    return res if outer else res[0]


def _prep(inputs, create_graph, need_graph):
    return tuple(t.view_as(t) if create_graph and t.requires_grad else t.detach().requires_grad_(need_graph)
                 for t in inputs)


def _post(x, create_graph):
    if isinstance(x[0], torch.Tensor):
        return x if create_graph else tuple(t.detach() for t in x)
    return tuple(_post(t, create_graph) for t in x)


def _validate_v(v, other, is_tuple):
    if len(other) != len(v):
        if is_tuple:
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(other)} but got {len(v)}.")
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (a, b) in enumerate(zip(v, other)):
        if a.size() != b.size():
            pre = f"Entry {i} in " if is_tuple else ""
            raise RuntimeError(f"{pre}v has invalid size: should be {b.size()} but got {a.size()}.")


def _check_outputs(outputs, strict):
    if not strict:
        return
    for i, o in enumerate(outputs):
        if not o.requires_grad:
            raise RuntimeError(f"Output {i} of the user-provided function does not require gradients. The outputs "
                               "must be computed in a differentiable manner from the input when running in strict "
                               "mode.")


def _grad(outputs, inputs, grad_outputs=None, create_graph=False, retain_graph=None):
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    keep = [(o, g) for o, g in zip(outputs, grad_outputs) if o is not None and o.requires_grad]
    if not keep:
        return (None,) * len(inputs)
    return torch.autograd.grad(tuple(o for o, _ in keep), inputs, tuple(g for _, g in keep), allow_unused=True,
                               create_graph=create_graph, retain_graph=retain_graph)


_STRICT_MSG = {
    "back": "The output of the user-provided function is independent of input {i}. This is not allowed in "
            "strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the grad_outputs when "
                  "using the double backward trick to compute forward mode gradients. This is not allowed in "
                  "strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. This is not allowed "
                   "in strict mode.",
}


def _fill(grads, refs, strict, create_graph, stage):
    res = []
    for i, g in enumerate(grads):
        if g is None:
            if strict:
                raise RuntimeError(_STRICT_MSG[stage].format(i=i))
            g = torch.zeros_like(refs[i])
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(f"The {what} of the user-provided function is independent of input {i}. This is "
                               "not allowed in strict mode when create_graph=True.")
        res.append(g)
    return tuple(res)


def _v_or_scalar(v, ref, is_tuple, fn, create_graph, what):
    if v is not None:
        _, v = _as_tuple(v, "v", fn)
        v = _prep(v, create_graph, False)
        _validate_v(v, ref, is_tuple)
        return v
    if len(ref) != 1 or ref[0].nelement() != 1:
        raise RuntimeError(f"The vector v can only be None if {what} a single Tensor with a single element.")
    return None


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    with torch.enable_grad():
        in_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _prep(inputs, create_graph, True)
        out_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function", "vjp")
        _check_outputs(outputs, strict)
        v = _v_or_scalar(v, outputs, out_tuple, "vjp", create_graph,
                         "the user-provided function returns")
    with torch.set_grad_enabled(True if create_graph else torch.is_grad_enabled()):
        res = _fill(_grad(outputs, inputs, v, create_graph), inputs, strict, create_graph, "back")
    return _unpack(_post(outputs, create_graph), out_tuple), _unpack(_post(res, create_graph), in_tuple)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    with torch.enable_grad():
        in_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _prep(inputs, create_graph, True)
        v = _v_or_scalar(v, inputs, in_tuple, "jvp", create_graph,
                         "the input to the user-provided function is")
        out_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function", "jvp")
        _check_outputs(outputs, strict)
        dummies = tuple(torch.zeros_like(o, requires_grad=True) for o in outputs)
        grad_inputs = _grad(outputs, inputs, dummies, create_graph=True)
        if strict:
            for i, g in enumerate(grad_inputs):
                if g is None or not g.requires_grad:
                    raise RuntimeError(f"The gradient with respect to input {i} is independent of the inputs of the "
                                       "user-provided function. This is not allowed in strict mode.")
    with torch.set_grad_enabled(True if create_graph else torch.is_grad_enabled()):
        res = _fill(_grad(grad_inputs, dummies, v, create_graph), outputs, strict, create_graph, "back_trick")
    return _unpack(_post(outputs, create_graph), out_tuple), _unpack(_post(res, create_graph), out_tuple)


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
                             'function has more outputs than inputs, "forward-mode" tends to be more performant. '
                             'Otherwise, prefer to use "reverse-mode".')
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError('torch.autograd.functional.jacobian: `create_graph=True` and '
                                      '`strategy="forward-mode"` are not supported together (yet). Please either '
                                      'set `create_graph=False` or `strategy="reverse-mode"`.')
        if not vectorize:
            raise NotImplementedError("Computing Jacobian using forward-AD or forward-over-reverse Hessian is"
                                      "only implemented for `vectorize=True`.")
        if strict:
            raise RuntimeError('torch.autograd.functional.jacobian: `strict=True` and `strategy="forward-mode"` '
                               'are not supported together (yet). Please either set `strict=False` or '
                               '`strategy="reverse-mode"`.')
    elif vectorize and strict:
        raise RuntimeError("torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are not "
                           "supported together. Please either set `strict=False` or `vectorize=False`.")
    with torch.enable_grad():
        in_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _prep(inputs, create_graph, True)
        out_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function", "jacobian")
        _check_outputs(outputs, strict)
        jac = []
        for i, out in enumerate(outputs):
            rows = tuple([] for _ in inputs)
            flat = out.reshape(-1)
            for j in range(out.nelement()):
                vj = _grad((flat[j],), inputs, retain_graph=True, create_graph=create_graph)
                for k, (acc, g, inp) in enumerate(zip(rows, vj, inputs)):
                    if g is not None:
                        if strict and create_graph and not g.requires_grad:
                            raise RuntimeError(f"The jacobian of the user-provided function is independent of "
                                               f"input {i}. This is not allowed in strict mode when "
                                               "create_graph=True.")
                        acc.append(g)
                    else:
                        if strict:
                            raise RuntimeError(f"Output {i} of the user-provided function is independent of input "
                                               f"{k}. This is not allowed in strict mode.")
                        acc.append(torch.zeros_like(inp))
            jac.append(tuple(
                (torch.stack(acc, 0) if acc else inputs[k].new_zeros((0,) + tuple(inputs[k].shape)))
                .reshape(tuple(out.shape) + tuple(inputs[k].shape))
                for k, acc in enumerate(rows)))
        jac = _post(tuple(jac), create_graph)
        return _unpack(jac, (out_tuple, in_tuple))


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy="reverse-mode"):
    in_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def single(*inp):
        out = func(*inp)
        is_tuple, t_out = _as_tuple(out, "outputs of the user-provided function", "hessian")
        _check_outputs(t_out, strict)
        if is_tuple or not isinstance(out, torch.Tensor):
            raise RuntimeError("The function given to hessian should return a single Tensor")
        if out.nelement() != 1:
            raise RuntimeError("The Tensor returned by the function given to hessian should contain a single element")
        return out.squeeze()

    def jac_func(*inp):
        jac = jacobian(single, inp, create_graph=True)
        if strict:
            for i, j in enumerate(jac if isinstance(jac, tuple) else (jac,)):
                if not j.requires_grad:
                    raise RuntimeError(
                        "While computing the hessian, found that the jacobian of the user-provided function with "
                        f"respect to input {i} is independent of the input. This is not allowed in strict mode. "
                        "You should ensure that your function is twice differentiable and that the jacobian "
                        "depends on the inputs (this would be violated by a linear function for example).")
        return jac

    res = jacobian(jac_func, inputs, create_graph=create_graph, strict=strict, vectorize=vectorize,
                   strategy=outer_jacobian_strategy)
    return _unpack(res, (in_tuple, in_tuple))


def _second_order(name, func, inputs, v, create_graph, strict):
    with torch.enable_grad():
        in_tuple, inputs = _as_tuple(inputs, "inputs", name)
        inputs = _prep(inputs, create_graph, True)
        v = _v_or_scalar(v, inputs, in_tuple, name, create_graph,
                         "the input to the user-provided function is")
        out_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function", name)
        _check_outputs(outputs, strict)
        if out_tuple or not isinstance(outputs[0], torch.Tensor):
            raise RuntimeError(f"The function given to {name} should return a single Tensor")
        if outputs[0].nelement() != 1:
            raise RuntimeError(f"The Tensor returned by the function given to {name} should contain a single element")
        jac = _grad(outputs, inputs, create_graph=True)
        if strict:
            for i, j in enumerate(jac):
                if j is None or not j.requires_grad:
                    raise RuntimeError(
                        "While computing the hessian, found that the jacobian of the user-provided function with "
                        f"respect to input {i} is independent of the input. This is not allowed in strict mode. "
                        "You should ensure that your function is twice differentiable and that the jacobian "
                        "depends on the inputs (this would be violated by a linear function for example).")
    with torch.set_grad_enabled(True if create_graph else torch.is_grad_enabled()):
        res = _fill(_grad(jac, inputs, v, create_graph), inputs, strict, create_graph, "double_back")
    return _unpack(_post(outputs, create_graph), out_tuple), _unpack(_post(res, create_graph), in_tuple)


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    return _second_order("vhp", func, inputs, v, create_graph, strict)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """H v; the Hessian is symmetric, so this equals v^T H (computed the same way)."""
    return _second_order("hvp", func, inputs, v, create_graph, strict)
