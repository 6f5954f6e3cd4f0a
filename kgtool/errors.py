"""Errors a person can act on: what went wrong, where, and what to do next.

Stages raise these; only the CLI and the web app turn them into output, so a user never
sees a traceback for bad input or an unreachable engine.
"""

from __future__ import annotations


class KgtoolError(Exception):
    """Bad input or an unavailable engine: a message for a person, never a traceback."""

    exit_code = 2

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.message, self.where, self.hint = message, where, hint

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        return f"{text} ({self.hint})" if self.hint else text


class SourceError(KgtoolError):
    """A source text that cannot be read or has no recognisable structure."""


class QueryError(KgtoolError):
    """A SPARQL query or saved-query parameter that cannot be run."""


class ShapesError(KgtoolError):
    """SHACL shapes that cannot be loaded."""


class EngineError(KgtoolError):
    """A SPARQL engine that is unreachable, slow or answers garbage."""

    exit_code = 3


class ClusterError(KgtoolError):
    """A Dask scheduler that cannot be reached, has no workers, or whose workers died or cannot
    run kgtool (`kgtool.executor`): the work did not run, through no fault of the input."""

    exit_code = 3
