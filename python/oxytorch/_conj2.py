"""Small ``Tensor`` helpers found missing by the conjugate-bit sweep (issue #7): ``torch.positive``
/ ``Tensor.positive`` (the input itself, bits included) and ``Tensor.type_as``."""
from . import _C

Tensor = _C.Tensor


def positive(input):
    if not isinstance(input, Tensor):
        raise TypeError(f"positive(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if input.dtype == _C.bool:
        raise NotImplementedError("The `+` operator, on a bool tensor is not supported.")
    return input


def _type_as(self, other):
    if not isinstance(other, Tensor):
        raise TypeError(f"type_as(): argument 'other' (position 1) must be Tensor, not {type(other).__name__}")
    return self.to(other.dtype)


if not hasattr(Tensor, "positive"):
    Tensor.positive = positive
if not hasattr(Tensor, "type_as"):
    Tensor.type_as = _type_as


def _fill_through_bits(name):
    """Random fills into a conjugate / negative view: like torch, draw into a fresh tensor laid out
    as ``empty_like`` lays it out, then copy through the view, so the view reads the drawn values
    (and a strided view gets the stream a dense tensor of its shape gets)."""
    raw = getattr(Tensor, name)

    def fill(self, *args, **kwargs):
        if not (self.is_conj() or self.is_neg()):
            return raw(self, *args, **kwargs)
        tmp = _C.empty_like(self)
        raw(tmp, *args, **kwargs)
        self.copy_(tmp)
        return self

    fill.__name__ = name
    fill.__doc__ = raw.__doc__
    return fill


for _name in ("normal_", "uniform_", "bernoulli_", "random_", "exponential_", "geometric_", "cauchy_", "log_normal_"):
    setattr(Tensor, _name, _fill_through_bits(_name))


# dot / vdot: the conjugate- and negative-bit rules all live in the kernel (ops::matmul::dot).
dot = _C.dot
vdot = _C.vdot
