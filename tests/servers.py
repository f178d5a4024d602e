"""Real server processes for the tests: one way to start, wait for and stop them.

``start(args, url, log_path)`` starts a command in its own process group and returns once
``url`` answers 200 (or raises with the server's log); ``stop(process)`` ends it with SIGTERM
(so ``policykg serve`` closes its query workers and removes its pinned copy), then kills
whatever is left of its group. ``serve_args(build, port, ...)`` is the ``policykg serve``
command line for a build folder; ``config_args(build, port, **fields)`` serves it with any
``ServerConfig`` (fields that have no ``serve`` flag too). Everything listens on and talks to
127.0.0.1 only.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

STARTUP_TIMEOUT = 90.0


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on (yet)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_args(build: Path, port: int, *extra: str) -> list[str]:
    """``python -m policykg serve --no-build`` of ``build`` on 127.0.0.1:``port``."""
    return [sys.executable, "-m", "policykg", "serve", "--no-build", "--dist", str(build),
            "--host", "127.0.0.1", "--port", str(port), *extra]


_LAUNCH = """import json, sys
from pathlib import Path
from policykg.server.app import ServerConfig
from policykg.server.run import serve
fields = json.loads(sys.argv[1])
fields["dist"] = Path(fields["dist"])
sys.exit(serve(ServerConfig(**fields), build_first=False))
"""


def config_args(build: Path, port: int, **fields: object) -> list[str]:
    """``policykg serve --no-build`` of ``build`` on 127.0.0.1:``port``, with ``ServerConfig(**fields)``
    (e.g. ``client_queries=4``, ``read_timeout=2``, ``memory_limit=1 << 30``)."""
    config = {"dist": str(build), "host": "127.0.0.1", "port": port, **fields}
    return [sys.executable, "-c", _LAUNCH, json.dumps(config)]


def _up(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


def start(args: list[str], url: str, log_path: Path, *, timeout: float = STARTUP_TIMEOUT) -> subprocess.Popen:
    """Start ``args`` (output to ``log_path``) and wait until ``url`` answers 200."""
    with open(log_path, "wb") as log:
        process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    deadline = time.monotonic() + timeout
    while not _up(url):
        if process.poll() is not None:
            raise RuntimeError(f"the server exited ({process.returncode}):\n{log_path.read_text(errors='replace')}")
        if time.monotonic() > deadline:
            stop(process)
            raise RuntimeError(f"the server did not answer in time:\n{log_path.read_text(errors='replace')}")
        time.sleep(0.2)
    return process


def serve(build: Path, log_path: Path, *extra: str) -> tuple[subprocess.Popen, str, int]:
    """Serve ``build`` with ``policykg serve``; returns (process, base URL, port)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    return start(serve_args(build, port, *extra), url + "/sparql", log_path), url, port


def stop(process: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL to the process group (query workers left behind live there)."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:  # pragma: no cover
        pass


def rows(store, query: str) -> list[dict[str, str]]:
    """Rows of a SELECT on a pyoxigraph store (default graph: the union), as plain strings:
    what a test expects the server to show."""
    result = store.query(query, use_default_graph_as_union=True)
    names = [v.value for v in result.variables]
    return [{n: row[i].value for i, n in enumerate(names) if row[i] is not None} for row in result]


__all__ = ["config_args", "free_port", "rows", "serve", "serve_args", "start", "stop"]
