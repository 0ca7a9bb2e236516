"""Tensor.untyped_storage() / storage() against torch: sizes, data pointers, element access, writes
through the storage into the tensor, printed text; and pin_memory without a CUDA driver."""
import warnings

import pytest
import torch

import oxytorch as ot

MAKERS = {
    "float32 slice": lambda L: L.arange(6.0).reshape(2, 3)[1:],
    "int16": lambda L: L.tensor([1, -2, 300], dtype=L.int16),
    "transposed": lambda L: L.arange(12.0, dtype=L.float64).reshape(3, 4).t(),
    "complex": lambda L: L.tensor([1 + 2j, 3j])[1:],
    "bool": lambda L: L.tensor([True, False, True]),
    "empty": lambda L: L.empty(0),
    "0-d": lambda L: L.tensor(2.5),
    "expanded": lambda L: L.tensor([1.0, 2.0]).expand(3, 2),
}


@pytest.mark.parametrize("name", list(MAKERS))
def test_untyped_storage(name):
    r, o = MAKERS[name](torch), MAKERS[name](ot)
    rs, os_ = r.untyped_storage(), o.untyped_storage()
    assert type(os_).__name__ == "UntypedStorage"
    assert os_.nbytes() == rs.nbytes() == len(os_) == os_.size()
    assert os_.element_size() == 1
    assert os_.data_ptr() == o.data_ptr() - o.storage_offset() * o.element_size()
    assert os_.tolist() == rs.tolist()
    assert repr(os_) == repr(rs)
    assert str(os_.device) == "cpu"
    if rs.nbytes():
        assert os_[0] == rs[0] and os_[-1] == rs[-1]
        assert os_[1:3].tolist() == rs[1:3].tolist()


@pytest.mark.parametrize("name", list(MAKERS))
def test_typed_storage(name):
    with warnings.catch_warnings(record=True) as wr:
        warnings.simplefilter("always")
        os_ = MAKERS[name](ot).storage()
    assert any("TypedStorage is deprecated" in str(w.message) for w in wr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rs = MAKERS[name](torch).storage()
    assert os_.size() == rs.size() == len(os_)
    assert str(os_.dtype) == str(rs.dtype)
    assert os_.nbytes() == rs.nbytes() and os_.element_size() == rs.element_size()
    assert os_.tolist() == rs.tolist()
    assert repr(os_) == repr(rs)


def test_storage_writes_show_in_tensor():
    for L in (torch, ot):
        x = L.arange(6.0).reshape(2, 3)[1:]
        s = x.untyped_storage()
        s[13] = 7  # a byte of element 3, the first element of x
        s2 = x.untyped_storage()
        assert s2.data_ptr() == s.data_ptr()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            x.storage()[4] = -1.0
        assert x.reshape(-1).tolist() == pytest.approx([3.0004272, -1.0, 5.0])
    assert ot.UntypedStorage(5).nbytes() == torch.UntypedStorage(5).nbytes()


def test_pin_memory_without_driver():
    if torch.cuda.is_available():
        pytest.skip("a CUDA driver is present; pinning works there")  # parity needs a driverless machine
    with pytest.raises(RuntimeError) as er:
        torch.randn(2).pin_memory()
    with pytest.raises(RuntimeError) as eo:
        ot.randn(2).pin_memory()
    assert str(eo.value) == str(er.value)
    assert ot.randn(2).is_pinned() is False
