"""Deterministic regression cases for the divergences from torch that test_diff_fuzz.py found.

Each case runs the same call on oxytorch and torch (fuzz_gen.check): same exception type, or the
same dtype, shape, strides and values. One line per divergence, named after what went wrong."""
import math

import pytest

from fuzz_gen import check


def _i64(L, v):
    return L.tensor(v, dtype=L.int64)


def _setitem(x, key, value):
    x[key] = value
    return x


def _grad_of(L, x, f):
    f(x).sum().backward()
    return x.grad


CASES = {
    # memory safety and panics
    "index_select_0d_empty_index_segfault": lambda L: L.tensor(5.0).index_select(0, _i64(L, [])),
    "index_select_0d_two_indices": lambda L: L.tensor(5.0).index_select(0, _i64(L, [0, 0])),
    "index_select_0d_one_index": lambda L: L.tensor(5.0).index_select(0, _i64(L, [0])),
    "narrow_0d_panic": lambda L: L.tensor(1.0).narrow(0, 0, 1),
    "narrow_0d_negative_dim_panic": lambda L: L.tensor(1.0).narrow(-1, 1, 0),
    "unflatten_0d": lambda L: L.tensor(True).unflatten(0, (1,)),
    "transpose_0d_panic": lambda L: L.tensor(-7).transpose(-1, 0),
    "transpose_0d_bad_dim": lambda L: L.tensor(2.0).transpose(0, 1),
    "transpose_function_0d": lambda L: L.transpose(L.tensor(2.0), 0, 0),
    "swapaxes_0d_panic": lambda L: L.tensor(2.0).swapaxes(0, -1),
    "swapdims_0d_panic": lambda L: L.swapdims(L.tensor(2.0), -1, -1),
    "transpose_inplace_0d": lambda L: L.tensor(2.0).transpose_(0, -1),
    "transpose_inplace_0d_bad_dim": lambda L: L.tensor(2.0).transpose_(0, 1),
    "roll_0d_dim_panic": lambda L: L.tensor(2.0).roll(1, 0),
    "roll_0d_negative_dim_panic": lambda L: L.roll(L.tensor(2.0), 1, -1),
    "roll_0d_no_dim": lambda L: L.tensor(2.0).roll(1),
    # unary dtype support for bool
    "sign_nan_is_zero": lambda L: L.sign(L.tensor([math.nan, -2.0, 0.0, 3.0], dtype=L.float64).t()),
    "sign_nan_method_half": lambda L: L.tensor([math.nan] * 20, dtype=L.float16).sign(),
    "sgn_nan_real": lambda L: L.sgn(L.tensor([math.nan, -0.0])),
    "abs_bool": lambda L: L.tensor([True, False]).abs(),
    "abs_bool_operator": lambda L: abs(L.tensor(False)),
    "abs_bool_inplace": lambda L: L.tensor([True]).abs_(),
    "floor_bool": lambda L: L.tensor([True, False]).floor(),
    "ceil_bool": lambda L: L.tensor([True]).ceil(),
    "round_bool": lambda L: L.tensor([True]).round(),
    "trunc_bool": lambda L: L.tensor([True]).trunc(),
    "fix_bool": lambda L: L.fix(L.tensor([False])),
    "floor_bool_inplace": lambda L: L.tensor([True]).floor_(),
    "square_bool_is_int64": lambda L: L.tensor([True, False]).square(),
    "square_bool_inplace": lambda L: L.tensor([True]).square_(),
    "round_decimals_int": lambda L: L.tensor([1, 2]).round(decimals=1),
    "round_decimals_bool": lambda L: L.round(L.tensor([True]), decimals=-1),
    "abs_inplace_complex": lambda L: L.tensor([1 + 2j]).abs_(),
    # special functions: integer refusals and the output layout of their TensorIterator
    "logaddexp_int": lambda L: L.logaddexp(L.tensor([1, 2]), L.tensor([3, 4])),
    "logaddexp_bool": lambda L: L.logaddexp(L.tensor(False), L.tensor([True])),
    "logaddexp2_int8": lambda L: L.logaddexp2(L.tensor([1], dtype=L.int8), L.tensor([3], dtype=L.int8)),
    "logaddexp_int_float_ok": lambda L: L.logaddexp(L.tensor([1, 2]), L.tensor([0.5, 4.0])),
    "logaddexp_half_transposed": lambda L: L.logaddexp(L.arange(6.0).reshape(2, 3).half().t(), L.tensor(1.0).half()),
    "xlogy_transposed_strides": lambda L: L.xlogy(L.arange(6.0).reshape(2, 3).t(), 2.0),
    "xlogy_bool_transposed": lambda L: L.xlogy(L.tensor([[True, False], [False, True]]).t(), L.tensor([[1.0, 2.0]])),
    "sinc_transposed_strides": lambda L: L.sinc(L.arange(6.0).reshape(2, 3).t()),
    "lgamma_permuted_strides": lambda L: L.lgamma(L.arange(24.0).reshape(2, 3, 4).permute(2, 0, 1)),
    "digamma_int_transposed": lambda L: L.digamma(L.arange(1, 7).reshape(2, 3).t()),
    "isreal_permuted_strides": lambda L: L.isreal(L.zeros(2, 3, 4).permute(2, 0, 1)),
    "isreal_transposed_complex": lambda L: L.isreal(L.tensor([[1 + 0j, 2j], [3j, 4 + 0j]]).t()),
    # writes through stride-0 (expanded) tensors
    "copy_into_expanded": lambda L: L.zeros(1).expand(3).copy_(L.ones(3)),
    "copy_into_expanded_bad_shape": lambda L: L.zeros(1).expand(3).copy_(L.ones(2)),
    "exp_inplace_expanded": lambda L: L.zeros(1).expand(3).exp_(),
    "neg_inplace_expanded": lambda L: L.zeros(2, 1).expand(2, 3).neg_(),
    "clamp_inplace_expanded": lambda L: L.zeros(1).expand(3).clamp_(0),
    "lerp_inplace_expanded": lambda L: L.zeros(1).expand(3).lerp_(L.ones(3), 0.5),
    "fill_expanded_allowed": lambda L: L.zeros(1).expand(3).fill_(1),
    "lt_inplace_expanded_empty_allowed": lambda L: L.zeros(1, 0).expand(2, 0).lt_(1),
    "add_inplace_expanded_empty_allowed": lambda L: L.zeros(1, 0).expand(3, 0).add_(1),
    # view strides
    "expand_new_leading_size1_dim": lambda L: L.zeros(3).expand(1, 3),
    "expand_new_dims_of_slice": lambda L: L.zeros(2, 3)[:, 1:].expand(1, 1, -1, -1),
    "expand_new_size1_then_broadcast": lambda L: L.zeros(3, 1).expand(1, 3, 4),
    "expand_0d_to_1x1": lambda L: L.tensor(1.0).expand(1, 1),
    "expand_transposed": lambda L: L.zeros(2, 3).t().expand(1, 3, 2),
    # indexing
    "getitem_empty_list": lambda L: L.arange(3)[[]],
    "getitem_ellipsis_empty_list": lambda L: L.arange(6).reshape(2, 3)[..., []],
    "getitem_empty_list_and_none": lambda L: L.zeros(1, 0)[[], None].shape,
    "setitem_uint8_overflow": lambda L: _setitem(L.zeros(2, dtype=L.uint8), 0, 256),
    "setitem_uint8_minus_one_wraps": lambda L: _setitem(L.zeros(2, dtype=L.uint8), 0, -1),
    "setitem_0d_uint8_overflow": lambda L: _setitem(L.tensor(0, dtype=L.uint8), (), 256),
    "setitem_mask_int64_inf": lambda L: _setitem(L.zeros(2, dtype=L.int64), L.tensor([True, False]), math.inf),
    "setitem_half_overflow": lambda L: _setitem(L.zeros(2, dtype=L.float16), 1, 1e10),
    "setitem_complex_into_bool": lambda L: _setitem(L.tensor(True), (), 3 - 4j),
    "setitem_complex_into_int": lambda L: _setitem(L.zeros(2, dtype=L.int64), 0, 1j),
    "setitem_bad_index_before_value": lambda L: _setitem(L.tensor([False, False]), 2, 0j),
    "setitem_bad_adv_index_before_value": lambda L: _setitem(L.zeros(2, 2, dtype=L.float16), (-3, _i64(L, [1])), -1 - 4j),
    "float_of_complex_zero_imag": lambda L: float(L.tensor(3 + 0j)),
    "float_of_complex": lambda L: float(L.tensor(3 + 1j)),
    # sorting, selection and counting
    "median_complex": lambda L: L.tensor([1j, 2j]).median(),
    "median_dim_complex": lambda L: L.tensor([1j, 2j]).median(0),
    "nanmedian_complex": lambda L: L.tensor([1j]).nanmedian(),
    "mode_complex": lambda L: L.tensor([1j]).mode(0),
    "kthvalue_complex": lambda L: L.tensor([1j]).kthvalue(1),
    "kthvalue_empty_dim": lambda L: L.zeros(3, 0).kthvalue(1, 1),
    "kthvalue_empty_dim_expanded": lambda L: L.zeros(3, 0, 1).expand(3, 0, 4).kthvalue(1, 1),
    "unique_complex": lambda L: L.unique(L.tensor([1j, 1j])),
    "unique_consecutive_complex": lambda L: L.unique_consecutive(L.tensor([1j])),
    "unique_dim_0d_complex": lambda L: L.unique(L.tensor(1j), dim=0),
    "searchsorted_bool": lambda L: L.searchsorted(L.tensor([False, True]), L.tensor([True])),
    "searchsorted_bool_float_ok": lambda L: L.searchsorted(L.tensor([False, True]), L.tensor([0.5])),
    "searchsorted_complex": lambda L: L.searchsorted(L.tensor([1j]), L.tensor([1j])),
    "bucketize_bool": lambda L: L.bucketize(L.tensor(False), L.tensor([False, True])),
    "bucketize_complex": lambda L: L.bucketize(L.tensor([1j]), L.tensor([0j, 1j])),
    "histc_infinite_range": lambda L: L.histc(L.tensor([1.0, math.inf]), bins=3),
    "histc_nan_range": lambda L: L.histc(L.tensor([1.0, math.nan]), bins=3),
    "histc_neg_inf_only": lambda L: L.histc(L.tensor(-math.inf, dtype=L.float16), bins=3),
    "histc_explicit_range_with_inf_data": lambda L: L.histc(L.tensor([1.0, math.inf]), bins=3, min=0, max=2),
    "bincount_empty_weights_is_int64": lambda L: L.bincount(_i64(L, []), weights=L.tensor([])),
    "bincount_empty_weights_minlength": lambda L: L.bincount(_i64(L, []), weights=L.tensor([], dtype=L.float64), minlength=3),
    # reductions
    "nanmean_complex": lambda L: L.tensor([1j]).nanmean(),
    "nanmean_dim_complex": lambda L: L.nanmean(L.tensor([[1j]]), 0),
    # complex special values (C99 Annex G: inf/nan parts), as torch's CPU kernels compute them
    "acos_complex_inf": lambda L: L.acos(L.tensor([complex(_INF, _INF), complex(_NAN, 1), 2j])),
    "acos_complex_double_zero_imag": lambda L: L.acos(L.tensor([0j, 1 + 0j, -1 + 0j, complex(-_INF, 0.0)], dtype=L.complex128)),
    "asin_complex_infj": lambda L: L.asin(L.tensor([complex(0, _INF), complex(_NAN, 1)])),
    "asin_complex_nan_zero": lambda L: L.asin(L.tensor([complex(-0.0, _NAN), complex(_NAN, 0.0), complex(_INF, _NAN)])),
    "acosh_complex_negative_zero": lambda L: L.acosh(L.tensor(-0j)),
    "acosh_complex_zeros": lambda L: L.acosh(L.tensor([complex(-0.0, -0.0), complex(0.0, -0.0), complex(-_INF, -0.0)])),
    "asinh_complex_infj": lambda L: L.asinh(L.tensor(complex(0, _INF))),
    "asinh_complex_inf_nan": lambda L: L.asinh(L.tensor([complex(_INF, _NAN), complex(_NAN, -0.0), complex(-_INF, 1.0)])),
    "atan_complex_infj": lambda L: L.atan(L.tensor(complex(0, _INF))),
    "atan_complex_unit_imag": lambda L: L.atan(L.tensor([1j, -1j, complex(_NAN, _INF), complex(-0.0, _NAN)])),
    "atanh_complex_inf": lambda L: L.atanh(L.tensor([complex(_INF, -0.0)])),
    "atanh_complex_one": lambda L: L.atanh(L.tensor([1 + 0j, complex(-1.0, -0.0), complex(_NAN, _INF)], dtype=L.complex128)),
    "expm1_complex_inf": lambda L: L.expm1(L.tensor([complex(_INF, 0.0)])),
    "expm1_complex_inf_parts": lambda L: L.expm1(L.tensor([complex(-_INF, 1.0), complex(_INF, _INF), complex(0.0, _NAN)])),
    "sinh_complex_inf": lambda L: L.sinh(L.tensor([complex(_INF, -0.0), complex(-0.0, _INF)])),
    "cosh_tanh_complex_inf": lambda L: [f(L.tensor([complex(_INF, 1.0), complex(0.0, _INF), complex(_NAN, 0.0)] * 7))
                                        for f in (L.cosh, L.tanh)],
    "sin_complex_infj": lambda L: L.sin(L.tensor([complex(-0.0, _INF)])),
    "cos_tan_complex_infj": lambda L: [f(L.tensor([complex(-0.0, _INF), complex(_INF, 0.0), complex(1.0, _NAN)]))
                                       for f in (L.cos, L.tan)],
    "log_family_complex_zero": lambda L: [f(L.tensor([complex(-0.0, 0.0), complex(0.0, -0.0), complex(_INF, _NAN)] * 7))
                                          for f in (L.log, L.log2, L.log10, L.log1p)],
    "exp_family_complex_inf": lambda L: [f(L.tensor([complex(-_INF, _INF), complex(_INF, -0.0), complex(_NAN, 0.0)]))
                                         for f in (L.exp, L.exp2, L.sigmoid, L.sqrt, L.rsqrt, L.reciprocal)],
    "sgn_complex_vector_and_tail": lambda L: L.sgn(L.tensor([complex(-0.0, 1.0), complex(0.0, _INF), complex(-_INF, 0.0)] * 3)),
    "pow_complex_inf_to_bool_false": lambda L: L.tensor([complex(0, _INF)]).pow_(L.tensor([False])),
    "pow_complex_special_bases": lambda L: L.pow(L.tensor([complex(0, _INF), 0j, complex(_NAN, 0), complex(-_INF, 0)]),
                                                 L.tensor([0j, 2.5 + 0j, 0j, 0.5j])),
    "float_power_complex_infj": lambda L: L.float_power(L.tensor(complex(0, _INF)), L.tensor([15, -7, 0])),
    "prod_complex_inf": lambda L: L.tensor([[-0.25 + 3j], [complex(_INF, -0.0)]]).expand(2, 4).prod(-2),
    "prod_complex_inf_layouts": lambda L: [x.prod(d) for x in [L.tensor([[2 + 0j] * 20, [complex(_INF, -0.0)] * 20])]
                                           for d in (0, 1)] + [L.tensor([2 + 0j] * 15 + [complex(_INF, 0.0)]).prod()],
    "cumprod_complex_inf_first": lambda L: L.tensor([complex(_INF, -0.0), 2 + 0j]).cumprod(0),
    "sub_complex32_nan_imag": lambda L: repr(L.tensor(1 + 1j) - L.tensor([_NAN], dtype=L.float16)),
    "sub_complex_infj": lambda L: L.tensor(-2.5 + 0j) - L.tensor(complex(0, _INF)),
    "add_complex_inf_real": lambda L: L.tensor([1 + 1j, -0j]) + L.tensor([complex(_INF, 0.0), complex(-0.0, -0.0)]),
    "rsub_complex_infj": lambda L: L.rsub(L.tensor([complex(0, _INF)]), L.tensor([1 + 0j]), alpha=2),
    "sinc_complex": lambda L: L.sinc(L.tensor([0j, 1 + 1j])),
    "sinc_complex_special": lambda L: L.sinc(L.tensor([complex(1.0, -0.0), complex(_INF, 0.0), complex(0.0, _NAN), -0.5 + 2j],
                                                      dtype=L.complex128)),
    "logaddexp_complex": lambda L: L.logaddexp(L.tensor([1j]), L.tensor([2j])),
    "logaddexp_complex_inf": lambda L: L.logaddexp(L.tensor([complex(_INF, 1.0), complex(-_INF, 2.0), complex(_NAN, 0.0), 3 + 1j]),
                                                   L.tensor([complex(_INF, -1.0), complex(-_INF, 0.5), 1j, complex(-2.0, _INF)])),
    # clamp of bool by bool tensors is defined (no dtype promotion away from bool)
    "clamp_bool_tensor_bounds": lambda L: L.tensor([False, True]).clamp(min=L.tensor(True)),
    "clamp_inplace_bool_tensor_bound": lambda L: L.tensor([False, True]).clamp_(max=L.tensor(False)),
    # repeated dims in a dim list (a 0-d tensor wraps 0 and -1 to the same dim)
    "sum_duplicate_dims": lambda L: L.tensor(2.0).sum((0, -1)),
    "sum_duplicate_dims_keepdim": lambda L: L.tensor(2.0).sum([0, 0], keepdim=True),
    "amax_duplicate_dims_0d": lambda L: L.tensor(2.0).amax((0, -1)),
    "std_duplicate_dims_0d": lambda L: L.tensor(2.0).std((0, -1)),
    "var_mean_duplicate_dims_0d": lambda L: L.var_mean(L.tensor(2.0), (0, -1)),
    "logsumexp_duplicate_dims_0d": lambda L: L.tensor(2.0).logsumexp((0, -1)),
    "count_nonzero_duplicate_dims_0d": lambda L: L.tensor(2.0).count_nonzero((0, -1)),
    "vector_norm_duplicate_dims_0d": lambda L: L.linalg.vector_norm(L.tensor(2.0), dim=(0, -1)),
    "any_duplicate_dims_0d": lambda L: L.tensor(True).any((0, -1)),
    "sum_single_dim_0d_ok": lambda L: L.tensor(2.0).sum((-1,)),
    "squeeze_duplicate_dims": lambda L: L.tensor(2.0).squeeze((0, -1)),
    "squeeze_duplicate_dims_nd": lambda L: L.zeros(1, 2).squeeze((0, -2)),
    "squeeze_distinct_dims_ok": lambda L: L.zeros(1, 2, 1).squeeze((0, -1)),
    "flip_duplicate_dims_0d": lambda L: L.tensor(2.0).flip((0, -1)),
    # repeat_interleave on a 0-d input with a dim
    "repeat_interleave_0d_dim": lambda L: L.tensor(2.0).repeat_interleave(2, dim=0),
    "repeat_interleave_0d_dim_negative": lambda L: L.tensor(2.0).repeat_interleave(2, dim=-1),
    "repeat_interleave_0d_tensor_repeats_dim": lambda L: L.tensor(2.0).repeat_interleave(L.tensor(2), dim=0),
    "repeat_interleave_0d_no_dim_ok": lambda L: L.tensor(2.0).repeat_interleave(2),
    "repeat_interleave_negative_number": lambda L: L.zeros(2, 3).repeat_interleave(-1, dim=-1),
    "repeat_interleave_negative_counts": lambda L: L.repeat_interleave(L.tensor([1, -2])),
    # narrow's start range (IndexError) before its end check (RuntimeError)
    "narrow_start_out_of_range": lambda L: L.zeros(1).narrow(0, -2, 0),
    "narrow_start_past_end": lambda L: L.zeros(3).narrow(0, 4, 0),
    "narrow_start_empty_dim": lambda L: L.zeros(0).narrow(0, -1, 0),
    "narrow_negative_length": lambda L: L.zeros(3).narrow(0, 1, -1),
    "narrow_end_past_size": lambda L: L.zeros(3).narrow(0, -1, 2),
    "narrow_start_at_end_ok": lambda L: L.zeros(3).narrow(0, 3, 0),
    "transpose_0d_grad_fn": lambda L: repr(L.tensor(2.0, requires_grad=True).transpose(0, -1)),
    "transpose_0d_backward": lambda L: _grad_of(L, L.tensor(2.0, requires_grad=True), lambda x: x.transpose(0, -1) * 3),
    # index_add: torch's meta checks (index rank/dtype, dtypes, source rank and shape) before the
    # kernel's bounds check
    "index_add_0d_source_shape": lambda L: L.tensor(2.0).index_add(0, _i64(L, [0]), L.tensor([1.0])),
    "index_add_dtype_checked_before_index": lambda L: L.zeros(1, 2, 2, dtype=L.complex64).index_add(-2, _i64(L, [-1, -3]),
                                                                                                     L.zeros(1, 2, 2)),
    "index_add_negative_index": lambda L: L.zeros(3).index_add(0, _i64(L, [-1]), L.ones(1)),
    "index_add_negative_index_2d_scatter_path": lambda L: L.zeros(2, 3).index_add(0, _i64(L, [-1]), L.ones(1, 3)),
    "index_add_bad_index_alpha2": lambda L: L.zeros(2, 2).index_add(0, _i64(L, [0, 5]), L.zeros(2, 2), alpha=2),
    "index_add_bad_index_middle_dim": lambda L: L.zeros(2, 2, 2).index_add(1, _i64(L, [0, 5]), L.zeros(2, 2, 2)),
    "index_add_empty_self_bad_index_ok": lambda L: L.zeros(2, 0).index_add(0, _i64(L, [0, 5]), L.zeros(2, 0)),
    "index_add_source_rank_too_small": lambda L: L.zeros(2, 3).index_add(1, _i64(L, [0]), L.ones(2)),
    "index_add_count_mismatch": lambda L: L.zeros(2, 3).index_add(1, _i64(L, [0, 1]), L.ones(2, 1)),
    "index_add_1d_scalar_source": lambda L: L.zeros(3).index_add(0, _i64(L, [1]), L.tensor(1.0)),
    "index_add_scalar_source_two_indices": lambda L: L.zeros(3).index_add(0, _i64(L, [1, 2]), L.tensor(1.0)),
    "index_add_0d_ok": lambda L: L.tensor(2.0).index_add(0, _i64(L, [0]), L.tensor(1.0)),
    # index_copy: the same for its checks; the kernel's bounds check only runs on a non-empty copy
    "index_copy_empty_self_bad_index": lambda L: L.zeros(0, 4, 3, dtype=L.uint8).index_copy(2, _i64(L, [-3, -4]),
                                                                                             L.zeros(0, 4, 2, dtype=L.uint8)),
    "index_copy_dtype_checked_before_index": lambda L: L.zeros(2, 2, dtype=L.float64).index_copy(1, _i64(L, [-2, -2]),
                                                                                                  L.zeros(2, 2)),
    "index_copy_0d_empty_index": lambda L: L.tensor(False).index_copy(0, _i64(L, []), L.tensor(True)),
    "index_copy_int32_index": lambda L: L.zeros(2, 3).index_copy(0, L.tensor([0], dtype=L.int32), L.zeros(1, 3)),
    "index_copy_2d_index": lambda L: L.zeros(2, 3).index_copy(0, _i64(L, [[0]]), L.zeros(1, 3)),
    "index_copy_count_mismatch": lambda L: L.zeros(2, 3).index_copy(0, _i64(L, [0, 1]), L.zeros(1, 3)),
    "index_copy_rank_mismatch": lambda L: L.zeros(2, 3).index_copy(0, _i64(L, [0]), L.zeros(1, 3, 1)),
    "index_copy_slice_shapes": lambda L: L.zeros(2, 3).index_copy(0, _i64(L, [0]), L.zeros(1, 2)),
    "index_copy_empty_rows_bad_index_ok": lambda L: L.zeros(2, 0).index_copy(0, _i64(L, [0, 5]), L.zeros(2, 0)),
    "index_copy_0d_from_1d_ok": lambda L: L.tensor(1.0).index_copy(0, _i64(L, [0, 0]), L.tensor([5.0, 6.0])),
    # results that keep torch's layout or fill
    "unique_dim_strides": lambda L: L.unique(L.arange(24).reshape(2, 4, 3) % 3, dim=-1),
    "unique_dim_middle_strides": lambda L: L.unique(L.arange(24).reshape(2, 4, 3) % 3, dim=1),
    "unique_consecutive_dim_strides": lambda L: L.unique_consecutive(L.arange(24).reshape(2, 4, 3) % 3, dim=2),
    "unique_dim_transposed_strides": lambda L: L.unique(L.arange(6).reshape(2, 3).t(), dim=1),
    "median_empty_bool": lambda L: L.zeros(0, 3, dtype=L.bool).median(),
    "nanmedian_empty_bool": lambda L: L.zeros(0, dtype=L.bool).nanmedian(),
    "median_empty_complex": lambda L: L.zeros(0, dtype=L.complex64).median(),
    "var_mean_near_float_max": lambda L: L.var_mean(L.tensor([[-3.4028234663852886e38, 3.4028234663852886e38, 1.5]]), -1),
    "std_mean_near_float_max": lambda L: L.std_mean(L.tensor([-3.4028234663852886e38, 3.4028234663852886e38, 1.5])),
    "var_mean_complex": lambda L: L.var_mean(L.tensor([1 + 1j, 2 + 0j, 3j])),
    "var_mean_empty": lambda L: L.var_mean(L.zeros(2, 0), 1),
    # empty inputs return before the dtype dispatch
    "bucketize_empty_complex": lambda L: L.bucketize(L.zeros(0, 0, dtype=L.complex64), L.tensor([0.0])),
    "bucketize_empty_bool": lambda L: L.bucketize(L.zeros(0, dtype=L.bool), L.tensor([False])),
    "bucketize_empty_complex_int32": lambda L: L.bucketize(L.zeros(0), L.tensor([0j]), out_int32=True),
    "searchsorted_empty_complex_batched": lambda L: L.searchsorted(L.tensor([[0j]]), L.zeros(1, 0)),
    # histc: range from aminmax, bin edges by linspace in the input dtype, then the float kernel
    "histc_uint8_single_value": lambda L: L.histc(L.tensor([0], dtype=L.uint8), bins=3),
    "histc_int8_top_value": lambda L: L.histc(L.tensor([127], dtype=L.int8), bins=3),
    "histc_uint8_range_ok_kernel_refuses": lambda L: L.histc(L.tensor([5], dtype=L.uint8), bins=3),
    "histc_bool_linspace": lambda L: L.histc(L.tensor([True, False]), bins=3),
    "histc_complex": lambda L: L.histc(L.tensor([1j, 2j]), bins=3),
    "histc_complex_explicit_range": lambda L: L.histc(L.tensor([1j, 2j]), bins=3, min=0, max=1),
    "histc_half_range_overflow": lambda L: L.histc(L.tensor([1.5, 65504.0, -65504.0, -65504.0], dtype=L.float16), bins=3),
    "histc_float_range_overflow": lambda L: L.histc(L.tensor([1.5, 3e38, -3e38, -3e38]), bins=3),
    "histc_bfloat16_range_overflow": lambda L: L.histc(L.tensor([1.5, 3e38, -3e38, -3e38], dtype=L.bfloat16), bins=3),
    "histc_half_bound_overflow": lambda L: L.histc(L.tensor([1.5, 2.0], dtype=L.float16), bins=3, min=-1e5, max=1),
    "histc_half_rounded_bounds": lambda L: L.histc(L.tensor([0.1, 0.2, 0.3, 0.7, 0.9, 1.0], dtype=L.float16), bins=7,
                                                   min=0.1, max=1.0),
    "histc_max_below_min": lambda L: L.histc(L.tensor([1.5, 2.0]), bins=3, min=3, max=1),
    "histc_zero_bins": lambda L: L.histc(L.tensor([1j, 2j]), bins=0),
    # setitem: index broadcast before dtypes; masked_fill for one mask and a one-element value;
    # a complex number with a zero imaginary part fits a real dtype
    "setitem_dtype_vs_index_shapes": lambda L: _setitem(L.zeros(2, 2, 2, dtype=L.int16), (_i64(L, [0, 1]), _i64(L, [0, 1, 0])),
                                                        L.tensor(2, dtype=L.uint8)),
    "setitem_dtype_after_index_shapes": lambda L: _setitem(L.zeros(2, 2, dtype=L.int16), (_i64(L, [0, 1]), _i64(L, [0, 1])),
                                                           L.tensor(2, dtype=L.uint8)),
    "setitem_complex_zero_imag_into_float": lambda L: _setitem(L.zeros(2), 0, 0j),
    "setitem_complex_zero_imag_into_int": lambda L: _setitem(L.zeros(2, dtype=L.int64), 1, 2 + 0j),
    "setitem_complex_zero_imag_into_half_overflow": lambda L: _setitem(L.zeros(2, dtype=L.float16), 1, 1e10 + 0j),
    "setitem_mask_0d_value_other_dtype": lambda L: _setitem(L.zeros(3), L.tensor([True, False, True]), L.tensor(2, dtype=L.uint8)),
    "setitem_mask_1elem_value_other_dtype": lambda L: _setitem(L.zeros(2, 2), L.tensor([True, False]), L.tensor([7], dtype=L.int64)),
    "setitem_mask_2elem_value_other_dtype": lambda L: _setitem(L.zeros(3), L.tensor([True, False, True]),
                                                               L.tensor([1, 2], dtype=L.int64)),
    # which error comes first
    "scatter_reduce_complex_amax_bad_index": lambda L: L.tensor(0j).scatter_reduce(-1, L.tensor(-1), L.tensor(1j), "amax"),
    "scatter_reduce_complex_amin_ok_index": lambda L: L.tensor([0j]).scatter_reduce(0, _i64(L, [0]), L.tensor([1j]), "amin"),
    "scatter_reduce_complex_amax_empty_index": lambda L: L.tensor([0j]).scatter_reduce(0, _i64(L, []), L.tensor([1j]), "amax"),
    "scatter_reduce_complex_prod_bad_index": lambda L: L.tensor([0j]).scatter_reduce(0, _i64(L, [5]), L.tensor([1j]), "prod"),
    "xlogy_complex_number": lambda L: L.xlogy(L.tensor([1.0]), 1j),
    "xlogy_complex_number_first": lambda L: L.xlogy(1j, L.tensor([1.0])),
    "xlog1py_complex_number": lambda L: L.special.xlog1py(L.tensor([1.0]), 1j),
    "xlogy_inplace_complex_number": lambda L: L.tensor([1.0]).xlogy_(1j),
    "addcdiv_complex_half_refused": lambda L: L.addcdiv(L.tensor([[-7.0], [4.0]], dtype=L.float16), L.tensor(-0.25 + 1.75j),
                                                        L.tensor(1, dtype=L.uint8)),
    "addcmul_complex_half_ok": lambda L: L.addcmul(L.tensor([1.0], dtype=L.complex32), L.tensor([1.0], dtype=L.complex32),
                                                   L.tensor([1.0], dtype=L.complex32)),
    "pow_half_huge_number_exponent": lambda L: L.pow(L.tensor([2.0], dtype=L.float16), 1e10),
    "pow_uint8_number_exponent_overflow": lambda L: L.zeros(2, dtype=L.uint8).pow_(256),
    "pow_half_int_exponent_overflow": lambda L: L.tensor([2.0], dtype=L.float16) ** 70000,
    "pow_bfloat16_huge_exponent": lambda L: L.pow(L.tensor([2.0], dtype=L.bfloat16), 1e39),
    "pow_int8_exponent_overflow": lambda L: L.pow(L.tensor([2], dtype=L.int8), 300),
    "pow_float32_huge_exponent_ok": lambda L: L.pow(L.tensor([2.0]), 1e39),
    "pow_half_inf_exponent_ok": lambda L: L.pow(L.tensor([2.0], dtype=L.float16), math.inf),
    # clamp: two tensors or two numbers; a 0-d tensor beside a number is read as a number
    "clamp_bool_number_bound": lambda L: L.clamp(L.zeros(2, 2), True, L.tensor([-4.75], dtype=L.float16)),
    "clamp_mixed_tensor_and_number_bounds": lambda L: L.clamp(L.zeros(2), L.tensor([1], dtype=L.uint8), 255),
    "clamp_method_mixed_bounds": lambda L: L.zeros(2).clamp(min=1, max=L.tensor([2.0])),
    "clip_mixed_bounds": lambda L: L.clip(L.zeros(2), L.tensor([1.0]), 2),
    "clamp_0d_tensor_and_number_promotion": lambda L: L.clamp(L.tensor(3, dtype=L.uint8), 256, L.tensor(0.0, dtype=L.float64)),
    "clamp_0d_tensor_bound_then_number": lambda L: L.clamp(L.tensor(3, dtype=L.uint8), L.tensor(0.0, dtype=L.float64), 256),
    "clamp_inplace_0d_tensor_and_number": lambda L: L.zeros(2).clamp_(L.tensor(1), 2),
    "clamp_complex_number_bound": lambda L: L.clamp(L.tensor([1j]), 2.0, L.tensor([3])),
    "clamp_inplace_int_complex_bound": lambda L: L.tensor(5, dtype=L.int16).clamp_(min=L.tensor(1j)),
    "clamp_inplace_int_complex_number": lambda L: L.tensor([5]).clamp_(max=1j),
    "clamp_inplace_float_complex_tensor": lambda L: L.tensor([5.0]).clamp_(min=L.tensor([1j])),
    "clamp_float_complex_number": lambda L: L.tensor([5.0]).clamp(min=2, max=1j),
    "clamp_int_complex_tensor": lambda L: L.tensor(5, dtype=L.int16).clamp(min=L.tensor(1j)),
    "clamp_half_number_bound_overflow": lambda L: L.tensor([0.0], dtype=L.float16).clamp(min=2 ** 31),
    "clamp_half_complex_zero_imag_bound": lambda L: L.clamp(L.tensor(0.0, dtype=L.float16), False, L.tensor(0j)),
    "clamp_inplace_half_complex_zero_imag": lambda L: L.tensor([0.0], dtype=L.float16).clamp_(min=0j),
    "clamp_min_half_overflow": lambda L: L.tensor([0.0], dtype=L.float16).clamp_min(1e10),
    "clamp_float_bound_overflow": lambda L: L.tensor([0.0]).clamp(min=1e39),
    "clamp_double_huge_bound_ok": lambda L: L.tensor([0.0], dtype=L.float64).clamp(min=1e300),
    "clamp_int_complex_zero_imag_refused": lambda L: L.tensor([0]).clamp(min=2 + 0j),
    # an input cast to the compute dtype that is not dense (expanded) is laid out contiguously first
    "pow_expanded_cast_strides": lambda L: L.tensor([3.0, -1.0, 1.5], dtype=L.float64).expand(4, 3)
    ** L.arange(12).reshape(3, 4).t().to(L.complex64),
    "add_expanded_cast_strides": lambda L: L.tensor([3, -1, 1], dtype=L.int32).expand(4, 3) + L.arange(12.0).reshape(3, 4).t(),
    "mul_expanded_same_dtype_strides": lambda L: L.tensor([3.0, -1.0, 1.5]).expand(4, 3) * L.arange(12.0).reshape(3, 4).t(),
    "sinc_float32_huge": lambda L: L.sinc(L.tensor([3.4028234663852886e38, 1e30])),
    "sinc_half_large": lambda L: L.sinc(L.tensor([60000.0, 1000.5, 3.3e4], dtype=L.float16)),
    "sinc_bfloat16_huge": lambda L: L.sinc(L.tensor([3e38, 1e30, 1e20, 1e10], dtype=L.bfloat16)),
    "sinc_float64_huge": lambda L: L.sinc(L.tensor([3.4028234663852886e38, 1e30], dtype=L.float64)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_regression(name):
    check(CASES[name])


_INF, _NAN = math.inf, math.nan

# Divergences found and not fixed yet: strict xfails, so a fix shows up as XPASS. test_diff_fuzz.py
# steps around these inputs (known_binary and the assume() calls next to each property).
XFAIL_CASES = {
    "where_bfloat16_complex_is_bcomplex32": lambda L: L.where(L.tensor([True, False]), L.tensor([1.0], dtype=L.bfloat16),
                                                              L.tensor(1j)).dtype,
}


@pytest.mark.parametrize("name", sorted(XFAIL_CASES))
@pytest.mark.xfail(strict=True, reason="known divergence from torch (see XFAIL_CASES)")
def test_known_divergence(name):
    check(XFAIL_CASES[name])
