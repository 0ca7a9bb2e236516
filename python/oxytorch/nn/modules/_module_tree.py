"""``Module``'s traversal (``parameters``, ``named_modules``, ...), ``train``/``eval`` and ``repr``:
methods of ``Module``, defined here to keep module.py small; module.py binds them in the class body."""
from ._module_util import _addindent


def _named_members(self, get_members_fn, prefix="", recurse=True, remove_duplicate=True):
    memo = set()
    modules = (self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
               if recurse else [(prefix, self)])
    for module_prefix, module in modules:
        for k, v in get_members_fn(module):
            if v is None or v in memo:
                continue
            if remove_duplicate:
                memo.add(v)
            name = module_prefix + ("." if module_prefix else "") + k
            yield name, v


def parameters(self, recurse=True):
    for _, param in self.named_parameters(recurse=recurse):
        yield param


def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
    yield from self._named_members(lambda m: m._parameters.items(), prefix=prefix,
                                   recurse=recurse, remove_duplicate=remove_duplicate)


def buffers(self, recurse=True):
    for _, buf in self.named_buffers(recurse=recurse):
        yield buf


def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
    yield from self._named_members(lambda m: m._buffers.items(), prefix=prefix,
                                   recurse=recurse, remove_duplicate=remove_duplicate)


def children(self):
    for _, module in self.named_children():
        yield module


def named_children(self):
    memo = set()
    for name, module in self._modules.items():
        if module is not None and module not in memo:
            memo.add(module)
            yield name, module


def modules(self, remove_duplicate=True):
    for _, module in self.named_modules(remove_duplicate=remove_duplicate):
        yield module


def named_modules(self, memo=None, prefix="", remove_duplicate=True):
    if memo is None:
        memo = set()
    if self not in memo:
        if remove_duplicate:
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            submodule_prefix = prefix + ("." if prefix else "") + name
            yield from module.named_modules(memo, submodule_prefix, remove_duplicate)


def train(self, mode=True):
    if not isinstance(mode, bool):
        raise ValueError("training mode is expected to be boolean")
    self.training = mode
    for module in self.children():
        module.train(mode)
    return self


def eval(self):
    return self.train(False)


def requires_grad_(self, requires_grad=True):
    for p in self.parameters():
        p.requires_grad_(requires_grad)
    return self


def zero_grad(self, set_to_none=True):
    """Resets the gradients of all parameters (to ``None`` by default)."""
    for p in self.parameters():
        if p.grad is not None:
            if set_to_none:
                p.grad = None
            else:
                g = p.grad
                if g.grad_fn is not None:
                    g.detach_()
                else:
                    g.requires_grad_(False)
                g.zero_()


def share_memory(self):
    return self


def compile(self, *args, **kwargs):
    """Accepted for compatibility; oxytorch runs the module eagerly."""
    return None


def _get_name(self):
    return self.__class__.__name__


def extra_repr(self):
    return ""


def __repr__(self):
    extra_lines = []
    extra = self.extra_repr()
    if extra:
        extra_lines = extra.split("\n")
    child_lines = []
    for key, module in self._modules.items():
        mod_str = _addindent(repr(module), 2)
        child_lines.append("(" + key + "): " + mod_str)
    lines = extra_lines + child_lines
    main_str = self._get_name() + "("
    if lines:
        if len(extra_lines) == 1 and not child_lines:
            main_str += extra_lines[0]
        else:
            main_str += "\n  " + "\n  ".join(lines) + "\n"
    return main_str + ")"


def __dir__(self):
    module_attrs = dir(self.__class__)
    attrs = list(self.__dict__.keys())
    keys = module_attrs + attrs + list(self._parameters) + list(self._modules) + list(self._buffers)
    keys = [k for k in keys if not k[0].isdigit()]
    return sorted(keys)


def _replicate_for_data_parallel(self):
    replica = self.__new__(type(self))
    replica.__dict__ = self.__dict__.copy()
    replica._parameters = {}
    replica._buffers = replica._buffers.copy()
    replica._modules = replica._modules.copy()
    return replica
