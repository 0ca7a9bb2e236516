"""``torch.linalg.ldl_factor(_ex)`` and ``ldl_solve``: the Bunch-Kaufman factorisation of a symmetric
(or Hermitian) matrix in LAPACK's compact form (sytrf/hetrf with the lower triangle: unit-lower L's
multipliers below D's 1x1 and 2x2 blocks, negative pivots marking a 2x2 block), and the solve from
those factors (sytrs/hetrs).

The factorisation follows the unblocked LAPACK algorithm step by step (pivot choice with
alpha = (1 + sqrt(17)) / 8, the same interchanges and the same update formulas), in the input's
precision, so the pivots are LAPACK's and the factors agree to rounding. As MKL does, a NaN on the
diagonal is not reported in info. Each step is a NumPy vector operation over the trailing matrix."""
import math as _math

import numpy as _np

from ._linalg_util import _deliver, _grad_on, _ot, _record, _RT

_ALPHA = (1.0 + _math.sqrt(17.0)) / 8.0


def _cabs1(x):
    return _np.abs(x.real) + _np.abs(x.imag) if _np.iscomplexobj(x) else _np.abs(x)


def _first_max(v):
    """LAPACK's i?amax: the first index of the largest |re| + |im| (NaN never wins)."""
    a = _cabs1(v)
    return int(_np.argmax(_np.where(_np.isnan(a), -1.0, a)))


def _factor(a, herm):
    """In-place lower Bunch-Kaufman of one square matrix ``a``; returns (ipiv 1-based, info)."""
    n = a.shape[0]
    cplx = _np.iscomplexobj(a)
    conj = (lambda x: _np.conj(x)) if (herm and cplx) else (lambda x: x)
    rdt = a.real.dtype.type
    alpha = rdt(_ALPHA)
    ipiv = _np.zeros(n, _np.int32)
    info = 0

    def dabs(x):
        return abs(x.real) if herm and cplx else _cabs1(x)

    k = 0
    while k < n:
        kstep = 1
        absakk = dabs(a[k, k])
        if k + 1 < n:
            imax = k + 1 + _first_max(a[k + 1:, k])
            colmax = _cabs1(a[imax, k])
        else:
            imax, colmax = k, rdt(0)
        if absakk == 0 and colmax == 0:
            if info == 0:
                info = k + 1
            kp = k
            if herm and cplx:
                a[k, k] = a[k, k].real
        else:
            if absakk >= alpha * colmax:
                kp = k
            else:
                row = a[imax, k:imax]
                rowmax = _cabs1(row[_first_max(row)])
                if imax + 1 < n:
                    jmax = imax + 1 + _first_max(a[imax + 1:, imax])
                    rowmax = max(rowmax, _cabs1(a[jmax, imax]))
                if absakk >= alpha * colmax * (colmax / rowmax):
                    kp = k
                elif dabs(a[imax, imax]) >= alpha * rowmax:
                    kp = imax
                else:
                    kp, kstep = imax, 2
            kk = k + kstep - 1
            if kp != kk:
                # interchange rows and columns kk and kp of the trailing lower triangle
                t = a[kp + 1:, kk].copy()
                a[kp + 1:, kk] = a[kp + 1:, kp]
                a[kp + 1:, kp] = t
                t = conj(a[kk + 1:kp, kk]).copy()
                a[kk + 1:kp, kk] = conj(a[kp, kk + 1:kp])
                a[kp, kk + 1:kp] = t
                if herm and cplx:
                    a[kp, kk] = _np.conj(a[kp, kk])
                t = a[kk, kk]
                a[kk, kk] = a[kp, kp]
                a[kp, kp] = t
                if kstep == 2:
                    if herm and cplx:
                        a[k, k] = a[k, k].real
                    t = a[k + 1, k]
                    a[k + 1, k] = a[kp, k]
                    a[kp, k] = t
            elif herm and cplx:
                a[k, k] = a[k, k].real
                if kstep == 2:
                    a[k + 1, k + 1] = a[k + 1, k + 1].real
            if kstep == 1:
                if k + 1 < n:
                    d11 = (rdt(1) / a[k, k].real) if herm and cplx else (a.dtype.type(1) / a[k, k])
                    x = a[k + 1:, k]
                    # syr/her: A(i, j) += x(i) * (-d11 * op(x(j))), lower triangle only
                    upd = _np.tril(_np.multiply.outer(x, -d11 * conj(x)))
                    a[k + 1:, k + 1:] += upd
                    if herm and cplx:
                        d = _np.arange(k + 1, n)
                        a[d, d] = a[d, d].real
                    a[k + 1:, k] = x * d11
            elif k + 2 < n:
                if herm and cplx:
                    d = abs(a[k + 1, k])
                    d11 = a[k + 1, k + 1].real / d
                    d22 = a[k, k].real / d
                    tt = rdt(1) / (d11 * d22 - rdt(1))
                    d21 = a[k + 1, k] / d
                    d = tt / d
                    wk = d * (d11 * a[k + 2:, k] - d21 * a[k + 2:, k + 1])
                    wkp1 = d * (d22 * a[k + 2:, k + 1] - _np.conj(d21) * a[k + 2:, k])
                    upd = _np.multiply.outer(a[k + 2:, k], _np.conj(wk)) + _np.multiply.outer(a[k + 2:, k + 1], _np.conj(wkp1))
                else:
                    d21 = a[k + 1, k]
                    d11 = a[k + 1, k + 1] / d21
                    d22 = a[k, k] / d21
                    t = a.dtype.type(1) / (d11 * d22 - a.dtype.type(1))
                    d21 = t / d21
                    wk = d21 * (d11 * a[k + 2:, k] - a[k + 2:, k + 1])
                    wkp1 = d21 * (d22 * a[k + 2:, k + 1] - a[k + 2:, k])
                    upd = _np.multiply.outer(a[k + 2:, k], wk) + _np.multiply.outer(a[k + 2:, k + 1], wkp1)
                a[k + 2:, k + 2:] -= _np.tril(upd)
                a[k + 2:, k] = wk
                a[k + 2:, k + 1] = wkp1
                if herm and cplx:
                    d = _np.arange(k + 2, n)
                    a[d, d] = a[d, d].real
        if kstep == 1:
            ipiv[k] = kp + 1
        else:
            ipiv[k] = ipiv[k + 1] = -(kp + 1)
        k += kstep
    return ipiv, info


def _solve(a, ipiv, b, herm):
    """sytrs/hetrs with the lower factors: b (n x nrhs) overwritten by A^-1 b."""
    n = a.shape[0]
    cplx = _np.iscomplexobj(a)
    hc = herm and cplx
    cj = _np.conj if hc else (lambda x: x)
    one = a.dtype.type(1)
    k = 0
    while k < n:
        if ipiv[k] > 0:
            kp = ipiv[k] - 1
            if kp != k:
                b[[k, kp]] = b[[kp, k]]
            b[k + 1:] -= _np.multiply.outer(a[k + 1:, k], b[k])
            b[k] *= (1.0 / a[k, k].real) if hc else one / a[k, k]
            k += 1
        else:
            kp = -ipiv[k] - 1
            if kp != k + 1:
                b[[k + 1, kp]] = b[[kp, k + 1]]
            if k + 2 < n:
                b[k + 2:] -= _np.multiply.outer(a[k + 2:, k], b[k])
                b[k + 2:] -= _np.multiply.outer(a[k + 2:, k + 1], b[k + 1])
            akm1k = a[k + 1, k]
            akm1 = a[k, k] / cj(akm1k)
            ak = a[k + 1, k + 1] / akm1k
            denom = akm1 * ak - one
            bkm1 = b[k] / cj(akm1k)
            bk = b[k + 1] / akm1k
            b[k] = (ak * bkm1 - bk) / denom
            b[k + 1] = (akm1 * bk - bkm1) / denom
            k += 2
    k = n - 1
    while k >= 0:
        if ipiv[k] > 0:
            if k + 1 < n:
                b[k] -= cj(a[k + 1:, k]) @ b[k + 1:]
            kp = ipiv[k] - 1
            if kp != k:
                b[[k, kp]] = b[[kp, k]]
            k -= 1
        else:
            if k + 1 < n:
                b[k] -= cj(a[k + 1:, k]) @ b[k + 1:]
                b[k - 1] -= cj(a[k + 1:, k - 1]) @ b[k + 1:]
            kp = -ipiv[k] - 1
            if kp != k:
                b[[k, kp]] = b[[kp, k]]
            k -= 2
    return b


def _fortran(arr):
    """A tensor of ``arr`` (..., m, n) laid out column-major per matrix, as LAPACK's outputs are."""
    t = _np.swapaxes(arr, -1, -2)
    c = _np.empty(t.shape, t.dtype)  # fresh, so size-1 dims get canonical strides too
    c[...] = t
    return _ot.from_numpy(c).mT


def _check_input(A, fname):
    if A.dim() < 2:
        raise RuntimeError(f"{fname}: The input tensor A must have at least 2 dimensions.")
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{fname}: A must be batches of square matrices, but they are {A.shape[-2]} by "
                           f"{A.shape[-1]} matrices")
    if not (A.dtype.is_floating_point or A.dtype.is_complex):
        from ._api_extra import _dtname
        raise NotImplementedError(f"{fname}: Expected a floating point or complex tensor as input. Got "
                                  f"{_dtname(A.dtype)}")
    if A.dtype.itemsize < 4 or A.dtype == _ot.complex32:
        from ._api_extra import _dtname
        raise NotImplementedError(f"\"ldl_factor_kernel_cpu\" not implemented for '{_dtname(A.dtype)}'")


def _factor_all(A, hermitian):
    _check_input(A, "torch.linalg.ldl_factor_ex")
    n = A.shape[-1]
    batch = tuple(A.shape[:-2])
    nb = _math.prod(batch)
    arr = A.detach().resolve_conj().resolve_neg().numpy().reshape((nb, n, n)).copy()
    pivots = _np.zeros((arr.shape[0], n), _np.int32)
    infos = _np.zeros(arr.shape[0], _np.int32)
    for i in range(arr.shape[0]):
        a = _np.tril(arr[i])
        pivots[i], infos[i] = _factor(a, hermitian)
        arr[i] = _np.tril(a)
    LD = _fortran(arr.reshape(batch + (n, n)))
    piv = _ot.from_numpy(pivots.reshape(batch + (n,)))
    info = _ot.from_numpy(infos.reshape(batch))
    if _grad_on(A):
        def bw(*grads):
            raise RuntimeError("derivative for aten::linalg_ldl_factor_ex is not implemented")

        _record("NotImplemented", [A], [LD], bw)
    return LD, piv, info


def ldl_factor_ex(A, *, hermitian=False, check_errors=False, out=None):
    LD, piv, info = _factor_all(A, hermitian)
    if check_errors and bool((info != 0).any()):
        raise RuntimeError(f"torch.linalg.ldl_factor_ex: Unknown error code: {int(info.reshape(-1)[0])}.")
    return _deliver(_RT["linalg_ldl_factor_ex"]((LD, piv, info)), out, "linalg_ldl_factor_ex")


def ldl_factor(A, *, hermitian=False, out=None):
    LD, piv, info = _factor_all(A, hermitian)
    bad = info.reshape(-1)
    if bad.numel() and bool((bad != 0).any()):
        code = int(bad[(bad != 0).nonzero()[0, 0]])
        raise RuntimeError(f"torch.linalg.ldl_factor: Unknown error code: {code}.")
    return _deliver(_RT["linalg_ldl_factor"]((LD, piv)), out, "linalg_ldl_factor")


def ldl_solve(LD, pivots, B, *, hermitian=False, out=None):
    fname = "torch.linalg.ldl_solve"
    if LD.dim() < 2:
        raise RuntimeError(f"{fname}: The input tensor LD must have at least 2 dimensions.")
    if LD.shape[-1] != LD.shape[-2]:
        raise RuntimeError(f"{fname}: LD must be batches of square matrices, but they are {LD.shape[-2]} by "
                           f"{LD.shape[-1]} matrices")
    if B.dim() < 2:
        raise IndexError(f"Dimension out of range (expected to be in range of [-{max(B.dim(), 1)}, "
                         f"{max(B.dim(), 1) - 1}], but got -2)")
    if tuple(LD.shape[:-1]) != tuple(pivots.shape):
        raise RuntimeError(f"{fname}: Expected LD.shape[:-1] and pivots.shape to be the same, but got pivots with "
                           f"shape {list(pivots.shape)} instead")
    if pivots.dtype not in (_ot.int32, _ot.int64):
        raise RuntimeError(f"{fname}: Expected pivots to be integers. Got {pivots.dtype}")
    if B.dtype != LD.dtype:
        from ._api_extra import _dtname
        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type {_dtname(B.dtype)} and A of "
                           f"type {_dtname(LD.dtype)} instead.")
    n = LD.shape[-1]
    if B.shape[-2] != n:
        raise RuntimeError(f"Incompatible matrix sizes for {fname}: each A matrix is {n} by {n} but each b matrix is "
                           f"{B.shape[-2]} by {B.shape[-1]}")
    batch = tuple(_ot.broadcast_shapes(tuple(LD.shape[:-2]), tuple(B.shape[:-2])))
    nb, k = _math.prod(batch), B.shape[-1]
    a = LD.detach().resolve_conj().resolve_neg().expand(batch + (n, n)).numpy().reshape((nb, n, n))
    p = pivots.expand(batch + (n,)).numpy().reshape((nb, n))
    b = B.detach().resolve_conj().resolve_neg().expand(batch + (n, k)).numpy().reshape((nb, n, k)).copy()
    for i in range(b.shape[0]):
        if n and k:
            _solve(a[i], p[i], b[i], hermitian)
    return _deliver(_fortran(b.reshape(batch + (n, k))), out)
