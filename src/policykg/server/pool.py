"""A pool of query workers with a hard time limit.

Door: :class:`QueryPool`. ``await pool.execute(request)`` sends the request to an idle worker
and waits for its answer at most ``timeout`` seconds. A worker that overruns is killed (SIGKILL
— the only way to stop pyoxigraph mid-query) and replaced; so is a worker whose client went
away before the answer came (the request is cancelled), and one that died. The caller gets a
:class:`QueryTimeout` or :class:`PoolBusy` to turn into an HTTP answer.
"""
from __future__ import annotations

import asyncio
import logging
import multiprocessing as mp
import os
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection

from . import worker as worker_module
from .worker import QueryRequest, QueryResponse

log = logging.getLogger("policykg.server")
_CTX = mp.get_context("spawn")


class QueryTimeout(Exception):
    """The query ran past the time limit; its worker was killed."""


class PoolBusy(Exception):
    """Too many queries are waiting for a worker."""


class WorkerFailed(Exception):
    """The worker died while answering (e.g. it ran out of memory)."""


@dataclass
class _Worker:
    process: mp.Process
    conn: Connection
    started: float
    served: int = 0


class QueryPool:
    """``size`` worker processes serving the N-Quads snapshot at ``snapshot``."""

    def __init__(self, snapshot: str, *, size: int = 2, timeout: float = 10.0,
                 memory_limit: int = 4 << 30, max_waiting: int = 256) -> None:
        self.snapshot = snapshot
        self.size = max(1, size)
        self.timeout = timeout
        self.memory_limit = memory_limit
        self.max_waiting = max_waiting
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._waiting = 0
        self._closed = False
        self.killed = 0  # workers killed for overrunning or being abandoned
        self.restarted = 0

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
            raise RuntimeError("a query worker did not start within 120 s")
        status, detail = parent.recv()
        if status != "ready":
            process.join(5)
            raise RuntimeError(detail)
        return _Worker(process, parent, time.monotonic())

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        workers = await asyncio.gather(*(loop.run_in_executor(None, self._spawn) for _ in range(self.size)))
        for w in workers:
            self._idle.put_nowait(w)
        log.info("query pool: %d workers on %s, time limit %.1f s", self.size, self.snapshot, self.timeout)

    async def close(self) -> None:
        self._closed = True
        while not self._idle.empty():
            self._stop(self._idle.get_nowait())

    @staticmethod
    def _stop(w: _Worker) -> None:
        try:
            w.conn.close()
        except OSError:
            pass
        if w.process.is_alive():
            w.process.kill()
        w.process.join(5)

    async def _replace(self, w: _Worker) -> None:
        self._stop(w)
        if self._closed:
            return
        loop = asyncio.get_running_loop()
        try:
            fresh = await loop.run_in_executor(None, self._spawn)
        except Exception:  # noqa: BLE001 - logged; the pool shrinks rather than crash
            log.exception("could not replace a query worker")
            return
        self.restarted += 1
        self._idle.put_nowait(fresh)

    # -------------------------------------------------------------- queries

    async def execute(self, request: QueryRequest) -> QueryResponse:
        if self._waiting >= self.max_waiting:
            raise PoolBusy()
        self._waiting += 1
        try:
            w = await asyncio.wait_for(self._idle.get(), timeout=self.timeout)
        except asyncio.TimeoutError:
            raise PoolBusy() from None
        finally:
            self._waiting -= 1
        loop = asyncio.get_running_loop()
        answered = False
        try:
            w.conn.send(request)
            future: asyncio.Future[None] = loop.create_future()
            fd = w.conn.fileno()
            loop.add_reader(fd, lambda: future.done() or future.set_result(None))
            try:
                await asyncio.wait_for(future, timeout=self.timeout)
            except asyncio.TimeoutError:
                raise QueryTimeout() from None
            finally:
                loop.remove_reader(fd)
                os.set_blocking(fd, True)  # uvloop's add_reader leaves the pipe non-blocking
            try:
                response = w.conn.recv()
            except (EOFError, OSError):
                raise WorkerFailed() from None
            answered = True
            w.served += 1
            return response
        finally:
            if answered and w.process.is_alive():
                self._idle.put_nowait(w)
            else:
                # overran, abandoned by its client (cancelled), or dead: kill and replace
                self.killed += 1
                asyncio.get_running_loop().create_task(self._replace(w))

    def stats(self) -> dict[str, int]:
        return {"workers": self.size, "idle": self._idle.qsize(), "waiting": self._waiting,
                "killed": self.killed, "restarted": self.restarted}


__all__ = ["PoolBusy", "QueryPool", "QueryTimeout", "WorkerFailed"]
