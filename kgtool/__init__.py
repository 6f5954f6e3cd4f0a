"""kgtool: a knowledge graph of work-safety accountability in Chinese public bodies.

The facade lets a notebook user write ``kgtool.open_store()`` without knowing the module tree, and
``kgtool.open()`` for answers as pandas DataFrames (`kgtool.notebook`).
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
    "open": ("kgtool.notebook", "open"),  # DataFrames for notebooks (pip install kgtool[notebook])
    "open_store": ("kgtool.store", "open_store"),
    "reason": ("kgtool.gaps.reasoning", "reason"),
    "run_query": ("kgtool.query", "run_query"),
    "validate": ("kgtool.gaps", "validate"),
}
#: Not "open": `from kgtool import *` must not hide the builtin open.
__all__ = ["__version__", *(name for name in _FACADE if name != "open")]


def __getattr__(name: str):
    """Import stages on first use, so `import kgtool` stays fast."""
    if name not in _FACADE:
        raise AttributeError(name)
    module, attr = _FACADE[name]
    loaded = import_module(module)
    return loaded if attr is None else getattr(loaded, attr)
