import os
import sys

import pytest
from hypothesis import settings

sys.path.insert(0, os.path.dirname(__file__))

# Reproducible property tests: the same examples every run, no example database, no deadlines.
settings.register_profile("parity", derandomize=True, deadline=None, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "parity"))


@pytest.fixture(autouse=True)
def _restore_global_state():
    """Every test starts and ends with float32 as the default dtype and default print options,
    for both oxytorch and torch."""
    import torch
    import oxytorch as ot

    ot.set_default_dtype(ot.float32)
    torch.set_default_dtype(torch.float32)
    ot.set_printoptions(profile="default")
    torch.set_printoptions(profile="default")
    yield
    ot.set_default_dtype(ot.float32)
    torch.set_default_dtype(torch.float32)
    ot.set_printoptions(profile="default")
    torch.set_printoptions(profile="default")


# Known divergences from torch, tracked as open work (issue #3). They are strict xfails: each must
# still fail, so a fix (or a regression elsewhere in the test) shows up immediately.
_HALF_COMPLEX_LOGICAL = "logical ops on float16/bfloat16 with complex operands: torch raises for its ComplexHalf/BComplex32 promotion"
KNOWN_DIVERGENCES = {
    "tests/test_binary_ops.py::test_promotion_matrix[logical_xor-float16-dim]": _HALF_COMPLEX_LOGICAL,
    "tests/test_binary_ops.py::test_promotion_matrix[logical_xor-bfloat16-dim]": _HALF_COMPLEX_LOGICAL,
    "tests/test_binary_ops.py::test_promotion_matrix[logical_xor-complex64-0d]": _HALF_COMPLEX_LOGICAL,
    "tests/test_binary_ops.py::test_promotion_matrix[logical_xor-complex128-0d]": _HALF_COMPLEX_LOGICAL,
    "tests/test_binary_ops.py::test_inplace_scalars_and_0d[logical_and_-float16]": _HALF_COMPLEX_LOGICAL,
    "tests/test_binary_ops.py::test_inplace_scalars_and_0d[logical_and_-bfloat16]": _HALF_COMPLEX_LOGICAL,
    "tests/test_binary_ops.py::test_inplace_scalars_and_0d[logical_or_-float16]": _HALF_COMPLEX_LOGICAL,
    "tests/test_binary_ops.py::test_inplace_scalars_and_0d[logical_or_-bfloat16]": _HALF_COMPLEX_LOGICAL,
    "tests/test_binary_ops.py::test_inplace_scalars_and_0d[logical_xor_-float16]": _HALF_COMPLEX_LOGICAL,
    "tests/test_binary_ops.py::test_inplace_scalars_and_0d[logical_xor_-bfloat16]": _HALF_COMPLEX_LOGICAL,
    "tests/test_elementwise_extra.py::test_clamp_scalar_bounds[uint8]": "clamp_min(-1) on uint8 differs from torch",
    "tests/test_elementwise_extra.py::test_complex_views[complex64]": "a result computed from a real/imag view keeps stride 2; torch's is contiguous",
    "tests/test_elementwise_extra.py::test_complex_views[complex128]": "a result computed from a real/imag view keeps stride 2; torch's is contiguous",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        reason = KNOWN_DIVERGENCES.get(item.nodeid)
        if reason:
            item.add_marker(pytest.mark.xfail(reason=reason, strict=True))
