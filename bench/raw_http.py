"""A cheap HTTP/1.1 keep-alive client for load benchmarks: asyncio streams, no HTTP library.

httpx costs ~1 ms of CPU per request; at 200 requests/s on 2 shared cores that sender time is
taken from the server it measures. This client writes a prepared request on a pooled
keep-alive connection and reads the status line, headers and a `Content-Length` body, nothing
more: enough for a JSON API on loopback, not a general client.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

_Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class RawHttpError(Exception):
    """The server closed a connection or answered something this client cannot read."""


class RawHttpPool:
    """Up to `size` keep-alive connections to one `http://host:port`."""

    def __init__(self, url: str, headers: dict[str, str], size: int = 64) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.headers = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        self.size = size
        self.idle: list[_Connection] = []
        self.opened = 0
        self.freed = asyncio.Condition()

    def request_bytes(self, method: str, path: str, body: bytes) -> bytes:
        """A complete request, prepared once and sent many times."""
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{self.headers}"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        return head.encode() + body

    async def send(self, request: bytes) -> tuple[int, bytes]:
        """Send a prepared request; the status code and body of the answer.

        A reused connection that the server closed while idle (uvicorn's keep-alive timeout)
        answers nothing at all: then the request was not read, and goes once more on a new one.
        """
        for attempt in range(2):
            reused, (reader, writer) = await self._take(fresh=attempt > 0)
            try:
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                status, length = _parse_head(head)
                body = await reader.readexactly(length)
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as error:
                writer.close()
                await self._release(None)
                stale = isinstance(error, asyncio.IncompleteReadError) and not error.partial
                if reused and stale and attempt == 0:
                    continue
                raise RawHttpError(str(error) or type(error).__name__) from None
            await self._release((reader, writer))
            return status, body
        raise AssertionError("unreachable")

    async def _release(self, connection: _Connection | None) -> None:
        if connection is None:
            self.opened -= 1
        else:
            self.idle.append(connection)
        async with self.freed:
            self.freed.notify()

    async def _take(self, *, fresh: bool) -> tuple[bool, _Connection]:
        """(reused?, a connection): the newest idle one unless `fresh`, else a new one."""
        while True:
            if self.idle and not fresh:
                return True, self.idle.pop()
            if self.opened < self.size:
                self.opened += 1
                try:
                    return False, await asyncio.open_connection(self.host, self.port)
                except OSError as error:
                    self.opened -= 1
                    raise RawHttpError(str(error)) from None
            if fresh and self.idle:  # the pool is full: make room for a new connection
                self.idle.pop(0)[1].close()
                self.opened -= 1
                continue
            async with self.freed:
                await self.freed.wait()

    async def close(self) -> None:
        """Close the idle connections."""
        for _, writer in self.idle:
            writer.close()
        self.idle.clear()


def _parse_head(head: bytes) -> tuple[int, int]:
    lines = head.split(b"\r\n")
    try:
        status = int(lines[0].split(b" ", 2)[1])
    except (IndexError, ValueError):
        raise RawHttpError(f"not an HTTP status line: {lines[0][:80]!r}") from None
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return status, int(value.strip())
    raise RawHttpError("an answer without Content-Length (chunked bodies are not read)")
