"""kgtool: a knowledge graph of work-safety accountability in Chinese public bodies.

The facade lets a notebook user write ``kgtool.open_store()`` without knowing the module tree.
"""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("kgtool")
except PackageNotFoundError:  # running from a checkout that is not installed
    __version__ = "0.0.0"

__all__ = ["__version__", "build", "compare", "open_store", "reason", "run_query", "validate"]


def __getattr__(name: str):
    """Import stages on first use, so `import kgtool` stays fast."""
    if name == "build":
        from kgtool.build import build
        return build
    if name == "open_store":
        from kgtool.store import open_store
        return open_store
    if name == "run_query":
        from kgtool.query import run_query
        return run_query
    if name == "validate":
        from kgtool.validate import validate
        return validate
    if name == "compare":
        import kgtool.compare as compare
        return compare
    if name == "reason":
        from kgtool.reason import reason
        return reason
    raise AttributeError(name)
