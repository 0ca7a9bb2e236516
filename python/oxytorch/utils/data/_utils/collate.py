"""default_collate / default_convert, mirroring torch.utils.data._utils.collate."""
import collections
import copy
import re

import numpy as np

import oxytorch as _torch

_np_str_obj = re.compile(r"[SaUO]")

default_collate_err_msg_format = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"
)


def default_convert(data):
    """Convert NumPy arrays/scalars (also inside mappings and sequences) to tensors; keep the rest."""
    elem_type = type(data)
    if isinstance(data, _torch.Tensor):
        return data
    if elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "string_"):
        if elem_type.__name__ == "ndarray" and _np_str_obj.search(data.dtype.str) is not None:
            return data
        if isinstance(data, np.generic):
            # a fresh 0-d array: oxytorch.as_tensor(<numpy scalar>) must not see a temporary buffer
            return _torch.as_tensor(np.array(data))
        return _torch.as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        converted = {k: default_convert(data[k]) for k in data}
        try:
            if isinstance(data, collections.abc.MutableMapping):
                clone = copy.copy(data)
                clone.update(converted)
                return clone
            return elem_type(converted)
        except TypeError:
            return converted
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        converted = [default_convert(d) for d in data]
        try:
            if isinstance(data, collections.abc.MutableSequence):
                clone = copy.copy(data)
                for i, d in enumerate(converted):
                    clone[i] = d
                return clone
            return elem_type(converted)
        except TypeError:
            return converted
    return data


def collate_tensor_fn(batch, *, collate_fn_map=None):
    return _torch.stack(batch, 0)


def collate_numpy_array_fn(batch, *, collate_fn_map=None):
    elem = batch[0]
    if _np_str_obj.search(elem.dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(elem.dtype))
    return collate([_torch.as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None):
    # torch infers the dtype of a list of NumPy scalars by promoting their own dtypes
    # (np.float64 -> float64 although it subclasses float); spell that out for as_tensor.
    dtype = None
    for b in batch:
        dt = _torch.from_numpy(np.asarray(b)).dtype
        dtype = dt if dtype is None else _torch.promote_types(dtype, dt)
    return _torch.as_tensor(batch, dtype=dtype)


def collate_float_fn(batch, *, collate_fn_map=None):
    return _torch.tensor(batch, dtype=_torch.float64)


def collate_int_fn(batch, *, collate_fn_map=None):
    return _torch.tensor(batch)


def collate_str_fn(batch, *, collate_fn_map=None):
    return batch


def collate(batch, *, collate_fn_map=None):
    """Collate a list of samples, dispatching on the first sample's type through ``collate_fn_map``."""
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for key in collate_fn_map:
            if isinstance(elem, key):
                return collate_fn_map[key](batch, collate_fn_map=collate_fn_map)

    def sub(samples):
        return collate(samples, collate_fn_map=collate_fn_map)

    if isinstance(elem, collections.abc.Mapping):
        try:
            if isinstance(elem, collections.abc.MutableMapping):
                clone = copy.copy(elem)
                clone.update({k: sub([d[k] for d in batch]) for k in elem})
                return clone
            return elem_type({k: sub([d[k] for d in batch]) for k in elem})
        except TypeError:
            return {k: sub([d[k] for d in batch]) for k in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        return elem_type(*(sub(s) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if not all(len(e) == size for e in batch[1:]):
            raise RuntimeError("each element in list of batch should be of equal size")
        columns = list(zip(*batch))
        if isinstance(elem, tuple):
            return [sub(s) for s in columns]
        try:
            if isinstance(elem, collections.abc.MutableSequence):
                clone = copy.copy(elem)
                for i, s in enumerate(columns):
                    clone[i] = sub(s)
                return clone
            return elem_type([sub(s) for s in columns])
        except TypeError:
            return [sub(s) for s in columns]
    raise TypeError(default_collate_err_msg_format.format(elem_type))


default_collate_fn_map = {_torch.Tensor: collate_tensor_fn}
default_collate_fn_map[np.ndarray] = collate_numpy_array_fn
default_collate_fn_map[(np.bool_, np.number, np.object_)] = collate_numpy_scalar_fn
default_collate_fn_map[float] = collate_float_fn
default_collate_fn_map[int] = collate_int_fn
default_collate_fn_map[str] = collate_str_fn
default_collate_fn_map[bytes] = collate_str_fn


def default_collate(batch):
    """Stack a list of samples into a batch the way torch's default_collate does."""
    return collate(batch, collate_fn_map=default_collate_fn_map)
