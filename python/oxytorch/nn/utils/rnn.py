"""torch.nn.utils.rnn: pad_sequence / unpad_sequence (PackedSequence is not implemented yet)."""
from ... import _C
from ..modules.rnn import _cat, _stack

__all__ = ["pad_sequence", "unpad_sequence"]


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Pads a list of (L_i, *) tensors to (L_max, B, *) (or (B, L_max, *) with batch_first)."""
    if isinstance(sequences, _C.Tensor):
        sequences = list(sequences)
    sequences = list(sequences)
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    if len(sequences) == 0:
        raise RuntimeError("received an empty list of sequences")
    max_len = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        n = max_len - s.shape[0]
        if n == 0:
            padded.append(s)
            continue
        fill = _C.full((n,) + tuple(s.shape[1:]), padding_value, dtype=s.dtype)
        padded.append(_cat([s, fill] if padding_side == "right" else [fill, s], 0))
    return _stack(padded, 0 if batch_first else 1)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """Splits a padded batch back into the list of its sequences."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    lengths = lengths.tolist() if isinstance(lengths, _C.Tensor) else list(lengths)
    return [padded_sequences[i][: int(n)] for i, n in enumerate(lengths)]


# ---------------------------------------------------------------------------------- packing
from collections import namedtuple  # noqa: E402

_PackedBase = namedtuple("PackedSequence_", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])


class PackedSequence(_PackedBase):
    """Holds the data and ``batch_sizes`` of a packed batch of sequences (torch's layout: time-major,
    rows of each step in decreasing-length order)."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None and sorted_indices is not None:
            unsorted_indices = _invert_permutation(sorted_indices)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def cpu(self):
        return self.to("cpu")

    def double(self):
        return self.to(dtype=_C.float64)

    def float(self):
        return self.to(dtype=_C.float32)

    def half(self):
        return self.to(dtype=_C.float16)

    @property
    def is_cuda(self):
        return self.data.is_cuda

    def is_pinned(self):
        return False


def _invert_permutation(perm):
    if perm is None:
        return None
    p = perm.tolist()
    inv = [0] * len(p)
    for i, v in enumerate(p):
        inv[v] = i
    return _C.tensor(inv, dtype=_C.int64)


def _gather_rows(t, index, dim):
    """``t.index_select(dim, index)`` with autograd (through narrow + cat)."""
    idx = index.tolist() if isinstance(index, _C.Tensor) else list(index)
    if idx == list(range(t.shape[dim])):
        return t
    return _cat([t.narrow(dim, i, 1) for i in idx], dim)


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Packs a padded (T, B, *) batch (or (B, T, *) with batch_first) of sequences of ``lengths``."""
    lengths = lengths.tolist() if isinstance(lengths, _C.Tensor) else [int(n) for n in lengths]
    if enforce_sorted:
        if any(lengths[i] < lengths[i + 1] for i in range(len(lengths) - 1)):
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. "
                "You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence "
                "to sidestep this requirement if you do not need ONNX exportability."
            )
        sorted_indices = None
    else:
        order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
        sorted_indices = _C.tensor(order, dtype=_C.int64)
        input = _gather_rows(input, order, 0 if batch_first else 1)
        lengths = [lengths[i] for i in order]
    if batch_first:
        input = input.transpose(0, 1)
    if len(lengths) and lengths[-1] <= 0:
        raise RuntimeError(
            "Length of all samples has to be greater than 0, but found an element in 'lengths' "
            "that is <= 0"
        )
    if len(lengths) != input.shape[1]:
        raise RuntimeError(
            f"Expected `len(lengths)` to be equal to batch_size, but got {len(lengths)} "
            f"(batch_size={input.shape[1]})"
        )
    steps = lengths[0]
    batch_sizes = [sum(1 for n in lengths if n > t) for t in range(steps)]
    data = _cat([input[t].narrow(0, 0, b) for t, b in enumerate(batch_sizes)], 0)
    return PackedSequence(data, _C.tensor(batch_sizes, dtype=_C.int64), sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Inverse of pack_padded_sequence: returns (padded, lengths)."""
    data, batch_sizes = sequence.data, sequence.batch_sizes.tolist()
    max_len = len(batch_sizes)
    if total_length is not None:
        if total_length < max_len:
            raise ValueError(
                "Expected total_length to be at least the length "
                "of the longest sequence in input, but got "
                f"total_length={total_length} and max sequence length being {max_len}"
            )
        max_len = total_length
    batch = batch_sizes[0]
    feat = tuple(data.shape[1:])
    steps, off = [], 0
    for b in batch_sizes:
        chunk = data.narrow(0, off, b)
        off += b
        if b < batch:
            chunk = _cat([chunk, _C.full((batch - b,) + feat, padding_value, dtype=data.dtype)], 0)
        steps.append(chunk)
    for _ in range(max_len - len(batch_sizes)):
        steps.append(_C.full((batch,) + feat, padding_value, dtype=data.dtype))
    padded = _stack(steps, 0)
    lengths = [sum(1 for b in batch_sizes if b > i) for i in range(batch)]
    if sequence.unsorted_indices is not None:
        padded = _gather_rows(padded, sequence.unsorted_indices, 1)
        lengths = [lengths[i] for i in sequence.unsorted_indices.tolist()]
    if batch_first:
        padded = padded.transpose(0, 1)
    return padded, _C.tensor(lengths, dtype=_C.int64)


def pack_sequence(sequences, enforce_sorted=True):
    """Packs a list of (L_i, *) tensors."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)


__all__ += ["PackedSequence", "pack_padded_sequence", "pad_packed_sequence", "pack_sequence",
            "unpack_sequence"]
