"""A bounded cache of finished responses, for pages whose answer only the graph decides.

The embedded store is loaded once when the app starts and never written while it serves, so
a resource page or a saved-query page is the same bytes every time it is asked for in the
same language and format. At a million triples some of those pages take seconds to compute;
kept here they cost a dictionary look-up. A remote endpoint may change under us, so there
the cache is off (`Site` gives it no room).

Entries are keyed on the path, the query string, the negotiated format and the interface
language; the cache is bounded in entries and in bytes (least recently used go first).
Concurrent misses on one key compute the page once: the others wait for that answer.

In front of the app, `FrontCache` answers a page the cache holds before Flask sees the
request: keyed on what the request says (path, query string, Accept, Accept-Language,
Cookie), it sends the response as the app last sent it, headers and all, with no request
context, store or lock touched. Under many clients Flask's own work per request (routing,
contexts, hooks) was most of the time a cached page took.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from pathlib import Path

from flask import current_app, g, request
from werkzeug.http import parse_etags

#: Headers a cached response carries again (the rest are added per request by the app).
KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Vary", "X-SPARQL-MaxRows", "Cache-Control")


#: WSGI environ keys between `FrontCache` and `cached`: the first says the front layer is there
#: (so a cached view sends its whole page and leaves conditional requests to it), the second
#: carries the page the view answered from the cache (see `_Page`).
FRONT = "kgtool.front"
PAGE = "kgtool.page"
#: Request headers a cached page may depend on (besides the path and query string): the format
#: (Accept), the language (Accept-Language, and the language cookie, which Cookie holds).
KEY_HEADERS = ("HTTP_ACCEPT", "HTTP_ACCEPT_LANGUAGE", "HTTP_COOKIE")
#: Headers a 304 answer leaves out (werkzeug's entity headers but Expires and Content-Location).
NOT_IN_304 = frozenset(
    ("allow", "content-encoding", "content-language", "content-length", "content-md5", "content-range", "content-type", "last-modified")
)


@dataclass(frozen=True)
class Entry:
    """One finished response, as bytes."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    etag: str
    inline_styles: bool


#: (path, mtime_ns, size) of the file a page was made from, or None.
Source = tuple[str, int, int] | None


@dataclass(frozen=True)
class Answer:
    """A cached page as the app sent it: its status line, every header, the entry's body."""

    key: tuple  # the entry's key in the cache
    entry: Entry
    status: str
    headers: tuple[tuple[str, str], ...]
    source: Source


@dataclass(frozen=True)
class _Page:
    """What `cached` tells `FrontCache` about the page it answered."""

    key: tuple
    entry: Entry
    source: Source


class ResponseCache:
    """Least-recently-used entries, at most ``max_entries`` of them and ``max_bytes`` of bodies."""

    def __init__(self, max_entries: int, max_bytes: int):
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple, Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._pending: dict[tuple, threading.Lock] = {}
        self._answers: OrderedDict[tuple, Answer] = OrderedDict()  # by request, for `FrontCache`
        self._answers_of: dict[tuple, list[tuple]] = {}  # entry key -> the requests answered with it

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
            self._drop(key)
            self._entries[key] = entry
            self._bytes += len(entry.body)
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                self._drop(next(iter(self._entries)))

    def _drop(self, key: tuple) -> None:
        """Forget an entry and the answers made with it (under the lock)."""
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= len(old.body)
        for asked in self._answers_of.pop(key, ()):
            self._answers.pop(asked, None)

    def answer(self, asked: tuple) -> Answer | None:
        """The answer kept for this request, while its entry is kept."""
        with self._lock:
            found = self._answers.get(asked)
            if found is None:
                return None
            self._answers.move_to_end(asked)
            self._entries.move_to_end(found.key)
            return found

    def keep_answer(self, asked: tuple, answer: Answer) -> None:
        """Keep an answer while its entry is kept, at most ``max_entries`` of them (oldest go first)."""
        with self._lock:
            if self._entries.get(answer.key) is not answer.entry:
                return  # dropped meanwhile
            old = self._answers.pop(asked, None)
            if old is not None:
                self._forget_answer(asked, old)
            self._answers[asked] = answer
            self._answers_of.setdefault(answer.key, []).append(asked)
            while len(self._answers) > self.max_entries:
                oldest, dropped = self._answers.popitem(last=False)
                self._forget_answer(oldest, dropped)

    def _forget_answer(self, asked: tuple, answer: Answer) -> None:
        asked_with = self._answers_of.get(answer.key, [])
        if asked in asked_with:
            asked_with.remove(asked)
        if not asked_with:
            self._answers_of.pop(answer.key, None)

    def clear(self) -> None:
        """Forget every entry (for when the graph behind the pages changes)."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0
            self._answers.clear()
            self._answers_of.clear()

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
    return Entry(status=response.status_code, headers=headers, body=body, etag=etag, inline_styles=bool(getattr(g, "inline_styles", False)))


def _response(key: tuple, entry: Entry, source: Source):
    from kgtool.web.responses import allow_inline_styles

    if entry.inline_styles:
        allow_inline_styles()
    response = current_app.response_class(entry.body, status=entry.status, headers=list(entry.headers))
    response.set_etag(entry.etag)
    if request.environ.get(FRONT):  # the whole page, for FrontCache to keep and answer conditionals with
        request.environ[PAGE] = _Page(key, entry, source)
        return response
    return response.make_conditional(request)


def _signature(path: Path | None) -> Source:
    """The file's (path, mtime_ns, size), or None when there is no file (or no such file)."""
    if path is None:
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return str(path), stat.st_mtime_ns, stat.st_size


def _unchanged(source: Source) -> bool:
    return source is None or _signature(Path(source[0])) == source


def cached(variant: Callable[[], str], responses: Callable[[], ResponseCache], source: Callable[[], Path | None] | None = None) -> Callable:
    """Serve a view's 200 responses from the app's response cache.

    Args:
        variant: what else the response depends on besides the URL and the language (the
            negotiated format); called before the view, so it may raise as the view would.
        responses: the current app's cache (`kgtool.web.site.responses`), passed in so this
            module stays below the `Site` that holds the cache.
        source: the file the page is made from, if any (a saved query's .rq): its version
            is part of the key, so an edited file is never answered from the cache.
    """

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            from kgtool.web import i18n

            cache = responses()
            if not cache.enabled:
                return view(*args, **kwargs)
            made_from = _signature(source()) if source is not None else None
            key = (request.path, request.query_string, variant(), i18n.current(), made_from)
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
            return _response(key, entry, made_from)

        return wrapper

    return decorate


def _no_write(data: bytes) -> None:
    raise RuntimeError("a cached page is sent whole, not written")


class FrontCache:
    """WSGI middleware: GET and HEAD of a page the cache holds, answered before the app runs.

    A miss goes to the app; when a `cached` view answered it (from the cache or freshly), the
    response the app sent is kept for this request's key, beside the entry it was made from,
    and lives as long as that entry (an entry dropped or the cache cleared takes its answers
    along). A page made from a file is answered only while the file is unchanged.

    Args:
        app: the WSGI app (Flask's ``wsgi_app``).
        responses: the cache (`kgtool.web.site.Site.responses`), looked up on each request.
    """

    def __init__(self, app: Callable, responses: Callable[[], ResponseCache]):
        self.app = app
        self.responses = responses

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        cache = self.responses()
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or not cache.enabled:
            return self.app(environ, start_response)
        asked = (
            environ.get("SCRIPT_NAME", ""),
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
            *(environ.get(name) for name in KEY_HEADERS),
        )
        found = cache.answer(asked)
        if found is not None and _unchanged(found.source):
            return _send(found, environ, start_response)
        environ[FRONT] = True
        sent: list[tuple[str, list]] = []

        def capture(status: str, headers: list, exc_info=None):
            if environ.get(PAGE) is None or not status.startswith("200 "):
                return start_response(status, headers, exc_info)
            sent.append((status, headers))
            return _no_write

        body = self.app(environ, capture)
        if not sent:
            return body
        if hasattr(body, "close"):
            body.close()
        page: _Page = environ[PAGE]
        status, headers = sent[0]
        answer = Answer(key=page.key, entry=page.entry, status=status, headers=tuple(headers), source=page.source)
        cache.keep_answer(asked, answer)
        return _send(answer, environ, start_response)


def _send(answer: Answer, environ: dict, start_response: Callable) -> Iterable[bytes]:
    """The answer, or 304 when the client holds this version (If-None-Match, weak comparison)."""
    asked = environ.get("HTTP_IF_NONE_MATCH")
    if asked and parse_etags(asked).contains_weak(answer.entry.etag):
        start_response("304 Not Modified", [(k, v) for k, v in answer.headers if k.lower() not in NOT_IN_304])
        return []
    start_response(answer.status, list(answer.headers))
    return [] if environ.get("REQUEST_METHOD") == "HEAD" else [answer.entry.body]
