"""A ``virtuoso.ini`` sized for a memory budget, with the limits an operator of kgtool's endpoint sets.

Why one place: Virtuoso's packaged ini keeps 10,000 page buffers (80 MB) whatever the machine,
silently cuts results at 10,000 rows and refuses queries on a cost estimate that was off by three
orders of magnitude on the saved queries at 1M triples. The tests' scratch server
(tests/virtuoso_server.py) and the benchmark (benchmarks/run.py) both write their ini here, and
docs/scaling.md gives the reason for every value, so what is measured is what an operator runs.

    >>> sizing = virtuoso_sizing("2G", cores=2)
    >>> sizing.number_of_buffers, sizing.max_dirty_buffers, sizing.max_query_mem
    (170000, 127500, '512M')
    >>> virtuoso_sizing("16G", cores=8).number_of_buffers
    1360000
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass

from kgtool.errors import KgtoolError

#: Page buffers per GiB of the budget: Virtuoso's own sizing table (170,000 for 2 GB free,
#: 1,360,000 for 16 GB) is 85,000 8-KiB pages a GiB, about 2/3 of the memory as page cache.
BUFFERS_PER_GIB = 85_000
#: The packaged default, kept as a floor: below it Virtuoso is slower than on any budget.
MIN_BUFFERS = 10_000
#: Smallest budget accepted: the floor of buffers plus room for queries and threads.
MIN_MEMORY = 256 * 2**20
#: Rows a SPARQL answer may have before the endpoint cuts it (and says so in X-SPARQL-MaxRows):
#: 5x the largest saved-query answer at 5.2M triples, far below what exhausts the server.
RESULT_ROWS = 1_000_000
#: Seconds a client may ask Virtuoso to stop a query at (its ``timeout`` parameter, which
#: kgtool sends): above kgtool's own limits (remote_timeout_s 30 s, DEFAULT_TIMEOUT 60 s).
EXECUTION_SECONDS = 120

_UNITS = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}


def parse_memory(text: str | int) -> int:
    """Bytes in ``"512M"``, ``"2G"``, ``"1.5G"`` or a plain number of bytes.

    >>> parse_memory("2G"), parse_memory("512m"), parse_memory(1024)
    (2147483648, 536870912, 1024)
    """
    if isinstance(text, int):
        return text
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?\s*", str(text), re.IGNORECASE)
    if not match:
        raise KgtoolError(f"not a memory size: {text!r}", where="memory", hint="e.g. 512M, 2G or 16G")
    return int(float(match.group(1)) * _UNITS[match.group(2).upper()])


def _mebibytes(n: int) -> str:
    return f"{n // 2**30}G" if n % 2**30 == 0 else f"{n // 2**20}M"


@dataclass(frozen=True)
class VirtuosoSizing:
    """Every value of the ini that depends on the machine or on kgtool's queries."""

    memory: int  # bytes given to Virtuoso
    cores: int
    number_of_buffers: int  # [Parameters] 8-KiB pages of database cache
    max_dirty_buffers: int  # [Parameters] modified pages before a flush is forced
    max_query_mem: str  # [Parameters] hash joins, GROUP BY and sorts of all queries
    threads_per_query: int  # [Parameters]
    async_queue_max_threads: int  # [Parameters]
    result_set_max_rows: int  # [SPARQL]
    max_sorted_top_rows: int  # [Parameters] ORDER BY with LIMIT/OFFSET
    max_query_execution_time: int  # [SPARQL] seconds
    max_query_cost_estimation_time: int  # [SPARQL] 0: never refuse on the optimiser's estimate

    def parameters(self) -> dict[str, str]:
        """The ``[Parameters]`` entries, as written."""
        return {
            "NumberOfBuffers": str(self.number_of_buffers),
            "MaxDirtyBuffers": str(self.max_dirty_buffers),
            "MaxQueryMem": self.max_query_mem,
            "ThreadsPerQuery": str(self.threads_per_query),
            "AsyncQueueMaxThreads": str(self.async_queue_max_threads),
            "MaxSortedTopRows": str(self.max_sorted_top_rows),
        }

    def sparql(self) -> dict[str, str]:
        """The ``[SPARQL]`` entries, as written."""
        return {
            "ResultSetMaxRows": str(self.result_set_max_rows),
            "MaxQueryExecutionTime": str(self.max_query_execution_time),
            "MaxQueryCostEstimationTime": str(self.max_query_cost_estimation_time),
        }


def virtuoso_sizing(
    memory: str | int, cores: int | None = None, *, max_rows: int = RESULT_ROWS, execution_seconds: int = EXECUTION_SECONDS
) -> VirtuosoSizing:
    """The values for a Virtuoso given ``memory`` (bytes or ``"2G"``) and ``cores`` (default: this machine's)."""
    budget = parse_memory(memory)
    if budget < MIN_MEMORY:
        raise KgtoolError(
            f"{_mebibytes(budget)} is too little memory for Virtuoso", where="memory", hint=f"give it at least {_mebibytes(MIN_MEMORY)}"
        )
    cores = max(1, cores or os.cpu_count() or 1)
    if max_rows < 1 or execution_seconds < 1:
        raise KgtoolError("max_rows and execution_seconds must be positive", where="virtuoso_sizing")
    buffers = max(MIN_BUFFERS, round(budget / 2**30 * BUFFERS_PER_GIB))
    return VirtuosoSizing(
        memory=budget,
        cores=cores,
        number_of_buffers=buffers,
        max_dirty_buffers=buffers * 3 // 4,
        max_query_mem=_mebibytes(budget // 4 // 2**20 * 2**20),
        threads_per_query=cores,
        async_queue_max_threads=math.ceil(cores * 1.5),
        result_set_max_rows=max_rows,
        max_sorted_top_rows=max_rows,
        max_query_execution_time=execution_seconds,
        max_query_cost_estimation_time=0,
    )


def virtuoso_ini(
    sizing: VirtuosoSizing, *, sql_port: int, http_port: int, host: str = "127.0.0.1", directories: tuple[str, ...] = (".", "data")
) -> str:
    """A whole ``virtuoso.ini``: database files beside it, listening on ``host`` only.

    No VAD directory (nothing is installed at start, so it is ready in seconds) and no Unix
    socket; ``directories`` are those SQL file functions may read (DirsAllowed).
    """
    parameters = "\n".join(f"{k:<22}= {v}" for k, v in sizing.parameters().items())
    sparql = "\n".join(f"{k:<27}= {v}" for k, v in sizing.sparql().items())
    return f"""\
; written by kgtool.store.virtuoso_ini for {_mebibytes(sizing.memory)} and {sizing.cores} cores;
; the reason for each value: docs/scaling.md
[Database]
DatabaseFile       = virtuoso.db
ErrorLogFile       = virtuoso.log
LockFile           = virtuoso.lck
TransactionFile    = virtuoso.trx
xa_persistent_file = virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = virtuoso-temp.db
TransactionFile    = virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort            = {host}:{sql_port}
DisableUnixSocket     = 1
DisableTcpSocket      = 0
MaxClientConnections  = 10
CheckpointInterval    = 60
CaseMode              = 2
DirsAllowed           = {", ".join(directories)}
{parameters}

[HTTPServer]
ServerPort            = {host}:{http_port}
ServerRoot            = vsp
MaxClientConnections  = 10
ServerThreads         = 10
MaxKeepAlives         = 10
KeepAliveTimeout      = 10
Charset               = UTF-8
EnabledDavVSP         = 0
EnabledGzipContent    = 0

[SPARQL]
{sparql}
DeferInferenceRulesInit    = 0
"""
