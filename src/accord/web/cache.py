"""Answers to GET requests, kept per version of the store's data.

Every page and API answer is a function of the store's data and the URL, so an answer built
once is served again until the data changes (an analysis, a coding run or a review is
written: `browse.data_version`). A long document's page costs some 200 ms of CPU to build;
served from here it costs a lookup.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool

MAX_BYTES = 64 * 2**20  # all answers kept, least recently used dropped first
MAX_ENTRY_BYTES = 8 * 2**20
NOT_KEPT = ("/static/", "/review/")  # files with their own Cache-Control; the review queue

Key = tuple[object, str, str]


class ResponseCache:
    """A byte-bounded LRU of (status, headers, body); safe to share between threads."""

    def __init__(self, max_bytes: int = MAX_BYTES):
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Key, tuple[dict[str, str], bytes]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Key) -> Response | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            self._entries.move_to_end(key)
        headers, body = found
        return Response(body, status_code=200, headers=headers)

    def put(self, key: Key, headers: dict[str, str], body: bytes) -> None:
        if len(body) > MAX_ENTRY_BYTES:
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = (headers, body)
            self._bytes += len(body)
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= len(dropped)


def cache_middleware(
    version: Callable[[], object], cache: ResponseCache
) -> Callable[[Request, Callable[[Request], Awaitable[Response]]], Awaitable[Response]]:
    """HTTP middleware serving kept answers; ``version()`` reads the store's data version.

    Register it inside the host check, so a refused host is refused before any lookup.
    """

    async def middleware(request: Request, call_next: Callable) -> Response:
        if request.method != "GET" or request.url.path.startswith(NOT_KEPT):
            return await call_next(request)
        key = (await run_in_threadpool(version), request.url.path, request.url.query)
        kept = cache.get(key)
        if kept is not None:
            return kept
        response = await call_next(request)
        if response.status_code != 200:
            return response
        body = b"".join([chunk async for chunk in response.body_iterator])
        headers = {k: v for k, v in response.headers.items() if k != "content-length"}
        cache.put(key, headers, body)
        return Response(body, status_code=200, headers=headers)

    return middleware
