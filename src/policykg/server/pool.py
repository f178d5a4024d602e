"""A pool of query workers with a hard time limit, shared fairly between clients.

Door: :class:`QueryPool`. ``await pool.execute(request, client=...)`` sends the request to an
idle worker and waits for its answer at most ``timeout`` seconds. A worker that overruns is
killed (SIGKILL — the only way to stop pyoxigraph mid-query) and replaced; so is a worker whose
client went away before the answer came (the request is cancelled: the server cancels it when
the connection closes) unless it answers within :data:`GRACE`, and one that died. The caller gets a :class:`QueryTimeout`,
:class:`PoolBusy`, :class:`ClientBusy` or :class:`WorkerFailed` to turn into an HTTP answer.

Fair shares. ``client`` names who asks (the server passes the client's address). One client
holds at most ``size - 1`` workers at once (at least one), so that with two workers or more one
is always left for the others: a client sending many expensive queries slows only itself (a
worker killed for a client's query counts as held by that client until its replacement is
ready). A freed
worker goes to the waiting query whose client has the fewest queries running (the oldest
first, among equals). A client with ``client_queries`` queries running or waiting gets
:class:`ClientBusy` for the next one at once (the server answers 429), rather than a place
in the queue. With ``client_queries=0`` there are no per-client limits: no cap, and one client
may hold every worker (a freed worker still goes to the client with the fewest running).
"""
from __future__ import annotations

import asyncio
import logging
import multiprocessing as mp
import os
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

from . import worker as worker_module
from .worker import QueryRequest, QueryResponse

log = logging.getLogger("policykg.server")
_CTX = mp.get_context("spawn")
#: Seconds a worker whose client went away may take to finish its query before it is killed.
GRACE = 0.25


class QueryTimeout(Exception):
    """The query ran past the time limit; its worker was killed."""


class PoolBusy(Exception):
    """Too many queries are waiting for a worker, or one waited longer than the time limit."""


class ClientBusy(Exception):
    """The client already has as many queries running or waiting as one client may."""


class WorkerFailed(Exception):
    """The worker died while answering (e.g. it ran out of memory)."""


@dataclass(eq=False)
class _Worker:
    process: mp.Process
    conn: Connection
    started: float
    served: int = 0


@dataclass(eq=False)
class _Waiter:
    client: str
    future: asyncio.Future[_Worker]
    since: float = field(default_factory=time.monotonic)


class QueryPool:
    """``size`` worker processes serving the snapshot at ``snapshot``: a build folder (its
    persistent store opened read-only, else its ``policykg.nq``) or an N-Quads file; see
    :mod:`policykg.server.worker`."""

    def __init__(self, snapshot: str, *, size: int = 2, timeout: float = 10.0,
                 memory_limit: int = 4 << 30, max_waiting: int = 256, client_queries: int = 0) -> None:
        self.snapshot = snapshot
        self.size = max(1, size)
        self.timeout = timeout
        self.memory_limit = memory_limit
        self.max_waiting = max_waiting
        self.client_queries = client_queries  # 0: no per-client cap
        # most workers one client holds at once (with no per-client cap, all of them)
        self.share = max(1, self.size - 1) if client_queries > 0 else self.size
        self._workers: set[_Worker] = set()  # alive: idle, busy or being replaced
        self._idle: list[_Worker] = []
        self._waiters: deque[_Waiter] = deque()
        self._running: Counter[str] = Counter()  # client -> workers it holds
        self._queries: Counter[str] = Counter()  # client -> queries running or waiting
        self._replacing = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False
        self.killed = 0  # workers killed for overrunning, being abandoned or dying
        self.restarted = 0
        self.refused = 0  # queries refused with ClientBusy

    # -------------------------------------------------------------- life cycle

    def _spawn(self) -> _Worker:
        """Start one worker and wait until it has loaded the snapshot (blocking)."""
        parent, child = _CTX.Pipe(duplex=True)
        process = _CTX.Process(target=worker_module.main, args=(child, self.snapshot, self.memory_limit),
                               name="policykg-query-worker", daemon=True)
        process.start()
        child.close()
        if not parent.poll(120):
            process.kill()
            process.join(5)
            raise RuntimeError("a query worker did not start within 120 s")
        status, detail = parent.recv()
        if status != "ready":
            process.join(5)
            raise RuntimeError(detail)
        if detail == "store":
            log.debug("query worker %d answers from the build's store", process.pid)
        return _Worker(process, parent, time.monotonic())

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        workers = await asyncio.gather(*(loop.run_in_executor(None, self._spawn) for _ in range(self.size)))
        for w in workers:
            self._workers.add(w)
            self._idle.append(w)
        log.info("query pool: %d workers on %s, time limit %.1f s", self.size, self.snapshot, self.timeout)

    async def close(self) -> None:
        self._closed = True
        for waiter in self._waiters:
            waiter.future.cancel()
        self._waiters.clear()
        for w in list(self._workers):
            self._kill(w)
            w.process.join(5)
        self._workers.clear()
        self._idle.clear()

    @staticmethod
    def _kill(w: _Worker) -> None:
        """Stop ``w`` at once (it may be in the middle of a query); does not wait for it."""
        try:
            w.conn.close()
        except OSError:
            pass
        if w.process.is_alive():
            w.process.kill()

    async def _replace(self, w: _Worker, client: str) -> None:
        """Reap the killed worker ``w`` and start a fresh one in its place. Until it is ready,
        the slot counts as held by ``client``, whose query cost the worker: a client whose
        queries keep overrunning cannot take the worker kept for the others meanwhile."""
        loop = asyncio.get_running_loop()
        self._replacing += 1
        try:
            await loop.run_in_executor(None, w.process.join, 5)
            if self._closed:
                return
            try:
                fresh = await loop.run_in_executor(None, self._spawn)
            except Exception as exc:  # noqa: BLE001 - logged; the pool shrinks rather than crash
                log.error("could not replace a query worker: %s", exc)
                return
            if self._closed:
                self._kill(fresh)
                return
            self.restarted += 1
            self._workers.add(fresh)
            self._idle.append(fresh)
        finally:
            self._replacing -= 1
            self._unhold(client)
            self._dispatch()

    # -------------------------------------------------------------- scheduling

    def _dispatch(self) -> None:
        """Give idle workers to waiting queries: the fewest running for their client first,
        then the oldest; never more than ``share`` workers to one client."""
        while self._idle and self._waiters:
            chosen: _Waiter | None = None
            for waiter in self._waiters:
                running = self._running[waiter.client]
                if running >= self.share:
                    continue
                if chosen is None or running < self._running[chosen.client]:
                    chosen = waiter
            if chosen is None:
                return
            self._waiters.remove(chosen)
            w = self._idle.pop()
            self._running[chosen.client] += 1
            chosen.future.set_result(w)

    async def _acquire(self, client: str) -> _Worker:
        """An idle worker for ``client``, once its turn comes; PoolBusy after ``timeout`` s."""
        if not self._waiters and self._idle and self._running[client] < self.share:
            # what _dispatch does for a lone waiter, without the future and the timer
            self._running[client] += 1
            return self._idle.pop()
        waiter = _Waiter(client, asyncio.get_running_loop().create_future())
        self._waiters.append(waiter)
        self._dispatch()
        try:
            return await asyncio.wait_for(asyncio.shield(waiter.future), timeout=self.timeout)
        except BaseException as exc:
            if waiter.future.done() and not waiter.future.cancelled():
                # given a worker just as it gave up (timed out, or its client left): hand it back
                self._release(waiter.future.result(), client, reusable=True)
            else:
                waiter.future.cancel()
                try:
                    self._waiters.remove(waiter)
                except ValueError:
                    pass
            if isinstance(exc, TimeoutError):
                raise PoolBusy() from None
            raise

    def _unhold(self, client: str) -> None:
        self._running[client] -= 1
        if self._running[client] <= 0:
            del self._running[client]

    def _release(self, w: _Worker, client: str, *, reusable: bool) -> None:
        if reusable and not self._closed:
            self._unhold(client)
            self._idle.append(w)
            self._dispatch()
        else:
            # overran, abandoned by its client (cancelled), or dead: kill it now; replace it
            self.killed += 1
            self._workers.discard(w)
            self._kill(w)
            task = asyncio.get_running_loop().create_task(self._replace(w, client))
            self._tasks.add(task)  # (the loop keeps only a weak reference to a task)
            task.add_done_callback(self._tasks.discard)

    # -------------------------------------------------------------- queries

    async def execute(self, request: QueryRequest, client: str = "") -> QueryResponse:
        if self.client_queries > 0 and self._queries[client] >= self.client_queries:
            self.refused += 1
            raise ClientBusy()
        if len(self._waiters) >= self.max_waiting:
            raise PoolBusy()
        self._queries[client] += 1
        try:
            w = await self._acquire(client)
            return await self._run(w, client, request)
        finally:
            self._queries[client] -= 1
            if self._queries[client] <= 0:
                del self._queries[client]

    async def _run(self, w: _Worker, client: str, request: QueryRequest) -> QueryResponse:
        loop = asyncio.get_running_loop()
        answered = abandoned = False
        try:
            try:
                w.conn.send(worker_module.encode_request(request))  # a tuple: cheaper to pickle
            except OSError:  # the worker is gone
                raise WorkerFailed() from None
            future: asyncio.Future[bool] = loop.create_future()
            fd = w.conn.fileno()
            loop.add_reader(fd, lambda: future.done() or future.set_result(True))
            # the time limit: a timer that settles the future (cheaper than asyncio.wait_for)
            timer = loop.call_later(self.timeout, lambda: future.done() or future.set_result(False))
            try:
                if not await future:
                    raise QueryTimeout()
            except asyncio.CancelledError:
                abandoned = True  # the client went away
                raise
            finally:
                timer.cancel()
                loop.remove_reader(fd)
                os.set_blocking(fd, True)  # uvloop's add_reader leaves the pipe non-blocking
            try:
                response = worker_module.decode_response(w.conn.recv())
            except (EOFError, OSError):
                raise WorkerFailed() from None
            answered = True
            w.served += 1
            return response
        finally:
            if abandoned and not self._closed:
                self._finish_or_kill(w, client)
            else:
                self._release(w, client, reusable=answered and w.process.is_alive())

    def _finish_or_kill(self, w: _Worker, client: str) -> None:
        """A query whose client went away: the worker may finish it within :data:`GRACE` (its
        answer is dropped, the worker kept), else it is killed. A client that leaves during
        quick queries (a browser moving on) costs no new worker; one that leaves an expensive
        query stops it at once, give or take the grace."""
        async def wait() -> None:
            loop = asyncio.get_running_loop()
            ready: asyncio.Future[None] = loop.create_future()
            fd = w.conn.fileno()
            loop.add_reader(fd, lambda: ready.done() or ready.set_result(None))
            try:
                await asyncio.wait_for(ready, timeout=GRACE)
                w.conn.recv()
                finished = True
            except (TimeoutError, EOFError, OSError):
                finished = False
            finally:
                loop.remove_reader(fd)
                os.set_blocking(fd, True)
            self._release(w, client, reusable=finished and w.process.is_alive())

        task = asyncio.get_running_loop().create_task(wait())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def stats(self) -> dict[str, int]:
        return {"workers": len(self._workers), "idle": len(self._idle), "waiting": len(self._waiters),
                "replacing": self._replacing, "clients": len(self._queries), "killed": self.killed,
                "restarted": self.restarted, "refused": self.refused}


__all__ = ["GRACE", "ClientBusy", "PoolBusy", "QueryPool", "QueryTimeout", "WorkerFailed"]
