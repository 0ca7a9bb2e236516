"""RNN, LSTM, GRU and their cells: torch's parameters, names, initialisation and repr; the
forward is an explicit time loop over F.linear and the gate nonlinearities (autograd-aware)."""
import math
import numbers
import warnings

from ... import _C
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

Tensor = _C.Tensor


from ._ops import _cat, _stack


def _rnn_tanh_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    return _C.tanh(F.linear(x, w_ih, b_ih) + F.linear(h, w_hh, b_hh))


def _rnn_relu_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    return F.relu(F.linear(x, w_ih, b_ih) + F.linear(h, w_hh, b_hh))


def _lstm_cell(x, hc, w_ih, w_hh, b_ih, b_hh, w_hr=None):
    h, c = hc
    gates = F.linear(x, w_ih, b_ih) + F.linear(h, w_hh, b_hh)
    n = gates.shape[-1] // 4
    i = _C.sigmoid(gates.narrow(-1, 0, n))
    f = _C.sigmoid(gates.narrow(-1, n, n))
    g = _C.tanh(gates.narrow(-1, 2 * n, n))
    o = _C.sigmoid(gates.narrow(-1, 3 * n, n))
    c2 = f * c + i * g
    h2 = o * _C.tanh(c2)
    if w_hr is not None:
        h2 = F.linear(h2, w_hr)
    return h2, c2


def _gru_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    gi = F.linear(x, w_ih, b_ih)
    gh = F.linear(h, w_hh, b_hh)
    n = gi.shape[-1] // 3
    r = _C.sigmoid(gi.narrow(-1, 0, n) + gh.narrow(-1, 0, n))
    z = _C.sigmoid(gi.narrow(-1, n, n) + gh.narrow(-1, n, n))
    new = _C.tanh(gi.narrow(-1, 2 * n, n) + r * gh.narrow(-1, 2 * n, n))
    return (1 - z) * new + z * h


# --------------------------------------------------------------------------------- RNNBase
class RNNBase(Module):
    __constants__ = ["mode", "input_size", "hidden_size", "num_layers", "bias", "batch_first",
                     "dropout", "bidirectional", "proj_size"]

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        fk = {"device": device, "dtype": dtype}
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        num_directions = 2 if bidirectional else 1
        if not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError(
                "dropout should be a number in range [0, 1] "
                "representing the probability of an element being "
                "zeroed"
            )
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                "dropout option adds dropout after all but last "
                "recurrent layer, so non-zero dropout expects "
                f"num_layers greater than 1, but got dropout={dropout} and "
                f"num_layers={num_layers}",
                stacklevel=2,
            )
        if not isinstance(bias, bool):
            raise TypeError(f"bias should be of type bool, got: {type(bias).__name__}")
        if not isinstance(batch_first, bool):
            raise TypeError(f"batch_first should be of type bool, got: {type(batch_first).__name__}")
        if not isinstance(input_size, int):
            raise TypeError(f"input_size should be of type int, got: {type(input_size).__name__}")
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        gate_size = {"LSTM": 4 * hidden_size, "GRU": 3 * hidden_size, "RNN_TANH": hidden_size,
                     "RNN_RELU": hidden_size}.get(mode)
        if gate_size is None:
            raise ValueError("Unrecognized RNN mode: " + mode)
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for direction in range(num_directions):
                real_hidden = proj_size if proj_size > 0 else hidden_size
                layer_input = input_size if layer == 0 else real_hidden * num_directions
                params = [Parameter(_C.empty((gate_size, layer_input), **fk)),
                          Parameter(_C.empty((gate_size, real_hidden), **fk))]
                names = ["weight_ih_l{}{}", "weight_hh_l{}{}"]
                if bias:
                    params += [Parameter(_C.empty(gate_size, **fk)), Parameter(_C.empty(gate_size, **fk))]
                    names += ["bias_ih_l{}{}", "bias_hh_l{}{}"]
                if proj_size > 0:
                    params.append(Parameter(_C.empty((proj_size, hidden_size), **fk)))
                    names.append("weight_hr_l{}{}")
                suffix = "_reverse" if direction == 1 else ""
                names = [n.format(layer, suffix) for n in names]
                for n, p in zip(names, params):
                    setattr(self, n, p)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _flat_weights(self):
        return [getattr(self, n) if hasattr(self, n) else None for n in self._flat_weights_names]

    @property
    def all_weights(self):
        return [[getattr(self, w) for w in ws] for ws in self._all_weights]

    def flatten_parameters(self):
        """No-op (there is no cuDNN weight buffer to compact)."""

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)

    def _layer_weights(self, layer, direction):
        suffix = "_reverse" if direction == 1 else ""
        g = lambda n: getattr(self, f"{n}_l{layer}{suffix}", None)  # noqa: E731
        return g("weight_ih"), g("weight_hh"), g("bias_ih"), g("bias_hh"), g("weight_hr")

    def _run(self, input, hx, cell, is_lstm):
        """input (L, N, H_in); hx: (h0, c0) for LSTM else h0, each (D*layers, N, H)."""
        num_dirs = 2 if self.bidirectional else 1
        seq_len = input.shape[0]
        layer_in = input
        h_out, c_out = [], []
        for layer in range(self.num_layers):
            dir_outputs = []
            for d in range(num_dirs):
                idx = layer * num_dirs + d
                w_ih, w_hh, b_ih, b_hh, w_hr = self._layer_weights(layer, d)
                if is_lstm:
                    state = (hx[0][idx], hx[1][idx])
                else:
                    state = hx[idx]
                steps = range(seq_len - 1, -1, -1) if d == 1 else range(seq_len)
                outs = [None] * seq_len
                for t in steps:
                    x = layer_in[t]
                    if is_lstm:
                        state = cell(x, state, w_ih, w_hh, b_ih, b_hh, w_hr)
                        outs[t] = state[0]
                    else:
                        state = cell(x, state, w_ih, w_hh, b_ih, b_hh)
                        outs[t] = state
                dir_outputs.append(_stack(outs, 0))
                if is_lstm:
                    h_out.append(state[0])
                    c_out.append(state[1])
                else:
                    h_out.append(state)
            layer_out = dir_outputs[0] if num_dirs == 1 else _cat(dir_outputs, 2)
            if self.dropout > 0 and self.training and layer < self.num_layers - 1:
                layer_out = F.dropout(layer_out, self.dropout, True)
            layer_in = layer_out
        h_n = _stack(h_out, 0)
        if is_lstm:
            return layer_in, (h_n, _stack(c_out, 0))
        return layer_in, h_n

    def _run_packed(self, data, batch_sizes, hx, cell, is_lstm):
        """Variable-length time loop over packed ``data``; hx rows are in sorted order."""
        num_dirs = 2 if self.bidirectional else 1
        starts, off = [], 0
        for b in batch_sizes:
            starts.append(off)
            off += b
        steps = len(batch_sizes)
        layer_in = data
        h_out, c_out = [], []

        def narrow_state(st, a, n):
            return (st[0].narrow(0, a, n), st[1].narrow(0, a, n)) if is_lstm else st.narrow(0, a, n)

        def cat_states(parts):
            if is_lstm:
                return (_cat([p[0] for p in parts], 0), _cat([p[1] for p in parts], 0))
            return _cat(parts, 0)

        for layer in range(self.num_layers):
            dir_outputs = []
            for d in range(num_dirs):
                idx = layer * num_dirs + d
                w_ih, w_hh, b_ih, b_hh, w_hr = self._layer_weights(layer, d)
                init = (hx[0][idx], hx[1][idx]) if is_lstm else hx[idx]
                outs = [None] * steps

                def step(x, st):
                    if is_lstm:
                        st = cell(x, st, w_ih, w_hh, b_ih, b_hh, w_hr)
                        return st, st[0]
                    st = cell(x, st, w_ih, w_hh, b_ih, b_hh)
                    return st, st

                if d == 0:
                    state, cur, finished = init, batch_sizes[0], []
                    for t in range(steps):
                        b = batch_sizes[t]
                        if b < cur:
                            finished.append(narrow_state(state, b, cur - b))
                            state = narrow_state(state, 0, b)
                            cur = b
                        state, outs[t] = step(layer_in.narrow(0, starts[t], b), state)
                    final = cat_states([state] + finished[::-1]) if finished else state
                else:
                    state, cur = None, 0
                    for t in range(steps - 1, -1, -1):
                        b = batch_sizes[t]
                        if b > cur:
                            extra = narrow_state(init, cur, b - cur)
                            state = extra if state is None else cat_states([state, extra])
                            cur = b
                        state, outs[t] = step(layer_in.narrow(0, starts[t], b), state)
                    final = state
                dir_outputs.append(_cat(outs, 0))
                if is_lstm:
                    h_out.append(final[0])
                    c_out.append(final[1])
                else:
                    h_out.append(final)
            layer_out = dir_outputs[0] if num_dirs == 1 else _cat(dir_outputs, 1)
            if self.dropout > 0 and self.training and layer < self.num_layers - 1:
                layer_out = F.dropout(layer_out, self.dropout, True)
            layer_in = layer_out
        h_n = _stack(h_out, 0)
        if is_lstm:
            return layer_in, (h_n, _stack(c_out, 0))
        return layer_in, h_n

    def _forward_packed(self, packed, hx, is_lstm, cell):
        from ..utils.rnn import PackedSequence, _gather_rows

        num_dirs = 2 if self.bidirectional else 1
        batch_sizes = packed.batch_sizes.tolist()
        batch = batch_sizes[0]
        data = packed.data
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        h_shape = (self.num_layers * num_dirs, batch, real_hidden)
        c_shape = (self.num_layers * num_dirs, batch, self.hidden_size)
        if hx is None:
            hx = (_C.zeros(h_shape, dtype=data.dtype), _C.zeros(c_shape, dtype=data.dtype)) if is_lstm \
                else _C.zeros(h_shape, dtype=data.dtype)
        elif packed.sorted_indices is not None:
            if is_lstm:
                hx = tuple(_gather_rows(h, packed.sorted_indices, 1) for h in hx)
            else:
                hx = _gather_rows(hx, packed.sorted_indices, 1)
        out, hidden = self._run_packed(data, batch_sizes, hx, cell, is_lstm)
        if packed.unsorted_indices is not None:
            if is_lstm:
                hidden = tuple(_gather_rows(h, packed.unsorted_indices, 1) for h in hidden)
            else:
                hidden = _gather_rows(hidden, packed.unsorted_indices, 1)
        return PackedSequence(out, packed.batch_sizes, packed.sorted_indices, packed.unsorted_indices), hidden

    def _forward_impl(self, input, hx, is_lstm, cell):
        num_dirs = 2 if self.bidirectional else 1
        from ..utils.rnn import PackedSequence

        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx, is_lstm, cell)
        if input.dim() not in (2, 3):
            raise ValueError(
                f"{self.mode if self.mode == 'LSTM' or self.mode == 'GRU' else 'RNN'}: Expected input to be 2D or 3D, got {input.dim()}D instead"
            )
        is_batched = input.dim() == 3
        if not is_batched:
            input = input.reshape((input.shape[0], 1, input.shape[1]))
        elif self.batch_first:
            input = input.transpose(0, 1)
        if input.shape[-1] != self.input_size:
            raise RuntimeError(
                f"input.size(-1) must be equal to input_size. Expected {self.input_size}, got {input.shape[-1]}"
            )
        batch = input.shape[1]
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        h_shape = (self.num_layers * num_dirs, batch, real_hidden)
        c_shape = (self.num_layers * num_dirs, batch, self.hidden_size)

        def unbatch_state(s, shape):
            if not is_batched:
                if s.dim() != 2:
                    raise RuntimeError(
                        f"For unbatched 2-D input, hx should also be 2-D but got {s.dim()}-D tensor"
                    )
                s = s.reshape((s.shape[0], 1, s.shape[1]))
            elif s.dim() != 3:
                raise RuntimeError(
                    f"For batched 3-D input, hx should also be 3-D but got {s.dim()}-D tensor"
                )
            if tuple(s.shape) != shape:
                raise RuntimeError(f"Expected hidden size {shape}, got {list(s.shape)}")
            return s

        if is_lstm:
            if hx is None:
                hx = (_C.zeros(h_shape, dtype=input.dtype), _C.zeros(c_shape, dtype=input.dtype))
            else:
                hx = (unbatch_state(hx[0], h_shape), unbatch_state(hx[1], c_shape))
        else:
            hx = _C.zeros(h_shape, dtype=input.dtype) if hx is None else unbatch_state(hx, h_shape)
        output, hidden = self._run(input, hx, cell, is_lstm)
        if not is_batched:
            output = output.reshape((output.shape[0], output.shape[2]))
            if is_lstm:
                hidden = tuple(h.reshape((h.shape[0], h.shape[2])) for h in hidden)
            else:
                hidden = hidden.reshape((hidden.shape[0], hidden.shape[2]))
        elif self.batch_first:
            output = output.transpose(0, 1)
        return output, hidden


class RNN(RNNBase):
    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, device=None, dtype=None):
        self.nonlinearity = nonlinearity
        if nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__(mode, input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        cell = _rnn_tanh_cell if self.mode == "RNN_TANH" else _rnn_relu_cell
        return self._forward_impl(input, hx, False, cell)


class LSTM(RNNBase):
    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, proj_size, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        return self._forward_impl(input, hx, True, _lstm_cell)


class GRU(RNNBase):
    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        return self._forward_impl(input, hx, False, _gru_cell)


# --------------------------------------------------------------------------------- cells
class RNNCellBase(Module):
    __constants__ = ["input_size", "hidden_size", "bias"]

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        fk = {"device": device, "dtype": dtype}
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(_C.empty((num_chunks * hidden_size, input_size), **fk))
        self.weight_hh = Parameter(_C.empty((num_chunks * hidden_size, hidden_size), **fk))
        if bias:
            self.bias_ih = Parameter(_C.empty(num_chunks * hidden_size, **fk))
            self.bias_hh = Parameter(_C.empty(num_chunks * hidden_size, **fk))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if "bias" in self.__dict__ and self.bias is not True:
            s += ", bias={bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__)

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _prep(self, input, hx, name):
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        if hx is not None and hx.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected hidden to be 1D or 2D, got {hx.dim()}D instead")
        batched = input.dim() == 2
        if not batched:
            input = input.reshape((1, input.shape[0]))
        if hx is None:
            hx = _C.zeros((input.shape[0], self.hidden_size), dtype=input.dtype)
        elif not batched:
            hx = hx.reshape((1, hx.shape[0]))
        return input, hx, batched


class RNNCell(RNNCellBase):
    __constants__ = ["input_size", "hidden_size", "bias", "nonlinearity"]

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        x, h, batched = self._prep(input, hx, "RNNCell")
        if self.nonlinearity == "tanh":
            out = _rnn_tanh_cell(x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        elif self.nonlinearity == "relu":
            out = _rnn_relu_cell(x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        else:
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        return out if batched else out.reshape((out.shape[1],))


class LSTMCell(RNNCellBase):
    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        if input.dim() not in (1, 2):
            raise ValueError(f"LSTMCell: Expected input to be 1D or 2D, got {input.dim()}D instead")
        if hx is not None:
            for idx, value in enumerate(hx):
                if value.dim() not in (1, 2):
                    raise ValueError(
                        f"LSTMCell: Expected hx[{idx}] to be 1D or 2D, got {value.dim()}D instead"
                    )
        batched = input.dim() == 2
        x = input if batched else input.reshape((1, input.shape[0]))
        if hx is None:
            z = _C.zeros((x.shape[0], self.hidden_size), dtype=x.dtype)
            hx = (z, z)
        elif not batched:
            hx = tuple(h.reshape((1, h.shape[0])) for h in hx)
        h, c = _lstm_cell(x, hx, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        if not batched:
            h, c = h.reshape((h.shape[1],)), c.reshape((c.shape[1],))
        return h, c


class GRUCell(RNNCellBase):
    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        x, h, batched = self._prep(input, hx, "GRUCell")
        out = _gru_cell(x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return out if batched else out.reshape((out.shape[1],))
