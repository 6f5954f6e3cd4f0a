"""A bounded cache of finished responses, for pages whose answer only the graph decides.

The embedded store is loaded once when the app starts and never written while it serves, so
a resource page or a saved-query page is the same bytes every time it is asked for in the
same language and format. At a million triples some of those pages take seconds to compute;
kept here they cost a dictionary look-up. A remote endpoint may change under us, so there
the cache is off (`Site` gives it no room).

Entries are keyed on the path, the query string, the negotiated format and the interface
language; the cache is bounded in entries and in bytes (least recently used go first).
Concurrent misses on one key compute the page once: the others wait for that answer.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from flask import current_app, g, request

#: Headers a cached response carries again (the rest are added per request by the app).
KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Vary", "X-SPARQL-MaxRows", "Cache-Control")


@dataclass(frozen=True)
class Entry:
    """One finished response, as bytes."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    etag: str
    inline_styles: bool


class ResponseCache:
    """Least-recently-used entries, at most ``max_entries`` of them and ``max_bytes`` of bodies."""

    def __init__(self, max_entries: int, max_bytes: int):
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple, Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._pending: dict[tuple, threading.Lock] = {}

    @property
    def enabled(self) -> bool:
        return self.max_entries > 0 and self.max_bytes > 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def get(self, key: tuple) -> Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: tuple, entry: Entry) -> None:
        """Keep an entry unless it alone is larger than the whole budget; drop the oldest to fit."""
        if len(entry.body) > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            self._entries[key] = entry
            self._bytes += len(entry.body)
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped.body)

    def clear(self) -> None:
        """Forget every entry (for when the graph behind the pages changes)."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def key_lock(self, key: tuple) -> threading.Lock:
        """The lock that makes concurrent misses on one key compute it once."""
        with self._lock:
            return self._pending.setdefault(key, threading.Lock())

    def release_key(self, key: tuple, lock: threading.Lock) -> None:
        with self._lock:
            if self._pending.get(key) is lock:
                del self._pending[key]


def _entry(response) -> Entry:
    body = response.get_data()
    headers = tuple((k, v) for k, v in response.headers.items() if k in KEPT_HEADERS)
    etag = hashlib.blake2b(body, digest_size=12).hexdigest()
    return Entry(status=response.status_code, headers=headers, body=body, etag=etag,
                 inline_styles=bool(getattr(g, "inline_styles", False)))


def _response(entry: Entry):
    from kgtool.web.responses import allow_inline_styles

    if entry.inline_styles:
        allow_inline_styles()
    response = current_app.response_class(entry.body, status=entry.status, headers=list(entry.headers))
    response.set_etag(entry.etag)
    return response.make_conditional(request)


def cached(variant: Callable[[], str], responses: Callable[[], ResponseCache]) -> Callable:
    """Serve a view's 200 responses from the app's response cache.

    Args:
        variant: what else the response depends on besides the URL and the language (the
            negotiated format); called before the view, so it may raise as the view would.
        responses: the current app's cache (`kgtool.web.site.responses`), passed in so this
            module stays below the `Site` that holds the cache.
    """
    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            from kgtool.web import i18n

            cache = responses()
            if not cache.enabled:
                return view(*args, **kwargs)
            key = (request.path, request.query_string, variant(), i18n.current())
            entry = cache.get(key)
            if entry is None:
                lock = cache.key_lock(key)
                with lock:
                    entry = cache.get(key)
                    if entry is None:
                        try:
                            response = current_app.make_response(view(*args, **kwargs))
                        finally:
                            cache.release_key(key, lock)
                        if response.status_code != 200 or response.direct_passthrough:
                            return response
                        entry = _entry(response)
                        cache.put(key, entry)
            return _response(entry)
        return wrapper
    return decorate
