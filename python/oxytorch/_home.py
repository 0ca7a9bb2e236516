"""Keeps the ``__module__`` of classes and functions moved out of a large module into private
helper modules: the module that re-exports them stays their home (for pickling by reference,
``repr`` and type names), as it was before the move."""
import types as _types


def keep_home(namespace, prefix):
    """Gives every class and function in ``namespace`` (a module's ``globals()``) whose
    ``__module__`` starts with ``prefix`` that module's name as its ``__module__``; so do the
    methods of those classes and of the module's own classes. A helper module's top-level
    function bound in a class body under its own name also gets the method's ``__qualname__``."""
    home = namespace["__name__"]

    def moved(obj):
        return (obj.__module__ or "").startswith(prefix)

    for obj in list(namespace.values()):
        if isinstance(obj, type) and (obj.__module__ == home or moved(obj)):
            for attr, member in vars(obj).items():
                fn = getattr(member, "__func__", None) or getattr(member, "fget", None) or member
                if isinstance(fn, _types.FunctionType) and moved(fn):
                    if fn.__qualname__ == fn.__name__ == attr:
                        fn.__qualname__ = f"{obj.__qualname__}.{attr}"
                    fn.__module__ = home
        if isinstance(obj, (type, _types.FunctionType)) and moved(obj):
            obj.__module__ = home
