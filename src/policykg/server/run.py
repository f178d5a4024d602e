"""``policykg serve``: build (unless told not to), pass the gate, serve the last good build.

Door: :func:`serve`. A build that fails the SHACL gate is never served: the server keeps
serving the last good build and says so in its log and on its home page; with no good build at
all it refuses to start, with the gate's report.

The HTTP layer is uvicorn's httptools protocol with bounds of our own (:func:`protocol_class`),
since uvicorn has none on what a client sends before its request is complete:

* a request line longer than :data:`MAX_URL` bytes gets **414** (with a hint to POST the query)
  as soon as that many bytes have come, and request headers over :data:`MAX_HEAD` bytes get
  **431**; without these, uvicorn buffered a request line of any length and then answered 400
  (httptools cannot parse a URL over 64 KiB);
* a connection has ``read_timeout`` seconds to send a whole request, head and body (**408**),
  counted from its first byte, or from the moment it opened: a slow client (one byte a
  second) or a silent one holds a connection for a bounded time only;
* after a refusal the connection is closed gently: the answer is sent, then whatever the client
  still sends is read and dropped for a moment, so that it reads the answer rather than a reset.
"""
from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import ExitCode, InputError, PolicykgError
from ..pipeline.publish.release import latest_good
from .app import create_app
from .state import CSP, ServerConfig

log = logging.getLogger("policykg.server")

#: The longest request line (method, target, version) accepted: 414 beyond. httptools cannot
#: parse a longer URL than 64 KiB; the application refuses query strings over
#: ``ServerConfig.max_query_string`` (16 KiB by default) with 414 itself.
MAX_URL = 60 << 10
#: The most bytes of request head (request line and header fields): 431 beyond.
MAX_HEAD = 128 << 10
#: How long a refused connection is read (and its data dropped) before it is closed.
LINGER = 2.0


def protocol_class(read_timeout: float) -> type[asyncio.Protocol] | str:
    """uvicorn's httptools protocol, bounded as the module says (``"h11"`` without httptools,
    bounded by uvicorn's ``h11_max_incomplete_event_size``)."""
    try:
        import httptools
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:  # pragma: no cover - uvicorn[standard] brings httptools
        return "h11"

    class _Refused(Exception):
        pass

    class BoundedHttpToolsProtocol(HttpToolsProtocol):
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._in_head = True  # reading a request head (or waiting for one)
            self._head_bytes = 0
            self._field_bytes = 0  # the header fields of this request, as the parser gives them
            self._refusal: tuple[int, str] | None = None
            self._refused = False
            self._read_timer: asyncio.TimerHandle | None = self.loop.call_later(read_timeout, self._read_timed_out)

        def connection_lost(self, exc: Exception | None) -> None:
            self._stop_read_timer()
            super().connection_lost(exc)

        def _stop_read_timer(self) -> None:
            if self._read_timer is not None:
                self._read_timer.cancel()
                self._read_timer = None

        # -- parser callbacks
        def on_message_begin(self) -> None:
            super().on_message_begin()
            if self._read_timer is None:
                self._read_timer = self.loop.call_later(read_timeout, self._read_timed_out)

        def on_url(self, url: bytes) -> None:
            if len(self.url) + len(url) > MAX_URL:
                self._refusal = (414, (f"the request line is longer than {MAX_URL} bytes; "
                                       "send a long query in a POST body (application/sparql-query)"))
                raise _Refused()
            super().on_url(url)

        def on_header(self, name: bytes, value: bytes) -> None:
            # counted field by field too: a head that arrives in one chunk with its end (which
            # data_received cannot tell from the body) is bounded all the same
            self._field_bytes += len(name) + len(value) + 4
            if self._field_bytes > MAX_HEAD:
                self._refusal = (431, f"the request's header fields are longer than {MAX_HEAD} bytes")
                raise _Refused()
            super().on_header(name, value)

        def on_headers_complete(self) -> None:
            self._in_head = False
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            self._stop_read_timer()
            self._in_head, self._head_bytes, self._field_bytes = True, 0, 0
            super().on_message_complete()

        # -- reading
        def data_received(self, data: bytes) -> None:
            if self._refused:
                return  # lingering: read and drop
            in_head = self._in_head
            super().data_received(data)
            if self._refused or self.parser is None:
                return
            if in_head and self._in_head:  # the whole chunk was request head
                self._head_bytes += len(data)
                if self._head_bytes > MAX_HEAD:
                    if not self.headers and self.url:
                        self._refuse(414, f"the request line is longer than {MAX_HEAD} bytes; "
                                          "send a long query in a POST body (application/sparql-query)")
                    else:
                        self._refuse(431, f"the request's header fields are longer than {MAX_HEAD} bytes")

        def send_400_response(self, msg: str) -> None:
            if self._refusal is not None:
                self._refuse(*self._refusal)
            else:
                self._refuse(400, msg)

        def _read_timed_out(self) -> None:
            self._read_timer = None
            if self.transport.is_closing() or self._refused:
                return
            cycle = self.cycle
            if cycle is not None and cycle.response_started:
                # answered already (a 413, say) while the body still trickled in
                self.transport.close()
                return
            self._refuse(408, f"the request was not received within {read_timeout:g} s")

        def _refuse(self, status: int, message: str) -> None:
            """Answer ``status`` (unless an answer has begun), then close the connection gently."""
            self._refused = True
            self._stop_read_timer()
            cycle = self.cycle
            started = cycle is not None and cycle.response_started and not cycle.response_complete
            if cycle is not None and not cycle.response_complete:
                # the application (if it runs) sees a disconnect and writes nothing more
                cycle.disconnected = True
                cycle.message_event.set()
            if not started:
                body = (message + "\n").encode("utf-8")
                reason = {400: b"Bad Request", 408: b"Request Timeout", 414: b"URI Too Long",
                          431: b"Request Header Fields Too Large"}.get(status, b"Error")
                head = [b"HTTP/1.1 %d %s\r\n" % (status, reason)]
                head += [name + b": " + value + b"\r\n" for name, value in self.server_state.default_headers]
                head += [b"content-type: text/plain; charset=utf-8\r\n",
                         b"content-length: %d\r\n" % len(body),
                         b"content-security-policy: " + CSP.encode() + b"\r\n",
                         b"x-content-type-options: nosniff\r\n",
                         b"connection: close\r\n\r\n"]
                self.transport.write(b"".join(head) + body)
            if status != 408:
                self.logger.info("refused a request from %s: %d %s", self.client[0] if self.client else "?",
                                 status, message)
            try:
                if self.transport.can_write_eof():
                    self.transport.write_eof()
            except (OSError, RuntimeError):
                pass
            self.loop.call_later(LINGER, self.transport.close)

    _ = httptools  # imported to pick httptools only when it is there
    return BoundedHttpToolsProtocol


def uvicorn_config(app: Any, config: ServerConfig) -> Any:
    """The uvicorn configuration ``policykg serve`` runs ``app`` with."""
    import uvicorn  # loaded only to serve: importing this module (the CLI, prepare()) stays light

    return uvicorn.Config(app, host=config.host, port=config.port, log_level="info", timeout_keep_alive=5,
                          access_log=False, server_header=False, ws="none",
                          http=protocol_class(config.read_timeout), h11_max_incomplete_event_size=MAX_HEAD)


def prepare(config: ServerConfig, sources: Sequence[Path] | None, *, build_first: bool) -> tuple[ServerConfig, Path]:
    """Build when asked, then find the build to serve. Raises when there is none."""
    if build_first:
        from ..pipeline.build import build  # the whole pipeline: imported only when it is to run

        try:
            result = build(sources or None, config.dist)
        except PolicykgError as exc:
            log.error("the build failed: %s", exc)
            config = replace(config, gate_failed_report=f"The newest build failed: {exc}")
        else:
            if not result.published:
                log.error("the newest build failed the SHACL gate; it is not served:\n%s", result.report.to_text())
                config = replace(config, gate_failed_report=result.report.to_text())
    good = latest_good(config.dist)
    if good is None:
        raise InputError("no published build to serve (none has passed the SHACL gate)", path=config.dist,
                         hint="run `policykg build` and fix what the gate reports")
    if config.gate_failed_report:
        log.warning("serving the last good build %s", good)
    return config, good


def serve(config: ServerConfig, sources: Sequence[Path] | None = None, *, build_first: bool = True) -> int:
    import uvicorn  # loaded only to serve: importing this module (the CLI, prepare()) stays light

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        config, good = prepare(config, sources, build_first=build_first)
    except PolicykgError as exc:
        print(f"policykg: error: {exc}", file=sys.stderr)
        if config.gate_failed_report:
            print(config.gate_failed_report, file=sys.stderr)
        return int(ExitCode.VALIDATION_FAILED if build_first else exc.exit_code)
    app = create_app(config, good)
    log.info("serving %s on http://%s:%d/ (SPARQL at /sparql)", good, config.host, config.port)
    uvicorn.Server(uvicorn_config(app, config)).run()
    return int(ExitCode.OK)


__all__ = ["MAX_HEAD", "MAX_URL", "prepare", "protocol_class", "serve", "uvicorn_config"]
