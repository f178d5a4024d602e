"""The web application: the endpoint and the pages, mounted behind the server's safeguards.

Door: :func:`create_app`. It serves one published build (a folder written by
:mod:`policykg.pipeline.publish`), read-only, from a private snapshot of it taken at start-up. Queries
run in a :class:`~policykg.server.pool.QueryPool` of worker processes with a hard time limit;
the server process only parses requests, checks queries (:mod:`policykg.server.guard`) and
negotiates formats. The routes are listed in :func:`routes`; what they share (the
configuration, the state, CORS and CSP) is in :mod:`policykg.server.state`.

Safe defaults: read-only (updates get 403), no ``SERVICE`` (400, before evaluation), a time
limit that kills the work (503), work stopped when its client goes away (the handler is
cancelled, and with it the query: its worker is killed), a fair share of the workers and a cap
on the queries of each client (429), a cap on result rows (signalled in ``Policykg-Truncated``),
a cap on request bodies (413) and query strings (414), CORS for reading without credentials,
and a Content-Security-Policy on every answer. (The HTTP layer's own bounds — request lines,
headers, slow clients — are in :mod:`policykg.server.run`.)
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import sparql
from .cache import AnswerCache
from .pages import entity, home, pictures
from .pool import ClientBusy, QueryPool
from .state import CLIENT, CSP, AppState, ServerConfig, client_key

log = logging.getLogger("policykg.server")

STATIC = Path(__file__).parent / "static"  # the pages' styles and scripts, served under /static


# ------------------------------------------------------------------------ middleware

class Limits:
    """Refuse oversized requests early: 414 for a long query string, 413 for a long body,
    counted as it streams in (so a body without Content-Length is capped too)."""

    def __init__(self, app: ASGIApp, *, max_body: int, max_query_string: int) -> None:
        self.app = app
        self.max_body = max_body
        self.max_query_string = max_query_string

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if len(scope.get("query_string", b"")) > self.max_query_string:
            await PlainTextResponse(f"query string longer than {self.max_query_string} bytes; "
                                    "send the query in a POST body\n", 414)(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_long = int(value) > self.max_body
                except ValueError:
                    too_long = False
                if too_long:
                    await PlainTextResponse(f"request body larger than {self.max_body} bytes\n", 413)(
                        scope, receive, send)
                    return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise _BodyTooLarge()
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _BodyTooLarge:
            await PlainTextResponse(f"request body larger than {self.max_body} bytes\n", 413)(scope, receive, send)


class _BodyTooLarge(Exception):
    pass


class Clients:
    """Names the client of each request (:data:`CLIENT`), and stops the work of a client
    that goes away.

    Starlette does not cancel a handler when its client disconnects: a query would run on to
    the time limit for nobody. Here the application runs in a task of its own while a watcher
    reads the connection (the request body is passed on to the application as it comes, so
    :class:`Limits` still caps it); when ``http.disconnect`` arrives before the response is
    complete, the task is cancelled, and a query it awaits is stopped with its worker.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        CLIENT.set(client_key(scope))
        inbox: asyncio.Queue[Message | BaseException] = asyncio.Queue()
        done = False  # the response has been sent in full
        gone = False  # the client went away first
        last: Message | BaseException | None = None

        async def app_receive() -> Message:
            nonlocal last
            final = isinstance(last, BaseException) or (last is not None and last["type"] == "http.disconnect")
            if not final:  # after the disconnect (or an error), the same again, as ASGI wants
                last = await inbox.get()
            if isinstance(last, BaseException):
                raise last
            return last

        async def app_send(message: Message) -> None:
            nonlocal done
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                done = True
            await send(message)

        task = asyncio.get_running_loop().create_task(self.app(scope, app_receive, app_send))

        async def watch() -> None:
            nonlocal gone
            while True:
                try:
                    message = await receive()
                except Exception as exc:  # noqa: BLE001 - e.g. the body cap: raised in the application
                    inbox.put_nowait(exc)
                    return
                inbox.put_nowait(message)
                if message["type"] == "http.disconnect":
                    if not done and not task.done():
                        gone = True
                        task.cancel()
                    return

        watcher = asyncio.get_running_loop().create_task(watch())
        try:
            await task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if gone and (current is None or current.cancelling() == 0):
                log.info("client %s went away; its request %s %s was stopped", CLIENT.get(), scope.get("method"),
                         scope.get("path"))
                return
            raise
        finally:
            watcher.cancel()


class SecurityHeaders:
    """Content-Security-Policy and friends on every answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                for key, value in ((b"content-security-policy", CSP.encode()),
                                   (b"x-content-type-options", b"nosniff"),
                                   (b"referrer-policy", b"no-referrer"),
                                   (b"x-frame-options", b"DENY")):
                    if key not in present:
                        headers.append((key, value))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


# ------------------------------------------------------------------------ the app

def _pin_snapshot(build: Path) -> Path:
    """A private, immutable copy of the build folder, beside it (hard links where the file
    system allows, else copies). Everything the server serves — the workers' N-Quads, pages,
    downloads — comes from it, so a newer build published meanwhile never mixes in."""
    for stale in build.parent.glob(".policykg-serve-*"):
        # left by a server that was killed: remove it unless its process still runs
        try:
            pid = int(stale.name.split("-")[2])
            os.kill(pid, 0)
        except (ValueError, IndexError, ProcessLookupError):
            shutil.rmtree(stale, ignore_errors=True)
        except PermissionError:
            pass
    folder = Path(tempfile.mkdtemp(prefix=f".policykg-serve-{os.getpid()}-", dir=build.parent))

    def link(item: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
        try:
            os.link(item, target)
        except OSError:
            shutil.copy2(item, target)

    for item in sorted(build.iterdir()):
        if item.is_file():
            link(item, folder / item.name)
        elif item.is_dir() and not item.is_symlink():  # the persistent store (store/), sources/
            shutil.copytree(item, folder / item.name, symlinks=True, copy_function=link)
    return folder


def routes() -> list[BaseRoute]:
    """Every route of the site, in the order they are tried: the endpoint (:mod:`.sparql`), the
    home page and the UI (:mod:`.pages.home`), the pictures (:mod:`.pages.pictures`; after the
    UI: ``/assets/yasgui/...`` goes before ``/assets/{package}/...``), the linked-data pages
    (:mod:`.pages.entity`), and the static files (``static/``)."""
    return [*sparql.routes(), *home.routes(), *pictures.routes(), *entity.routes(),
            Mount("/static", StaticFiles(directory=str(STATIC)), name="static")]


class PolicykgApp(Starlette):
    """The Starlette application, with a lean path ahead of its router and middleware for the
    one request that carries the load: ``GET /sparql?query=...`` (:func:`.sparql.lean`, which
    answers it with the same status, headers and body, and hands every other request, refusals
    included, to the full stack)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"] == "/sparql" \
                and not scope.get("root_path"):
            state: AppState = self.state.policykg
            if state.pool is not None and await sparql.lean(state, scope, receive, send):
                return
        await super().__call__(scope, receive, send)


def create_app(config: ServerConfig, build: Path, *, extra_routes: list[Route] | None = None) -> Starlette:
    """The application serving the published build folder ``build``."""
    state = AppState(config=config, build=build)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        state.snapshot_copy = _pin_snapshot(build)
        state.build = state.snapshot_copy
        state.cache = AnswerCache(config.cache_bytes) if config.cache_bytes > 0 else None
        state.pool = QueryPool(str(state.snapshot_copy), size=config.workers,
                               timeout=config.timeout, memory_limit=config.memory_limit,
                               client_queries=config.client_queries)
        await state.pool.start()
        try:
            yield
        finally:
            await state.pool.close()
            shutil.rmtree(state.snapshot_copy, ignore_errors=True)

    middleware = [
        Middleware(SecurityHeaders),
        Middleware(Limits, max_body=config.max_body, max_query_string=config.max_query_string),
        Middleware(Clients),  # inside Limits: the body it passes on is capped
    ]
    app = PolicykgApp(routes=[*routes(), *(extra_routes or [])], lifespan=lifespan,
                    exception_handlers={ClientBusy: sparql.client_busy}, middleware=middleware)
    app.state.policykg = state
    return app


__all__ = ["Clients", "Limits", "PolicykgApp", "SecurityHeaders", "client_key", "create_app", "routes"]
