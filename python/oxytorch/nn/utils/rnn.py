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
