"""kgtool: a knowledge graph of work-safety accountability in Chinese public bodies.

The facade lets a notebook user write ``kgtool.open_store()`` without knowing the module tree.
"""
from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("kgtool")
except PackageNotFoundError:  # running from a checkout that is not installed
    __version__ = "0.0.0"

#: Public name -> (module, attribute); attribute None means the module itself.
_FACADE = {
    "build": ("kgtool.build", "build"),
    "compare": ("kgtool.compare", None),
    "open_store": ("kgtool.store", "open_store"),
    "reason": ("kgtool.gaps.reasoning", "reason"),
    "run_query": ("kgtool.query", "run_query"),
    "validate": ("kgtool.gaps", "validate"),
}
__all__ = ["__version__", *_FACADE]


def __getattr__(name: str):
    """Import stages on first use, so `import kgtool` stays fast."""
    if name not in _FACADE:
        raise AttributeError(name)
    module, attr = _FACADE[name]
    loaded = import_module(module)
    return loaded if attr is None else getattr(loaded, attr)
