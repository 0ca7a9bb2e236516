"""Pure-Python tensor pretty-printer reproducing PyTorch's ``repr(tensor)``.

PyTorch is the spec: every rule here mirrors the behaviour of
``torch/_tensor_str.py`` (formatter selection, widths, line wrapping,
summarisation and the suffix list), re-implemented on top of numpy.

The tensor object handed to :func:`format_tensor` only needs to expose
``shape``, ``dim()``, ``numel()``, ``dtype`` (``str()`` like ``'torch.float32'``
plus ``is_floating_point`` / ``is_complex``), ``device`` (``.type``, ``.index``),
``requires_grad``, ``grad_fn`` and ``_print_values()`` (a numpy array holding
the exact element values).
"""

import contextlib
import math

import numpy as np

__all__ = ["format_tensor", "set_printoptions", "get_printoptions", "printoptions"]


# --------------------------------------------------------------------------
# Hooks the core replaces (``_tensor_str._get_default_dtype_name = ...``).
# --------------------------------------------------------------------------
def _get_default_dtype_name():
    """Name of the default floating dtype, e.g. ``'torch.float32'``."""
    return "torch.float32"


def _get_default_device_type():
    """Type of the default device (``torch._C._get_default_device()``)."""
    return "cpu"


def _get_current_cuda_index():
    """Index of the current CUDA device (``torch.cuda.current_device()``)."""
    return 0


# --------------------------------------------------------------------------
# Print options
# --------------------------------------------------------------------------
_DEFAULTS = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80}
_PROFILES = {
    "default": _DEFAULTS,
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}

# Same keys, same order as torch's get_printoptions() dict.
_OPTS = dict(_DEFAULTS, sci_mode=None)


def set_printoptions(
    precision=None,
    threshold=None,
    edgeitems=None,
    linewidth=None,
    profile=None,
    sci_mode=None,
):
    """Set printing options (same semantics as ``torch.set_printoptions``).

    ``profile`` ('default' | 'short' | 'full') first resets precision,
    threshold, edgeitems and linewidth; explicit arguments then override it.
    Unknown profiles are silently ignored, as in torch.  ``sci_mode`` is
    always assigned, so omitting it resets it to ``None`` (automatic).
    """
    if profile in _PROFILES:
        _OPTS.update(_PROFILES[profile])
    for key, value in (
        ("precision", precision),
        ("threshold", threshold),
        ("edgeitems", edgeitems),
        ("linewidth", linewidth),
    ):
        if value is not None:
            _OPTS[key] = value
    _OPTS["sci_mode"] = sci_mode


def get_printoptions():
    """Current options as a dict that can be passed to :func:`set_printoptions`."""
    return dict(_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs):
    """Context manager temporarily changing the print options."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


# --------------------------------------------------------------------------
# Element formatter
# --------------------------------------------------------------------------
class _Formatter:
    """Chooses a common width and notation for a set of element values.

    ``values`` is a numpy array of the (possibly summarised) elements;
    ``floating`` says whether the elements are floating point (complex
    tensors use one formatter for the real and one for the imaginary parts).
    """

    def __init__(self, values, floating):
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = values.reshape(-1)
        if flat.size == 0:
            return

        if not floating:
            # str() length of an integer is monotone in |v| on each side of
            # zero, so the extremes give the widest string.  Bools have only
            # 'True' / 'False'.
            for v in (flat.max().item(), flat.min().item()):
                self.max_width = max(self.max_width, len(str(v)))
            return

        # Widths are computed (as in torch) only over nonzero finite values.
        flat = flat.astype(np.float64)  # exact for f16 / bf16 / f32
        vals = flat[np.isfinite(flat) & (flat != 0)]
        if vals.size == 0:
            return
        absv = np.abs(vals)
        vmin, vmax = absv.min(), absv.max()

        self.int_mode = bool(np.all(vals == np.ceil(vals)))
        if _OPTS["sci_mode"] is None:
            with np.errstate(over="ignore"):
                self.sci_mode = bool(vmax / vmin > 1000.0 or vmax > 1.0e8 or vmin < 1.0e-4)
        else:
            self.sci_mode = _OPTS["sci_mode"]

        # Only the sign and the magnitude of the (rounded) value change the
        # length of a fixed or scientific string, and both are monotone in
        # |v|, so the extremes of the positive and of the negative values are
        # enough to find the widest element.
        pos, neg = vals[vals > 0], vals[vals < 0]
        candidates = []
        for part in (pos, neg):
            if part.size:
                candidates += [part.min().item(), part.max().item()]

        prec = _OPTS["precision"]
        for v in candidates:
            if self.sci_mode:
                width = len("{:.{}e}".format(v, prec))
            elif self.int_mode:
                # integral floats get a trailing '.' (e.g. '2.')
                width = len("{:.0f}".format(v)) + 1
            else:
                width = len("{:.{}f}".format(v, prec))
            self.max_width = max(self.max_width, width)

    def width(self):
        return self.max_width

    def format(self, value):
        """Format one Python scalar, right-aligned to the common width."""
        if self.floating:
            prec = _OPTS["precision"]
            if self.sci_mode:
                s = "{:{}.{}e}".format(value, self.max_width, prec)
            elif self.int_mode:
                s = "{:.0f}".format(value)
                if not (math.isinf(value) or math.isnan(value)):
                    s += "."
            else:
                s = "{:.{}f}".format(value, prec)
        else:
            s = str(value)
        return s.rjust(self.max_width)


def _format_element(value, fmt_real, fmt_imag):
    """One element as text; complex values are ``<real><sign><imag>j``."""
    if fmt_imag is None:
        return fmt_real.format(value)
    real = fmt_real.format(value.real)
    imag = (fmt_imag.format(value.imag) + "j").lstrip()
    # a negative imag part (incl. '-0.') carries its own sign; else add '+'
    if imag[0] in "+-":
        return real + imag
    return real + "+" + imag


# --------------------------------------------------------------------------
# Nested layout
# --------------------------------------------------------------------------
def _summarized(arr, edge):
    """The elements torch's formatter sees when summarising (edges only)."""
    if arr.ndim == 0:
        return arr
    if arr.ndim == 1:
        if arr.shape[0] > 2 * edge:
            # note: with edge == 0 this is arr[:0] + arr[-0:] == the whole row
            return np.concatenate((arr[:edge], arr[-edge:]))
        return arr
    if not edge:
        return arr[:0]
    if arr.shape[0] > 2 * edge:
        rows = list(arr[:edge]) + list(arr[-edge:])
    else:
        rows = list(arr)
    return np.stack([_summarized(r, edge) for r in rows])


def _vector_str(arr, indent, summarize, fmt_real, fmt_imag):
    # each element takes its width plus ', '
    element_length = fmt_real.width() + 2
    if fmt_imag is not None:
        element_length += fmt_imag.width() + 1  # + 'j'
    per_line = max(1, math.floor((_OPTS["linewidth"] - indent) / element_length))

    edge = _OPTS["edgeitems"]
    if summarize and not edge:
        data = ["..."]
    elif summarize and arr.shape[0] > 2 * edge:
        data = (
            [_format_element(v, fmt_real, fmt_imag) for v in arr[:edge].tolist()]
            + [" ..."]
            + [_format_element(v, fmt_real, fmt_imag) for v in arr[-edge:].tolist()]
        )
    else:
        data = [_format_element(v, fmt_real, fmt_imag) for v in arr.tolist()]

    lines = [", ".join(data[i : i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_str(arr, indent, summarize, fmt_real, fmt_imag):
    if arr.ndim == 0:
        return _format_element(arr.item(), fmt_real, fmt_imag)
    if arr.ndim == 1:
        return _vector_str(arr, indent, summarize, fmt_real, fmt_imag)

    edge = _OPTS["edgeitems"]
    n = arr.shape[0]

    def sub(i):
        return _nested_str(arr[i], indent + 1, summarize, fmt_real, fmt_imag)

    if summarize and n > 2 * edge:
        slices = [sub(i) for i in range(edge)] + ["..."]
        slices += [sub(i) for i in range(n - edge, n)]
    else:
        slices = [sub(i) for i in range(n)]
    # sub-blocks are separated by (ndim - 1) newlines
    sep = "," + "\n" * (arr.ndim - 1) + " " * (indent + 1)
    return "[" + sep.join(slices) + "]"


def _contents_str(t, indent):
    """The bracketed values part of the repr (non-empty tensor)."""
    arr = np.asarray(t._print_values())
    summarize = arr.size > _OPTS["threshold"]
    seen = _summarized(arr, _OPTS["edgeitems"]) if summarize else arr
    if t.dtype.is_complex:
        fmt_real = _Formatter(seen.real, True)
        fmt_imag = _Formatter(seen.imag, True)
    else:
        fmt_real = _Formatter(seen, bool(t.dtype.is_floating_point))
        fmt_imag = None
    return _nested_str(arr, indent, summarize, fmt_real, fmt_imag)


# --------------------------------------------------------------------------
# Full repr
# --------------------------------------------------------------------------
def _add_suffixes(text, suffixes, indent):
    """Append ', suffix' items, wrapping onto a new line past linewidth."""
    parts = [text]
    # torch's arithmetic, including its +1 quirk (and +2 when there is no
    # newline, because rfind returns -1)
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > _OPTS["linewidth"]:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def _shape_str(t):
    return "size=" + str(tuple(int(s) for s in t.shape))


def format_tensor(t, tensor_contents=None):
    """Return exactly what ``repr(t)`` (== ``str(t)``) is in PyTorch.

    ``tensor_contents`` replaces the bracketed values text when given.
    """
    prefix = "tensor("
    indent = len(prefix)
    suffixes = []

    # Device is printed when it differs from the default device.
    device = t.device
    if (
        device.type != _get_default_device_type()
        or (device.type == "cuda" and device.index != _get_current_cuda_index())
        or device.type == "mps"
    ):
        suffixes.append("device='" + str(device) + "'")

    dtype = str(t.dtype)
    default = _get_default_dtype_name()
    default_complex = "torch.complex128" if default == "torch.float64" else "torch.complex64"

    if t.numel() == 0:
        # Empty: shape unless 1-d, and dtype unless the default float dtype
        # (no values to infer int64 / bool / complex from).
        if t.dim() != 1:
            suffixes.append(_shape_str(t))
        if dtype != default:
            suffixes.append("dtype=" + dtype)
        body = "[]" if tensor_contents is None else tensor_contents
    else:
        if not _OPTS["edgeitems"]:
            suffixes.append(_shape_str(t))
        if dtype not in (default, default_complex, "torch.int64", "torch.bool"):
            suffixes.append("dtype=" + dtype)
        body = _contents_str(t, indent) if tensor_contents is None else tensor_contents

    grad_fn = t.grad_fn
    if grad_fn is not None:
        name = grad_fn.name() if hasattr(grad_fn, "name") else type(grad_fn).__name__
        suffixes.append("grad_fn=<" + name.rsplit("::", 1)[-1] + ">")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")

    return _add_suffixes(prefix + body, suffixes, indent)
