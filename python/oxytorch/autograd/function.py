"""``torch.autograd.Function``: user-defined ops with a hand-written backward."""
from .. import _C
from .grad_mode import no_grad


class FunctionCtx:
    """The ``ctx`` object passed to ``forward`` and ``backward``."""

    def save_for_backward(self, *tensors):
        for t in tensors:
            if t is not None and not isinstance(t, _C.Tensor):
                raise TypeError("save_for_backward can only save variables, but argument 0 is of type "
                                + type(t).__name__)
        self.to_save = tensors

    @property
    def saved_tensors(self):
        if getattr(self, "_freed", False):
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved tensors after they "
                "have already been freed). Saved intermediate values of the graph are freed when you call "
                ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph "
                "a second time or if you need to access saved tensors after calling backward.")
        return tuple(getattr(self, "to_save", ()))

    def mark_non_differentiable(self, *args):
        self.non_differentiable = getattr(self, "non_differentiable", ()) + args

    def mark_dirty(self, *args):
        self.dirty_tensors = args

    def set_materialize_grads(self, value):
        self.materialize_grads = bool(value)


class _FunctionMeta(type):
    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        cls._backward_cls = cls


class Function(FunctionCtx, metaclass=_FunctionMeta):
    """Subclass with static ``forward(ctx, *args)`` and ``backward(ctx, *grads)``, call ``apply``."""

    def __init__(self, *args, **kwargs):
        pass

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError(
            "You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom autograd.Function to use it "
            "with backward mode AD.")

    vjp = backward

    @classmethod
    def apply(cls, *args, **kwargs):
        ctx = FunctionCtx()
        tensor_pos = [i for i, a in enumerate(args) if isinstance(a, _C.Tensor)]
        ctx.needs_input_grad = tuple(isinstance(a, _C.Tensor) and a.requires_grad for a in args)
        custom_setup = cls.setup_context is not Function.setup_context
        with no_grad():
            if custom_setup:
                output = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, output)
            else:
                output = cls.forward(ctx, *args, **kwargs)
        if not (_C.is_grad_enabled() and any(ctx.needs_input_grad)):
            return output
        is_tuple = isinstance(output, tuple)
        outs = output if is_tuple else (output,)
        non_diff = getattr(ctx, "non_differentiable", ())
        inputs = [args[i] for i in tensor_pos]
        # An output that is an input object is returned as a fresh alias (torch does the same).
        fixed = []
        for o in outs:
            if isinstance(o, _C.Tensor) and any(o is i for i in inputs):
                o = o.detach()
                o = o.view_as(o) if hasattr(o, "view_as") else o
            fixed.append(o)
        outs = tuple(fixed)
        diff_outs = [o for o in outs if isinstance(o, _C.Tensor) and not any(o is n for n in non_diff)
                     and (o.is_floating_point() or o.is_complex())]
        diff_idx = [i for i, o in enumerate(outs) if any(o is d for d in diff_outs)]
        n_outs = len(outs)
        materialize = getattr(ctx, "materialize_grads", True)
        out_meta = [(o.shape, o.dtype) if isinstance(o, _C.Tensor) else None for o in outs]

        def backward_fn(*grads):
            full = [None] * n_outs
            for i, g in zip(diff_idx, grads):
                full[i] = g
            if materialize:
                for i, g in enumerate(full):
                    if g is None and out_meta[i] is not None:
                        full[i] = _C.zeros(out_meta[i][0], dtype=out_meta[i][1])
            res = cls.backward(ctx, *full)
            if not isinstance(res, tuple):
                res = (res,)
            if len(res) < len(args):
                res = res + (None,) * (len(args) - len(res))
            if len(res) != len(args):
                raise RuntimeError(
                    f"function {cls.__name__}Backward returned an incorrect number of gradients "
                    f"(expected {len(args)}, got {len(res)})")
            return tuple(res[i] for i in tensor_pos)

        _C._record_function(cls.__name__ + "Backward", list(inputs), list(diff_outs), backward_fn)
        return outs if is_tuple else outs[0]


class once_differentiable:  # noqa: N801 - torch's name
    def __new__(cls, fn):
        return fn
