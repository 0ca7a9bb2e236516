"""torch.nn.utils.stateless.functional_call (also served as torch.func.functional_call): run a module
with some parameters/buffers swapped for given tensors, restoring them afterwards."""
import contextlib

__all__ = ["functional_call"]


def _get(module, path):
    *parents, leaf = path.split(".")
    for p in parents:
        module = getattr(module, p)
    return module, leaf


def _swap(owner, leaf, value):
    """Puts ``value`` in place of ``owner.<leaf>``; returns how to undo it."""
    if leaf in owner._parameters:
        old = owner._parameters[leaf]
        del owner._parameters[leaf]
        object.__setattr__(owner, leaf, value)
        return lambda: (object.__delattr__(owner, leaf), owner._parameters.__setitem__(leaf, old))
    if leaf in owner._buffers:
        old = owner._buffers[leaf]
        owner._buffers[leaf] = value
        return lambda: owner._buffers.__setitem__(leaf, old)
    had = leaf in owner.__dict__
    old = owner.__dict__.get(leaf)
    object.__setattr__(owner, leaf, value)
    return lambda: object.__setattr__(owner, leaf, old) if had else object.__delattr__(owner, leaf)


@contextlib.contextmanager
def _reparametrize(module, tensors, tie_weights, strict):
    if strict:
        expected = set(n for n, _ in module.named_parameters(remove_duplicate=False)) | \
            set(n for n, _ in module.named_buffers(remove_duplicate=False))
        missing = sorted(expected - set(tensors))
        unexpected = sorted(set(tensors) - expected)
        if missing or unexpected:
            msgs = []
            if unexpected:
                msgs.append("Unexpected key(s): {}.".format(", ".join(map(repr, unexpected))))
            if missing:
                msgs.append("Missing key(s): {}.".format(", ".join(map(repr, missing))))
            raise RuntimeError("Error(s) in reparametrizing for {}:\n\t{}".format(
                module._get_name(), "\n\t".join(msgs)))
    tensors = dict(tensors)
    if tie_weights:
        ids = {}
        for n, t in list(module.named_parameters(remove_duplicate=False)) + \
                list(module.named_buffers(remove_duplicate=False)):
            ids.setdefault(id(t), []).append(n)
        for names in ids.values():
            given = [n for n in names if n in tensors]
            if given:
                vals = [tensors[n] for n in given]
                if any(v is not vals[0] for v in vals[1:]):
                    raise ValueError(f"functional_call got multiple values for keys {given}, which are tied. "
                                     "Consider using tie_weights=False")
                for n in names:
                    tensors.setdefault(n, vals[0])
    undo = []
    try:
        for name, value in tensors.items():
            owner, leaf = _get(module, name)
            undo.append(_swap(owner, leaf, value))
        yield
    finally:
        for u in reversed(undo):
            u()


def functional_call(module, parameters_and_buffers, args=None, kwargs=None, *, tie_weights=True, strict=False):
    """Deprecated in torch 2.0 in favour of torch.func.functional_call (same behaviour, one dict)."""
    import warnings
    warnings.warn("`torch.nn.utils.stateless.functional_call` is deprecated as of PyTorch 2.0 and will be removed "
                  "in a future version of PyTorch. Please use `torch.func.functional_call` instead which is a "
                  "drop-in replacement.", FutureWarning, stacklevel=2)
    if kwargs is None:
        kwargs = {}
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _reparametrize(module, dict(parameters_and_buffers.items()), tie_weights, strict):
        return module(*args, **kwargs)


def _functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *, tie_weights=True,
                     strict=False):
    """torch.func.functional_call: one dict, or a list/tuple of dicts with disjoint keys."""
    if isinstance(parameter_and_buffer_dicts, dict):
        merged = parameter_and_buffer_dicts
    elif isinstance(parameter_and_buffer_dicts, (list, tuple)):
        merged = {}
        for d in parameter_and_buffer_dicts:
            for k, v in d.items():
                if k in merged:
                    raise ValueError(f"{k} appeared in multiple dictionaries; behavior of functional call is "
                                     "ambiguous")
                merged[k] = v
    else:
        raise ValueError(f"Expected parameter_and_buffer_dicts to be a dict, or a list/tuple of dicts, but got "
                         f"{type(parameter_and_buffer_dicts)}")
    if kwargs is None:
        kwargs = {}
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _reparametrize(module, merged, tie_weights, strict):
        return module(*args, **kwargs)

