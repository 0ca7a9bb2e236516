"""torch.nn.utils.init.skip_init: build a module without running its parameter initialisation."""
import inspect

__all__ = ["skip_init"]


def skip_init(module_cls, *args, **kwargs):
    if not issubclass(module_cls, __import__("oxytorch").nn.Module):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    final_device = kwargs.pop("device", "cpu")
    # no meta device here: the parameters are built normally, and the RNG state is put back so that
    # (as in torch) skipping the initialisation draws no random numbers
    import oxytorch
    state = oxytorch.get_rng_state()
    try:
        module = module_cls(*args, **kwargs)
    finally:
        oxytorch.set_rng_state(state)
    return module.to(final_device)
