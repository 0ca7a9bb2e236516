"""``Module``'s hook registration and its ``__call__`` (forward pre/post hooks, full backward hooks
through identity autograd nodes, global hooks): methods of ``Module``, defined here to keep
module.py small; module.py binds them in the class body."""
import functools
import warnings

from ._module_util import (
    RemovableHandle, Tensor, _BackwardHookFunction, _global_forward_hooks, _global_forward_hooks_always_called,
    _global_forward_hooks_with_kwargs, _global_forward_pre_hooks,
)


def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
    """``hook(module, args)`` (or ``hook(module, args, kwargs)``) runs before forward and may
    replace its arguments."""
    handle = RemovableHandle(self._forward_pre_hooks, extra_dict=self._forward_pre_hooks_with_kwargs)
    self._forward_pre_hooks[handle.id] = hook
    if with_kwargs:
        self._forward_pre_hooks_with_kwargs[handle.id] = True
    if prepend:
        self._forward_pre_hooks.move_to_end(handle.id, last=False)
    return handle


def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False, always_call=False):
    """``hook(module, args, output)`` (or with kwargs) runs after forward and may replace its
    output."""
    handle = RemovableHandle(
        self._forward_hooks,
        extra_dict=[self._forward_hooks_with_kwargs, self._forward_hooks_always_called],
    )
    self._forward_hooks[handle.id] = hook
    if with_kwargs:
        self._forward_hooks_with_kwargs[handle.id] = True
    if always_call:
        self._forward_hooks_always_called[handle.id] = True
    if prepend:
        self._forward_hooks.move_to_end(handle.id, last=False)
    return handle


def register_full_backward_pre_hook(self, hook, prepend=False):
    """``hook(module, grad_output)`` runs when the gradients of the module's outputs are known
    and may return replacement grad_outputs."""
    handle = RemovableHandle(self._backward_pre_hooks)
    self._backward_pre_hooks[handle.id] = hook
    if prepend:
        self._backward_pre_hooks.move_to_end(handle.id, last=False)
    return handle


def register_full_backward_hook(self, hook, prepend=False):
    """``hook(module, grad_input, grad_output)`` runs when the gradients of the module's
    positional tensor inputs are computed and may return replacement grad_inputs (the
    inputs and outputs pass through identity autograd nodes, as in torch)."""
    if self._is_full_backward_hook is False:
        raise RuntimeError(
            "Cannot use both regular backward hooks and full backward hooks on a "
            "single Module. Please use only one of them."
        )
    self._is_full_backward_hook = True
    handle = RemovableHandle(self._backward_hooks)
    self._backward_hooks[handle.id] = hook
    if prepend:
        self._backward_hooks.move_to_end(handle.id, last=False)
    return handle


def register_backward_hook(self, hook):
    """Deprecated: behaves like :meth:`register_full_backward_hook` here."""
    if self._is_full_backward_hook is True:
        raise RuntimeError(
            "Cannot use both regular backward hooks and full backward hooks on a "
            "single Module. Please use only one of them."
        )
    self._is_full_backward_hook = False
    handle = RemovableHandle(self._backward_hooks)
    self._backward_hooks[handle.id] = hook
    return handle


def _register_state_dict_hook(self, hook):
    handle = RemovableHandle(self._state_dict_hooks)
    self._state_dict_hooks[handle.id] = hook
    return handle


def register_state_dict_post_hook(self, hook):
    hook._from_public_api = True
    handle = RemovableHandle(self._state_dict_hooks)
    self._state_dict_hooks[handle.id] = hook
    return handle


def register_state_dict_pre_hook(self, hook):
    handle = RemovableHandle(self._state_dict_pre_hooks)
    self._state_dict_pre_hooks[handle.id] = hook
    return handle


def _register_load_state_dict_pre_hook(self, hook, with_module=False):
    handle = RemovableHandle(self._load_state_dict_pre_hooks)
    self._load_state_dict_pre_hooks[handle.id] = (
        functools.partial(hook, self) if with_module else hook
    )
    return handle


def register_load_state_dict_pre_hook(self, hook):
    return self._register_load_state_dict_pre_hook(hook, with_module=True)


def register_load_state_dict_post_hook(self, hook):
    handle = RemovableHandle(self._load_state_dict_post_hooks)
    self._load_state_dict_post_hooks[handle.id] = hook
    return handle


def _wrap_backward_inputs(self, args, state):
    """Routes the module's tensor inputs through an identity autograd node whose backward
    calls the full backward hooks with (grad_input, grad_output), as torch's BackwardHook."""
    idx = [i for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad]
    state["n_args"] = len(args)
    state["in_idx"] = idx
    if not idx:
        return args
    module = self

    def on_grads(grads):
        grad_input = [None] * state["n_args"]
        for i, g in zip(state["in_idx"], grads):
            grad_input[i] = g
        grad_input = tuple(grad_input)
        for hook in module._backward_hooks.values():
            res = hook(module, grad_input, state.get("grad_output", ()))
            if res is not None:
                if not isinstance(res, tuple) or len(res) != len(grad_input):
                    raise RuntimeError(
                        "Backward hook returned an invalid number of grad_input, "
                        f"got {len(res) if isinstance(res, tuple) else 1}, but expected {len(grad_input)}"
                    )
                grad_input = res
        return tuple(grad_input[i] for i in state["in_idx"])

    wrapped = _BackwardHookFunction().apply(on_grads, *[args[i] for i in idx])
    args = list(args)
    for i, w in zip(idx, wrapped):
        args[i] = w
    return tuple(args)


def _wrap_backward_outputs(self, result, state):
    single = isinstance(result, Tensor)
    outs = (result,) if single else result if isinstance(result, tuple) else None
    if outs is None:
        warnings.warn(
            "For backward hooks to be called, module output should be a Tensor or a tuple of "
            f"Tensors but received {type(result)}",
            stacklevel=3,
        )
        return result
    idx = [i for i, t in enumerate(outs) if isinstance(t, Tensor) and t.requires_grad]
    if not idx:
        return result
    module = self

    def on_grads(grads):
        grad_output = [None] * len(outs)
        for i, g in zip(idx, grads):
            grad_output[i] = g
        grad_output = tuple(grad_output)
        for hook in module._backward_pre_hooks.values():
            res = hook(module, grad_output)
            if res is not None:
                grad_output = tuple(res) if isinstance(res, (tuple, list)) else (res,)
        state["grad_output"] = grad_output
        if not state.get("in_idx") and module._backward_hooks:
            warnings.warn(
                "Full backward hook is firing when gradients are computed with respect to module "
                "outputs since no inputs require gradients. See "
                "https://docs.pytorch.org/docs/main/generated/torch.nn.Module.html#torch.nn.Module.register_full_backward_hook "
                "for more details.",
                stacklevel=2,
            )
            grad_input = (None,) * state.get("n_args", 0)
            for hook in module._backward_hooks.values():
                hook(module, grad_input, grad_output)
        return tuple(grad_output[i] for i in idx)

    wrapped = _BackwardHookFunction().apply(on_grads, *[outs[i] for i in idx])
    outs = list(outs)
    for i, w in zip(idx, wrapped):
        outs[i] = w
    return outs[0] if single else tuple(outs)


def _call_impl(self, *args, **kwargs):
    forward_call = self.forward
    if not (self._backward_hooks or self._backward_pre_hooks or self._forward_hooks
            or self._forward_pre_hooks or _global_forward_hooks or _global_forward_pre_hooks):
        return forward_call(*args, **kwargs)
    result = None
    called_always = set()
    try:
        for hook_id, hook in (*_global_forward_pre_hooks.items(), *self._forward_pre_hooks.items()):
            if hook_id in self._forward_pre_hooks_with_kwargs:
                res = hook(self, args, kwargs)
                if res is not None:
                    if isinstance(res, tuple) and len(res) == 2:
                        args, kwargs = res
                    else:
                        raise RuntimeError(
                            "forward pre-hook must return None or a tuple "
                            f"of (new_args, new_kwargs), but got {res}."
                        )
            else:
                res = hook(self, args)
                if res is not None:
                    if not isinstance(res, tuple):
                        res = (res,)
                    args = res
        bw_state = None
        if self._backward_hooks or self._backward_pre_hooks:
            bw_state = {}
            args = self._wrap_backward_inputs(args, bw_state)
        result = forward_call(*args, **kwargs)
        for hook_id, hook in (*_global_forward_hooks.items(), *self._forward_hooks.items()):
            if hook_id in self._forward_hooks_always_called or hook_id in _global_forward_hooks_always_called:
                called_always.add(hook_id)
            if hook_id in self._forward_hooks_with_kwargs or hook_id in _global_forward_hooks_with_kwargs:
                res = hook(self, args, kwargs, result)
            else:
                res = hook(self, args, result)
            if res is not None:
                result = res
        if bw_state is not None:
            result = self._wrap_backward_outputs(result, bw_state)
        return result
    except Exception:
        for hook_id, hook in _global_forward_hooks.items():
            if hook_id in _global_forward_hooks_always_called and hook_id not in called_always:
                try:
                    res = hook(self, args, result)
                    if res is not None:
                        result = res
                except Exception as e:
                    warnings.warn(
                        "global module forward hook with ``always_call=True`` raised an exception "
                        f"that was silenced as another error was raised in forward: {str(e)}",
                        stacklevel=2,
                    )
        for hook_id, hook in self._forward_hooks.items():
            if hook_id in self._forward_hooks_always_called and hook_id not in called_always:
                try:
                    if hook_id in self._forward_hooks_with_kwargs:
                        res = hook(self, args, kwargs, result)
                    else:
                        res = hook(self, args, result)
                    if res is not None:
                        result = res
                except Exception as e:
                    warnings.warn(
                        "module forward hook with ``always_call=True`` raised an exception "
                        f"that was silenced as another error was raised in forward: {str(e)}",
                        stacklevel=2,
                    )
        raise


def _wrapped_call_impl(self, *args, **kwargs):
    if self._compiled_call_impl is not None:
        return self._compiled_call_impl(*args, **kwargs)
    return self._call_impl(*args, **kwargs)
