"""Products composed from matmul and views: outer/ger, inner, tensordot, kron, einsum,
chain_matmul and linalg.multi_dot, with torch's argument rules and messages."""
import warnings as _warnings

from . import _C

Tensor = _C.Tensor

_CXX = {
    "torch.bool": "bool", "torch.uint8": "unsigned char", "torch.int8": "signed char",
    "torch.int16": "short int", "torch.int32": "int", "torch.int64": "long int",
    "torch.float16": "c10::Half", "torch.bfloat16": "c10::BFloat16", "torch.float32": "float",
    "torch.float64": "double", "torch.complex64": "c10::complex<float>",
    "torch.complex128": "c10::complex<double>", "torch.complex32": "c10::complex<c10::Half>",
}


def _prod(xs):
    p = 1
    for x in xs:
        p *= x
    return p


def _check_tensor(x, fname, arg, pos):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fname}(): argument '{arg}' (position {pos}) must be Tensor, not {type(x).__name__}")


def outer(input, vec2, *, out=None):
    """Outer product of two 1-D tensors (with type promotion)."""
    _check_tensor(input, "outer", "input", 1)
    _check_tensor(vec2, "outer", "vec2", 2)
    if input.dim() != 1:
        raise RuntimeError(f"outer: Expected 1-D argument self, but got {input.dim()}-D")
    if vec2.dim() != 1:
        raise RuntimeError(f"outer: Expected 1-D argument vec2, but got {vec2.dim()}-D")
    r = input.reshape(-1, 1) * vec2
    return _deliver(r, out)


def ger(input, vec2, *, out=None):
    return outer(input, vec2, out=out)


def _deliver(r, out):
    if out is None:
        return r
    if out.dtype != r.dtype:
        raise RuntimeError(
            f"Expected out tensor to have dtype {_CXX[str(r.dtype)]}, but got {_CXX[str(out.dtype)]} instead"
        )
    if tuple(out.shape) == tuple(r.shape):
        out.copy_(r)
        return out
    out.data = r  # torch resizes `out` to the result's shape
    return out


def tensordot(a, b, dims=2, out=None):
    """Sums the products of `a` and `b` over the dims given by `dims`."""
    _check_tensor(a, "tensordot", "a", 1)
    _check_tensor(b, "tensordot", "b", 2)
    if isinstance(dims, Tensor):
        dims = dims.tolist() if dims.dim() > 0 else int(dims.item())
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > a.dim() or dims > b.dim():
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        da = list(range(-dims, 0))
        db = list(range(dims))
    else:
        if len(dims) != 2:
            raise RuntimeError("tensordot expects dims to be a pair of lists or an int")
        da, db = dims
        if isinstance(da, int):
            da = [da]
        if isinstance(db, int):
            db = [db]
        da, db = list(da), list(db)
        if len(da) != len(db):
            raise RuntimeError("both dimension lists should have same length")
    if a.dtype != b.dtype:
        raise RuntimeError("both inputs should have same dtype")
    na, nb = a.dim(), b.dim()
    ca = [d % na if na else d for d in da]
    cb = [d % nb if nb else d for d in db]
    for x, y, dx, dy in zip(ca, cb, da, db):
        if a.shape[x] != b.shape[y]:
            raise RuntimeError(
                f"contracted dimensions need to match, but first has size {a.shape[x]} in dim {dx} "
                f"and second has size {b.shape[y]} in dim {dy}"
            )
    fa = [d for d in range(na) if d not in ca]
    fb = [d for d in range(nb) if d not in cb]
    k = _prod(a.shape[d] for d in ca)
    sa = [a.shape[d] for d in fa]
    sb = [b.shape[d] for d in fb]
    am = a.permute(*(fa + ca)).reshape(_prod(sa), k)
    bm = b.permute(*(cb + fb)).reshape(k, _prod(sb))
    if am.shape[0] == 1 and bm.shape[1] == 1 and am.is_conj() and bm.is_conj():
        # a single output of two conjugate views: torch's result is a lazy conjugate (dot's rule)
        r = _C.dot(am.reshape(k), bm.reshape(k)).reshape(tuple(sa + sb))
    else:
        r = _C.mm(am, bm).reshape(tuple(sa + sb))
    return _deliver(r, out)


def inner(input, other, *, out=None):
    """Dot product over the last dim of each operand (a product when either is 0-d)."""
    _check_tensor(input, "inner", "input", 1)
    _check_tensor(other, "inner", "other", 2)
    if input.dim() == 0 or other.dim() == 0:
        return _deliver(input * other, out)
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(
            f"inner() the last dimension must match on both input tensors but got shapes "
            f"{list(input.shape)} and {list(other.shape)}"
        )
    return tensordot(input, other, dims=([-1], [-1]), out=out)


def kron(input, other, *, out=None):
    """Kronecker product: block (i, j, ...) is input[i, j, ...] * other."""
    _check_tensor(input, "kron", "input", 1)
    _check_tensor(other, "kron", "other", 2)
    nd = max(input.dim(), other.dim())
    sa = [1] * (nd - input.dim()) + list(input.shape)
    sb = [1] * (nd - other.dim()) + list(other.shape)
    ea, eb = [], []
    for x, y in zip(sa, sb):
        ea += [x, 1]
        eb += [1, y]
    r = (input.reshape(tuple(ea)) * other.reshape(tuple(eb))).reshape(tuple(x * y for x, y in zip(sa, sb)))
    return _deliver(r, out)


def _check_multi(tensors, fname):
    n = len(tensors)
    if n < 2:
        raise RuntimeError(f"{fname}(): expected at least 2 tensors but got {n}")
    first, last = tensors[0], tensors[-1]
    if first.dim() not in (1, 2):
        raise RuntimeError(f"{fname}(): the first tensor must be 1D or 2D but got {first.dim()}D")
    if last.dim() not in (1, 2):
        raise RuntimeError(f"{fname}(): the last tensor must be 1D or 2D but got {last.dim()}D")
    for i in range(1, n - 1):
        if tensors[i].dim() != 2:
            raise RuntimeError(f"{fname}(): tensor {i} must be 2D but got {tensors[i].dim()}D")
    dt = first.dtype
    for i, t in enumerate(tensors):
        if t.dtype != dt:
            raise RuntimeError(
                f"{fname}(): all tensors must have be the same dtype but tensor 0 is {_CXX[str(dt)]} "
                f"and tensor {i} {_CXX[str(t.dtype)]}"
            )


def multi_dot(tensors, *, out=None):
    """Product of a chain of matrices in the cheapest order (the ends may be vectors)."""
    tensors = list(tensors)
    _check_multi(tensors, "multi_dot")
    n = len(tensors)
    mats = list(tensors)
    if mats[0].dim() == 1:
        mats[0] = mats[0].reshape(1, -1)
    if mats[-1].dim() == 1:
        mats[-1] = mats[-1].reshape(-1, 1)
    for i in range(n - 1):
        if mats[i].shape[1] != mats[i + 1].shape[0]:
            raise RuntimeError(
                f"multi_dot(): tensors {i} and {i + 1} with shapes {list(tensors[i].shape)} and "
                f"{list(tensors[i + 1].shape)} cannot be multiplied"
            )
    r = _chain(mats)
    if tensors[0].dim() == 1 and tensors[-1].dim() == 1:
        r = r.reshape(())
    elif tensors[0].dim() == 1:
        r = r.reshape(-1)
    elif tensors[-1].dim() == 1:
        r = r.reshape(-1)
    return _deliver(r, out)


def _chain(mats):
    """Multiplies 2-D matrices in the order that minimises scalar multiplications."""
    n = len(mats)
    if n == 1:
        return mats[0]
    if n == 2:
        return _C.mm(mats[0], mats[1])
    p = [mats[0].shape[0]] + [m.shape[1] for m in mats]
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            best = None
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + p[i] * p[k + 1] * p[j + 1]
                if best is None or c < best:
                    best, split[i][j] = c, k
            cost[i][j] = best

    def run(i, j):
        if i == j:
            return mats[i]
        k = split[i][j]
        return _C.mm(run(i, k), run(k + 1, j))

    return run(0, n - 1)


_CHAIN_WARNED = [False]


def chain_matmul(*matrices, out=None):
    """Deprecated alias of linalg.multi_dot for 2-D matrices."""
    if not _CHAIN_WARNED[0]:
        _CHAIN_WARNED[0] = True
        _warnings.warn(
            "torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use "
            "torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather than "
            "multiple parameters.",
            UserWarning,
            stacklevel=2,
        )
    if len(matrices) == 1 and isinstance(matrices[0], (list, tuple)):
        matrices = tuple(matrices[0])
    if len(matrices) == 0:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    for m in matrices:
        if m.dim() != 2:
            raise RuntimeError(f"Tensor dimension is {m.dim()}, expected 2 instead.")
    if len(matrices) == 1:
        return _deliver(matrices[0].clone(), out)
    return multi_dot(list(matrices), out=out)


# ---------------------------------------------------------------------------------------------
# einsum

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _sublist_to_str(sub):
    s = ""
    for x in sub:
        if x is Ellipsis:
            s += "..."
        else:
            if not isinstance(x, int) or not 0 <= x < 52:
                raise ValueError(f"einsum(): expected subscript to be within the range [0, 52), but got {x}")
            s += _LETTERS[x]
    return s


def _label_key(c):
    return _LETTERS.index(c)


def einsum(*args):
    """Einstein summation: ``einsum("ij,jk->ik", a, b)``, or the sublist form
    ``einsum(a, [0, 1], b, [1, 2], [0, 2])``."""
    if len(args) < 1:
        raise TypeError("einsum(): must specify the equation string and at least one operand, or at least one operand and its subscripts list")
    if isinstance(args[0], str):
        eq, ops = args[0], list(args[1:])
        if len(ops) == 1 and isinstance(ops[0], (list, tuple)):
            ops = list(ops[0])
    else:
        ops, subs = [], []
        rest = list(args)
        while len(rest) >= 2:
            ops.append(rest.pop(0))
            subs.append(_sublist_to_str(rest.pop(0)))
        eq = ",".join(subs)
        if rest:
            eq += "->" + _sublist_to_str(rest[0])
    for i, t in enumerate(ops):
        if not isinstance(t, Tensor):
            raise TypeError(f"einsum(): argument 'operands' must be tuple of Tensors, not {type(t).__name__}")
    return _einsum(eq.replace(" ", ""), ops)


def _einsum(eq, ops):
    if "->" in eq:
        lhs, rhs = eq.split("->", 1)
    else:
        lhs, rhs = eq, None
    terms = lhs.split(",")
    if len(terms) > len(ops):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    if len(terms) < len(ops):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    # Each operand's labels; ellipsis dims get labels (0, i) counted from the right.
    ell_n = 0
    parsed = []
    for i, (term, t) in enumerate(zip(terms, ops)):
        has_ell = "..." in term
        if term.count("...") > 1:
            raise RuntimeError(f"einsum(): found {{...}} twice in operand {i}")
        letters = term.replace("...", "")
        for c in letters:
            if c not in _LETTERS:
                raise RuntimeError(f"einsum(): invalid subscript given at index {eq.index(c)} in the equation string, subscripts must be in [a-zA-Z]")
        ne = t.dim() - len(letters)
        if (not has_ell and ne != 0) or ne < 0:
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({len(letters)}) "
                + ("is more than the number of dimensions" if ne < 0 or has_ell else "does not match the number of dimensions")
                + f" ({t.dim()}) for operand {i}" + (" and no ellipsis was given" if not has_ell else "")
            )
        labels = []
        if has_ell:
            pre, post = term.split("...")
            labels = list(pre) + [("...", ne - j) for j in range(ne)] + list(post)
            ell_n = max(ell_n, ne)
        else:
            labels = list(letters)
        parsed.append(labels)
    ell_labels = [("...", ell_n - j) for j in range(ell_n)]
    counts = {}
    for labels in parsed:
        for lab in labels:
            if isinstance(lab, str):
                counts[lab] = counts.get(lab, 0) + 1
    if rhs is None:
        out = ell_labels + sorted([c for c, n in counts.items() if n == 1], key=_label_key)
    else:
        if rhs.count("...") > 1:
            raise RuntimeError("einsum(): found {...} twice in the output subscript")
        out = []
        seen = set()
        parts = rhs.split("...") if "..." in rhs else [rhs]
        for pi, part in enumerate(parts):
            if pi == 1:
                out += ell_labels
            for c in part:
                if c not in _LETTERS:
                    raise RuntimeError("einsum(): invalid subscript given in the output, subscripts must be in [a-zA-Z]")
                if c in seen:
                    raise RuntimeError(f"einsum(): output subscript {c} appears more than once in the output")
                if c not in counts:
                    raise RuntimeError(f"einsum(): output subscript {c} does not appear in the equation for any input operand")
                seen.add(c)
                out.append(c)
        if "..." not in rhs:
            # Ellipsis dims not in the output are summed.
            pass
    ops = [_einsum_prepare(t, labels, i) for i, (t, labels) in enumerate(zip(ops, parsed))]
    # Sum labels that appear in one operand only and not in the output.
    items = []
    for i, (t, labels) in enumerate(ops):
        others = set(out)
        for j, (_, lj) in enumerate(ops):
            if j != i:
                others.update(lj)
        t, labels = _sum_labels(t, labels, [lab for lab in labels if lab not in others])
        items.append((t, labels))
    t, labels = items[0]
    for j in range(1, len(items)):
        needed = set(out)
        for _, lk in items[j + 1:]:
            needed.update(lk)
        t, labels = _contract(t, labels, items[j][0], items[j][1], needed)
    # Anything left that is not in the output (only possible with a single operand) is summed.
    t, labels = _sum_labels(t, labels, [lab for lab in labels if lab not in out])
    perm = [labels.index(lab) for lab in out if lab in labels]
    r = t.permute(*perm) if perm else t
    # Broadcast ellipsis dims that no operand had at full rank are size-1 already.
    full = [lab for lab in out if lab in labels]
    if len(full) != len(out):
        shape = []
        k = 0
        for lab in out:
            if lab in labels:
                shape.append(r.shape[k])
                k += 1
            else:
                shape.append(1)
        r = r.reshape(tuple(shape))
    return r


def _einsum_prepare(t, labels, i):
    """Takes diagonals for repeated labels, so each label appears once per operand."""
    labels = list(labels)
    while True:
        dup = None
        for a in range(len(labels)):
            for b in range(a + 1, len(labels)):
                if labels[a] == labels[b]:
                    dup = (a, b)
                    break
            if dup:
                break
        if dup is None:
            return t, labels
        a, b = dup
        if t.shape[a] != t.shape[b]:
            raise RuntimeError(
                f"einsum(): subscript {labels[a]} is repeated for operand {i} but the sizes don't match, "
                f"{t.shape[a]} != {t.shape[b]}"
            )
        t = _C._diagonal_view(t, a, b)
        labels = [lab for k, lab in enumerate(labels) if k not in (a, b)] + [labels[a]]


def _sum_labels(t, labels, drop):
    if not drop:
        return t, labels
    keep = [k for k, lab in enumerate(labels) if lab not in drop]
    gone = [k for k, lab in enumerate(labels) if lab in drop]
    ks = [t.shape[k] for k in keep]
    n = _prod(t.shape[k] for k in gone)
    p = t.permute(*(keep + gone)).reshape(_prod(ks), n)
    ones = _C.ones(n, 1, dtype=t.dtype)
    r = _C.mm(p, ones).reshape(tuple(ks))
    return r, [labels[k] for k in keep]


def _drop_unit(t, labels, lab):
    k = labels.index(lab)
    return t.reshape(tuple(n for i, n in enumerate(t.shape) if i != k)), [x for x in labels if x != lab]


_BAREBONES = {"torch.float8_e4m3fn": "Float8_e4m3fn", "torch.float8_e5m2": "Float8_e5m2", "torch.uint16": "UInt16",
              "torch.uint32": "UInt32", "torch.uint64": "UInt64"}


def _contract(a, la, b, lb, needed):
    """Pairwise contraction as one batched matmul: (batch, a-only, sum) @ (batch, sum, b-only)."""
    # A summed label of size 1 on one side broadcasts: sum it out of the other side first.
    for lab in [x for x in la if x in lb and x not in needed]:
        sa, sb = a.shape[la.index(lab)], b.shape[lb.index(lab)]
        if sa == sb:
            continue
        if sa != 1 and sb != 1:
            raise RuntimeError(
                f"einsum(): operands do not broadcast with remapped shapes (original->remapped): "
                f"{list(a.shape)}->{list(a.shape)} {list(b.shape)}->{list(b.shape)}"
            )
        if sa == 1:
            a, la = _drop_unit(a, la, lab)
            b, lb = _sum_labels(b, lb, [lab])
        else:
            b, lb = _drop_unit(b, lb, lab)
            a, la = _sum_labels(a, la, [lab])
    batch = [lab for lab in la if lab in lb and lab in needed]
    summed = [lab for lab in la if lab in lb and lab not in needed]
    aonly = [lab for lab in la if lab not in lb]
    bonly = [lab for lab in lb if lab not in la]
    pa = a.permute(*[la.index(x) for x in batch + aonly + summed]) if la else a
    pb = b.permute(*[lb.index(x) for x in batch + summed + bonly]) if lb else b
    nb = len(batch)
    bsa = list(pa.shape[:nb])
    bsb = list(pb.shape[:nb])
    ka = _prod(pa.shape[nb + len(aonly):])
    kb = _prod(pb.shape[nb:nb + len(summed)])
    am = pa.reshape(tuple(bsa + [_prod(pa.shape[nb:nb + len(aonly)]), ka]))
    bm = pb.reshape(tuple(bsb + [kb, _prod(pb.shape[nb + len(summed):])]))
    bare = _BAREBONES.get(str(a.dtype))
    if bare is not None and summed:
        # torch contracts with bmm, which has no kernel for these dtypes.
        raise NotImplementedError(f'"bmm" not implemented for \'{bare}\'')
    # Without summed labels the product is an outer one, which these dtypes have (as mul).
    r = am * bm if bare is not None and ka == 1 and kb == 1 else _C.matmul(am, bm)
    bshape = list(r.shape[:nb])
    ashape = list(pa.shape[nb:nb + len(aonly)])
    bos = list(pb.shape[nb + len(summed):])
    r = r.reshape(tuple(bshape + ashape + bos))
    return r, batch + aonly + bonly


# Tensor methods for the Python-composed products.
Tensor.outer = outer
Tensor.ger = ger
Tensor.inner = inner
Tensor.kron = kron

from . import linalg  # noqa: E402,F401  (sets oxytorch.linalg)
