"""torch.linalg gaps (issue #7), against real torch: the whole function list on batched and
non-contiguous float32/float64/complex64/complex128 inputs (values, dtypes, shapes), error types
and messages for singular / non-square / wrongly typed input, and half-precision matrix_exp."""
import warnings

import numpy as np
import pytest
import torch

import oxytorch as ot

RNG = np.random.default_rng(7)


def _mat(shape, dt, kind):
    a = RNG.standard_normal(shape)
    if "complex" in dt:
        a = a + 1j * RNG.standard_normal(shape)
    if kind == "spd":
        a = a @ np.conj(np.swapaxes(a, -1, -2)) + shape[-1] * np.eye(shape[-1])
    if kind == "herm":
        a = a + np.conj(np.swapaxes(a, -1, -2))
    return a


def _pair(a, dt, nc):
    src = np.ascontiguousarray(np.swapaxes(a, -1, -2)) if nc else a
    o, t = ot.tensor(src, dtype=getattr(ot, dt)), torch.tensor(src, dtype=getattr(torch, dt))
    return (o.mT, t.mT) if nc else (o, t)


def _eye(L, a):
    return L.eye(a.shape[-1], dtype=a.dtype)


FUNCS = {
    "svdvals": ("gen", lambda L, a: L.linalg.svdvals(a)),
    "svd_S": ("gen", lambda L, a: L.linalg.svd(a, full_matrices=False)[1]),
    "torch.svd_S": ("gen", lambda L, a: L.svd(a)[1]),
    "eigvalsh": ("herm", lambda L, a: L.linalg.eigvalsh(a)),
    "eigh_L": ("herm", lambda L, a: L.linalg.eigh(a, UPLO="U")[0]),
    "eigvals_abs": ("gen", lambda L, a: L.sort(L.linalg.eigvals(a).abs(), -1)[0]),
    "eig_dtype": ("gen", lambda L, a: L.linalg.eig(a)[0].abs().sort(-1)[0]),
    "norm": ("gen", lambda L, a: L.linalg.norm(a)),
    "norm_nuc": ("gen", lambda L, a: L.linalg.norm(a, "nuc", dim=(-2, -1))),
    "norm_2": ("gen", lambda L, a: L.linalg.norm(a, 2, dim=(-2, -1))),
    "norm_-2": ("gen", lambda L, a: L.linalg.norm(a, -2, dim=(-2, -1))),
    "norm_inf": ("gen", lambda L, a: L.linalg.norm(a, float("inf"), dim=(-2, -1))),
    "norm_-1": ("gen", lambda L, a: L.linalg.norm(a, -1, dim=(-2, -1))),
    "norm_vec_keep": ("gen", lambda L, a: L.linalg.norm(a[..., 0], 3, dim=-1, keepdim=True)),
    "vector_norm0": ("gen", lambda L, a: L.linalg.vector_norm(a, 0)),
    "vector_norm_inf": ("gen", lambda L, a: L.linalg.vector_norm(a, float("inf"), dim=(0, -1))),
    "matrix_norm_fro": ("gen", lambda L, a: L.linalg.matrix_norm(a, keepdim=True)),
    "det": ("gen", lambda L, a: L.linalg.det(a)),
    "slogdet": ("gen", lambda L, a: L.stack([L.linalg.slogdet(a)[1].to(a.dtype), L.linalg.slogdet(a)[0]])),
    "inv": ("gen", lambda L, a: L.linalg.inv(a)),
    "inv_ex": ("gen", lambda L, a: L.linalg.inv_ex(a)[0]),
    "pinv": ("gen", lambda L, a: L.linalg.pinv(a)),
    "pinv_h": ("herm", lambda L, a: L.linalg.pinv(a, hermitian=True)),
    "solve": ("gen", lambda L, a: L.linalg.solve(a, a[..., :2])),
    "solve_vec": ("gen", lambda L, a: L.linalg.solve(a, a[..., 0])),
    "solve_right": ("gen", lambda L, a: L.linalg.solve(a, a[..., :2, :], left=False)),
    "solve_tri": ("gen", lambda L, a: L.linalg.solve_triangular(a.triu() + 4 * _eye(L, a), a, upper=True)),
    "solve_tri_right_unit": ("gen", lambda L, a: L.linalg.solve_triangular(a.tril(), a, upper=False, left=False, unitriangular=True)),
    "lstsq": ("gen", lambda L, a: L.linalg.lstsq(a, a[..., :2]).solution),
    "lstsq_tall": ("gen", lambda L, a: L.linalg.lstsq(L.cat([a, 2 * a], -2), L.cat([a, a], -2)[..., :1]).solution),
    "cholesky": ("spd", lambda L, a: L.linalg.cholesky(a)),
    "cholesky_upper": ("spd", lambda L, a: L.linalg.cholesky(a, upper=True)),
    "cholesky_ex": ("spd", lambda L, a: L.linalg.cholesky_ex(a)[0]),
    "torch.cholesky": ("spd", lambda L, a: L.cholesky(a)),
    "lu_factor": ("gen", lambda L, a: L.linalg.lu_factor(a)[0]),
    "lu_pivots": ("gen", lambda L, a: L.linalg.lu_factor(a)[1]),
    "lu_P": ("gen", lambda L, a: L.linalg.lu(a)[0]),
    "lu_L": ("gen", lambda L, a: L.linalg.lu(a)[1]),
    "lu_U": ("gen", lambda L, a: L.linalg.lu(a)[2]),
    "lu_solve": ("gen", lambda L, a: L.linalg.lu_solve(*L.linalg.lu_factor(a), a)),
    "lu_solve_adjoint": ("gen", lambda L, a: L.linalg.lu_solve(*L.linalg.lu_factor(a), a, adjoint=True)),
    "matrix_rank": ("gen", lambda L, a: L.linalg.matrix_rank(a)),
    "matrix_rank_h": ("herm", lambda L, a: L.linalg.matrix_rank(a, hermitian=True)),
    "matrix_power3": ("gen", lambda L, a: L.linalg.matrix_power(a, 3)),
    "matrix_power-2": ("gen", lambda L, a: L.linalg.matrix_power(a, -2)),
    "matrix_exp": ("gen", lambda L, a: L.linalg.matrix_exp(a)),
    "cross": ("gen", lambda L, a: L.linalg.cross(a[..., :3, :3], a[..., -3:, -3:])),
    "vecdot": ("gen", lambda L, a: L.linalg.vecdot(a, a.mT)),
    "multi_dot": ("gen", lambda L, a: L.linalg.multi_dot([a[0], a[0].mT, a[0]]) if a.dim() == 3 else L.linalg.multi_dot([a, a.mT, a])),
    "householder": ("gen", lambda L, a: L.linalg.householder_product(a, a[..., 0, :2] * 0.3)),
    "cond": ("gen", lambda L, a: L.linalg.cond(a)),
    "cond_fro": ("gen", lambda L, a: L.linalg.cond(a, "fro")),
    "cond_1": ("gen", lambda L, a: L.linalg.cond(a, 1)),
    "diagonal": ("gen", lambda L, a: L.linalg.diagonal(a, offset=1)),
    "qr_r_abs": ("gen", lambda L, a: L.linalg.qr(a, mode="r")[1].abs()),
    "qr_complete_recon": ("gen", lambda L, a: (lambda q, r: q @ r)(*L.linalg.qr(a, mode="complete"))),
    "torch.det": ("gen", lambda L, a: L.det(a)),
    "torch.inverse": ("gen", lambda L, a: L.inverse(a)),
    "trace": ("gen", lambda L, a: L.trace(a[0] if a.dim() == 3 else a)),
    "logdet": ("spd", lambda L, a: L.logdet(a)),
}


@pytest.mark.parametrize("nc", [False, True], ids=["contig", "transposed"])
@pytest.mark.parametrize("shape", [(4, 4), (3, 4, 4), (2, 1, 3, 3)])
@pytest.mark.parametrize("dt", ["float32", "float64", "complex64", "complex128"])
def test_linalg_list_parity(dt, shape, nc):
    tol = 1e-3 if dt in ("float32", "complex64") else 1e-8
    bad = []
    for name, (kind, f) in FUNCS.items():
        o, t = _pair(_mat(shape, dt, kind), dt, nc)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                rt = f(torch, t)
            except Exception as e:  # noqa: BLE001
                rt = e
            try:
                ro = f(ot, o)
            except Exception as e:  # noqa: BLE001
                ro = e
        if isinstance(rt, Exception) or isinstance(ro, Exception):
            if type(rt).__name__ != type(ro).__name__:
                bad.append((name, repr(ro), repr(rt)))
            continue
        if str(ro.dtype) != str(rt.dtype) or tuple(ro.shape) != tuple(rt.shape):
            bad.append((name, str(ro.dtype), str(rt.dtype), tuple(ro.shape), tuple(rt.shape)))
            continue
        va, vb = np.array(ro.tolist()), np.array(rt.tolist())
        if not np.allclose(va, vb, rtol=tol, atol=tol, equal_nan=True):
            bad.append((name, float(np.abs(va - vb).max())))
    assert not bad, bad


SING = np.array([[1.0, 2.0], [2.0, 4.0]])
NONSQ = np.arange(6.0).reshape(2, 3)
BATCH_SING = np.stack([np.eye(2), SING])
NONSPD = np.array([[1.0, 2.0], [2.0, 1.0]])

ERR_FUNCS = {
    "inv": lambda L, a: L.linalg.inv(a),
    "inv_ex_check": lambda L, a: L.linalg.inv_ex(a, check_errors=True),
    "inv_ex_1d": lambda L, a: L.linalg.inv_ex(a[0]),
    "inv_ex_int": lambda L, a: L.linalg.inv_ex(a.long()),
    "solve": lambda L, a: L.linalg.solve(a, a),
    "solve_dtype": lambda L, a: L.linalg.solve(a, a.double()),
    "det": lambda L, a: L.linalg.det(a),
    "slogdet": lambda L, a: L.linalg.slogdet(a),
    "logdet": lambda L, a: L.logdet(a),
    "logdet_1d": lambda L, a: L.logdet(a[0]),
    "cholesky": lambda L, a: L.linalg.cholesky(a),
    "cholesky_ex_check": lambda L, a: L.linalg.cholesky_ex(a, check_errors=True),
    "torch.cholesky": lambda L, a: L.cholesky(a),
    "eigh": lambda L, a: L.linalg.eigh(a),
    "eig": lambda L, a: L.linalg.eig(a),
    "eig_int": lambda L, a: L.linalg.eig(a.int()),
    "eigvals": lambda L, a: L.linalg.eigvals(a),
    "lu_factor": lambda L, a: L.linalg.lu_factor(a),
    "lu_solve": lambda L, a: L.linalg.lu_solve(*L.linalg.lu_factor(a), a),
    "matrix_power-1": lambda L, a: L.linalg.matrix_power(a, -1),
    "matrix_exp": lambda L, a: L.linalg.matrix_exp(a),
    "torch.inverse": lambda L, a: L.inverse(a),
    "cond_fro": lambda L, a: L.linalg.cond(a, "fro"),
    "cond": lambda L, a: L.linalg.cond(a),
    "pinv": lambda L, a: L.linalg.pinv(a),
    "lstsq": lambda L, a: L.linalg.lstsq(a, a),
    "qr": lambda L, a: L.linalg.qr(a),
    "svd": lambda L, a: L.linalg.svd(a),
    "solve_tri": lambda L, a: L.linalg.solve_triangular(a, a, upper=True),
    "matrix_rank": lambda L, a: L.linalg.matrix_rank(a),
    "matrix_norm_2": lambda L, a: L.linalg.matrix_norm(a, 2),
    "matrix_norm_int": lambda L, a: L.linalg.matrix_norm(a.long()),
    "det_int": lambda L, a: L.linalg.det(a.long()),
    "inv_f16": lambda L, a: L.linalg.inv(a.half()),
    "svd_f16": lambda L, a: L.linalg.svd(a.half()),
    "cross": lambda L, a: L.linalg.cross(a, a),
    "householder": lambda L, a: L.linalg.householder_product(a, a[..., 0]),
    "vecdot": lambda L, a: L.linalg.vecdot(a, a[:1]),
}


@pytest.mark.parametrize("mat", ["singular", "nonsquare", "zeros", "batch_singular", "non_spd"])
def test_linalg_errors(mat):
    m = {"singular": SING, "nonsquare": NONSQ, "zeros": np.zeros((2, 2)), "batch_singular": BATCH_SING, "non_spd": NONSPD}[mat]
    bad = []
    for name, f in ERR_FUNCS.items():
        res = []
        for L in (ot, torch):
            try:
                f(L, L.tensor(m, dtype=L.float32))
                res.append(None)
            except Exception as e:  # noqa: BLE001
                res.append((type(e).__name__, str(e)))
        if res[0] != res[1]:
            bad.append((name, res[0], res[1]))
    assert not bad, bad


def test_linalg_error_classes():
    assert issubclass(ot.linalg.LinAlgError, RuntimeError)
    for f in (lambda L: L.linalg.inv(L.tensor(SING)), lambda L: L.linalg.cholesky(L.tensor(NONSPD))):
        with pytest.raises(ot.linalg.LinAlgError):
            f(ot)
        with pytest.raises(torch.linalg.LinAlgError):
            f(torch)


# torch 2.15 evaluates half-precision matrix_exp in half precision and is far off (errors of
# ~2e4 for float16, ~1e30 for bfloat16 even at norm 0.01); oxytorch computes in float32 and
# rounds once, so it is compared with torch's float32 result rounded to the dtype.
@pytest.mark.parametrize("dt", ["float16", "bfloat16"])
@pytest.mark.parametrize("shape", [(1, 1), (2, 2), (3, 4, 4)])
def test_matrix_exp_half(dt, shape):
    a = RNG.standard_normal(shape) * 0.5
    o = ot.tensor(a, dtype=getattr(ot, dt))
    t = torch.tensor(a, dtype=getattr(torch, dt))
    r = ot.linalg.matrix_exp(o)
    ref = torch.linalg.matrix_exp(t.float()).to(getattr(torch, dt))
    assert str(r.dtype) == str(ref.dtype) and tuple(r.shape) == tuple(ref.shape)
    # also torch.matrix_exp, and the 1x1 case equals exp exactly as torch's does
    assert str(ot.matrix_exp(o).dtype) == str(torch.matrix_exp(t).dtype)
    np.testing.assert_allclose(np.array(r.float().tolist()), np.array(ref.float().tolist()), rtol=2e-2, atol=2e-2)
    if shape == (1, 1):
        assert r.tolist() == torch.linalg.matrix_exp(t).tolist()


def test_matrix_exp_half_grad():
    a = ot.tensor([[0.0, 1.0], [-1.0, 0.0]], dtype=ot.float16, requires_grad=True)
    ot.linalg.matrix_exp(a).sum().backward()
    t = torch.tensor([[0.0, 1.0], [-1.0, 0.0]], requires_grad=True)
    torch.linalg.matrix_exp(t).sum().backward()
    assert str(a.grad.dtype) == "torch.float16"
    np.testing.assert_allclose(np.array(a.grad.float().tolist()), t.grad.numpy(), atol=2e-3)
