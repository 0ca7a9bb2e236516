"""Adadelta, Rprop, ASGD, Adafactor and SparseAdam (torch.optim), with torch's single-tensor updates."""
import oxytorch as torch

from .optimizer import (
    Optimizer,
    _get_scalar_dtype,
    _get_value,
    _tensorize_state_steps,
    _to_scalar,
    _use_grad_for_differentiable,
    _view_as_real,
)

__all__ = ["Adadelta", "Rprop", "ASGD", "Adafactor", "SparseAdam"]


def _check_lr(lr):
    if isinstance(lr, torch.Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")


class _Base(Optimizer):
    _flags = ("foreach", "maximize", "differentiable", "capturable")

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            for k in self._flags:
                group.setdefault(k, None if k == "foreach" else False)
            _tensorize_state_steps(self, group, on_device=group.get("capturable", False))

    def _closure(self, closure):
        if closure is None:
            return None
        with torch.enable_grad():
            return closure()


# ------------------------------------------------------------------------------ Adadelta
class Adadelta(_Base):
    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
                 maximize=False, differentiable=False):
        _check_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        super().__init__(params, {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay,
                                  "maximize": maximize, "capturable": capturable, "foreach": foreach,
                                  "differentiable": differentiable})

    @_use_grad_for_differentiable
    def step(self, closure=None):
        loss = self._closure(closure)
        for group in self.param_groups:
            lr, rho, eps, wd = _to_scalar(group["lr"]), group["rho"], group["eps"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                if p.grad.is_sparse:
                    raise RuntimeError("Adadelta does not support sparse gradients")
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = torch.zeros((), dtype=_get_scalar_dtype())
                    state["square_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                    state["acc_delta"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                square_avg, acc_delta = state["square_avg"], state["acc_delta"]
                state["step"] += 1
                grad = p.grad if not group["maximize"] else -p.grad
                if wd != 0:
                    grad = grad.add(p, alpha=wd)
                param = p
                if torch.is_complex(p):
                    square_avg, acc_delta, grad = _view_as_real(square_avg, acc_delta, grad)
                square_avg.mul_(rho).addcmul_(grad, grad, value=1 - rho)
                std = square_avg.add(eps).sqrt_()
                delta = acc_delta.add(eps).sqrt_()
                if group["differentiable"]:
                    delta = delta.clone()
                delta.div_(std).mul_(grad)
                acc_delta.mul_(rho).addcmul_(delta, delta, value=1 - rho)
                if torch.is_complex(param):
                    delta = torch.view_as_complex(delta)
                param.add_(delta, alpha=-lr)
        return loss


# ------------------------------------------------------------------------------ Rprop
class Rprop(_Base):
    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, capturable=False,
                 foreach=None, maximize=False, differentiable=False):
        _check_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        super().__init__(params, {"lr": lr, "etas": etas, "step_sizes": step_sizes, "foreach": foreach,
                                  "maximize": maximize, "differentiable": differentiable,
                                  "capturable": capturable})

    @_use_grad_for_differentiable
    def step(self, closure=None):
        loss = self._closure(closure)
        for group in self.param_groups:
            etaminus, etaplus = group["etas"]
            smin, smax = group["step_sizes"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                if p.grad.is_sparse:
                    raise RuntimeError("Rprop does not support sparse gradients")
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = torch.zeros((), dtype=_get_scalar_dtype())
                    state["prev"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                    if p.dtype.is_complex:
                        state["step_size"] = torch.full_like(p.grad, complex(group["lr"], group["lr"]))
                    else:
                        state["step_size"] = torch.full_like(p.grad, _to_scalar(group["lr"]))
                grad = p.grad if not group["maximize"] else -p.grad
                prev, step_size, param = state["prev"], state["step_size"], p
                state["step"] += 1
                if torch.is_complex(param):
                    grad, prev, param, step_size = _view_as_real(grad, prev, param, step_size)
                sign = grad.mul(prev.clone() if group["differentiable"] else prev).sign()
                sign = torch.where(sign > 0, torch.full_like(sign, etaplus),
                                   torch.where(sign < 0, torch.full_like(sign, etaminus), torch.ones_like(sign)))
                step_size.mul_(sign).clamp_(smin, smax)
                grad = grad.clone()
                grad = torch.where(sign == etaminus, torch.zeros_like(grad), grad)
                param.addcmul_(grad.sign(), step_size, value=-1)
                prev.copy_(grad)
        return loss


# ------------------------------------------------------------------------------ ASGD
class ASGD(_Base):
    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None,
                 maximize=False, differentiable=False, capturable=False):
        _check_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lambd:
            raise ValueError(f"Invalid lambd value: {lambd}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        super().__init__(params, {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0,
                                  "weight_decay": weight_decay, "foreach": foreach, "maximize": maximize,
                                  "differentiable": differentiable, "capturable": capturable})

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            _tensorize_state_steps(self, group, keys=("step", "eta", "mu"))

    @_use_grad_for_differentiable
    def step(self, closure=None):
        loss = self._closure(closure)
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            lambd, alpha, t0, wd = group["lambd"], group["alpha"], group["t0"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                if p.grad.is_sparse:
                    raise RuntimeError("ASGD does not support sparse gradients")
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = torch.zeros((), dtype=_get_scalar_dtype())
                    state["eta"] = torch.as_tensor(lr, dtype=_get_scalar_dtype()).clone().detach()
                    state["mu"] = torch.ones((), dtype=_get_scalar_dtype())
                    state["ax"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                grad = p.grad if not group["maximize"] else -p.grad
                mu, ax, eta, step_t, param = state["mu"], state["ax"], state["eta"], state["step"], p
                if torch.is_complex(param):
                    grad, param, ax = _view_as_real(grad, param, ax)
                step_t += 1
                if wd != 0:
                    grad = grad.add(param, alpha=wd)
                eta_value = _get_value(eta)
                param.mul_(1 - lambd * eta_value)
                param.add_(grad, alpha=-eta_value)
                if mu.item() != 1:
                    ax.add_(param.sub(ax).mul_(mu))
                else:
                    ax.copy_(param)
                step = _get_value(step_t)
                eta.copy_(torch.as_tensor(lr / ((1 + lambd * lr * step) ** alpha)))
                mu.copy_(torch.as_tensor(1 / max(1, step - t0)))
        return loss


# ------------------------------------------------------------------------------ Adafactor
class Adafactor(_Base):
    _flags = ("foreach", "maximize")

    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0, weight_decay=0.0, *,
                 foreach=None, maximize=False):
        _check_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        super().__init__(params, {"lr": lr, "beta2_decay": beta2_decay, "eps": eps, "d": d,
                                  "weight_decay": weight_decay, "foreach": foreach, "maximize": maximize})

    @torch.no_grad()
    def step(self, closure=None):
        loss = self._closure(closure)
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            eps1, eps2 = group["eps"]
            d, wd, decay = group["d"], group["weight_decay"], group["beta2_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                if torch.is_complex(p):
                    raise RuntimeError("Adafactor does not support complex parameters")
                if p.grad.is_sparse:
                    raise RuntimeError("Adafactor does not support sparse gradients")
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = torch.tensor(0.0, dtype=_get_scalar_dtype())
                    if p.grad.dim() > 1:
                        rs = list(p.grad.shape)
                        rs[-1] = 1
                        state["row_var"] = p.grad.new_zeros(rs)
                        cs = list(p.grad.shape)
                        cs[-2] = 1
                        state["col_var"] = p.grad.new_zeros(cs)
                    else:
                        state["variance"] = torch.zeros_like(p.grad, memory_format=torch.preserve_format)
                grad = p.grad if not group["maximize"] else -p.grad
                e1 = torch.finfo(p.dtype).eps if eps1 is None else eps1
                state["step"] += 1
                step_float = state["step"].item()
                one_minus_beta2_t = step_float ** decay
                rho_t = min(lr, 1 / (step_float ** 0.5))
                alpha = max(eps2, p.norm(2).item() / (p.numel() ** 0.5)) * rho_t
                if wd != 0:
                    p.mul_(1 - lr * wd)
                if grad.dim() > 1:
                    row_var, col_var = state["row_var"], state["col_var"]
                    row_mean = torch.linalg.vector_norm(grad, dim=-1, keepdim=True).square_().div_(grad.size(-1))
                    row_var.lerp_(row_mean, one_minus_beta2_t)
                    col_mean = torch.linalg.vector_norm(grad, dim=-2, keepdim=True).square_().div_(grad.size(-2))
                    col_var.lerp_(col_mean, one_minus_beta2_t)
                    var_estimate = row_var @ col_var
                    var_estimate.div_(row_var.mean(dim=-2, keepdim=True).clamp_(min=e1))
                else:
                    variance = state["variance"]
                    variance.lerp_(grad * grad, one_minus_beta2_t)
                    var_estimate = variance.clone()
                update = var_estimate.clamp_(min=e1 * e1).rsqrt_()
                update.mul_(grad)
                denom = max(1.0, update.norm(2).item() / ((update.numel() ** 0.5) * d))
                p.add_(update, alpha=-alpha / denom)
        return loss


# ------------------------------------------------------------------------------ SparseAdam
class SparseAdam(Optimizer):
    """SparseAdam: oxytorch has no sparse gradients, so ``step`` raises as torch does for dense ones."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False):
        _check_lr(lr)
        if not 0.0 < lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps, "maximize": maximize})
        complex_params = [[i, j] for i, g in enumerate(self.param_groups) for j, p in enumerate(g["params"])
                          if p.is_complex()]
        if complex_params:
            raise ValueError(
                f"Complex params at indices {complex_params}: SparseAdam does not support complex parameters")

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None and not p.grad.is_sparse:
                    raise RuntimeError("SparseAdam does not support dense gradients, please consider Adam instead")
        return loss



from ._lbfgs import LBFGS  # noqa: E402
from ._muon import Muon  # noqa: E402
from . import swa_utils  # noqa: E402,F401

__all__ += ["LBFGS", "Muon", "swa_utils"]
