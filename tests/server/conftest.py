"""Shared fixtures of the server tests: real ``policykg serve`` processes over made-up builds.

``make_build(tmp, data)``
    A published build folder (what ``policykg build`` writes, passing
    :func:`policykg.pipeline.publish.release.latest_good`) holding exactly the quads of ``data``, in any graphs.
``serve_build(build_dir, **options)``
    Starts ``python -m policykg serve --no-build --dist DIR --port P`` on 127.0.0.1 (options:
    ``timeout``, ``max_rows``, ``workers``, or any other ``serve`` flag spelled with ``_``), waits
    until ``GET /sparql`` answers, and returns the base URL; the process group is killed when
    the module's tests are done.
``free_port()``
    A TCP port of 127.0.0.1 that nothing listens on.
``serve_build.config(build_dir, **fields)``
    The same with any ``ServerConfig`` field (``client_queries``, ``read_timeout``,
    ``memory_limit``, ... also those that have no ``serve`` flag).
``http_client(base_url)``
    An ``httpx.Client`` that fails the test on any answer a public endpoint must never give: a
    5xx other than 503, or a Python traceback in the body. ``source="127.0.0.7"`` sends from
    another loopback address: another client, to the server's per-client limits.

Everything listens on and talks to 127.0.0.1 only.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import servers

STARTUP_TIMEOUT = 60.0
TRACEBACK = "Traceback (most recent call last)"

#: What ``make_build`` accepts: N-Quads (or N-Triples) text or bytes, an RDF file (format by its
#: extension), a mapping ``{graph IRI: text or file}`` loading triples into named graphs, or a
#: list of any of these.
BuildData = str | bytes | os.PathLike | Mapping | Iterable


# ------------------------------------------------------------------------- ports

@pytest.fixture(scope="session")
def free_port() -> Callable[[], int]:
    """``free_port()`` gives a TCP port of 127.0.0.1 that nothing listens on (yet)."""
    return servers.free_port


# ------------------------------------------------------------------------- builds

def _load(store: ox.Store, data: BuildData, graph: ox.NamedNode | None = None) -> None:
    if isinstance(data, (str, bytes)):
        raw = data.encode("utf-8") if isinstance(data, str) else data
        if graph is None:
            store.load(raw, format=ox.RdfFormat.N_QUADS)
        else:  # Turtle reads N-Triples too
            store.load(raw, format=ox.RdfFormat.TURTLE, to_graph=graph)
    elif isinstance(data, os.PathLike):
        path = Path(data)
        fmt = ox.RdfFormat.from_extension(path.suffix.lstrip(".")) or ox.RdfFormat.N_QUADS
        if graph is not None:
            store.load(path=str(path), format=fmt, to_graph=graph)
        else:
            store.load(path=str(path), format=fmt)
    elif isinstance(data, Mapping):
        for iri, part in data.items():
            _load(store, part, ox.NamedNode(str(iri)))
    else:
        for part in data:
            _load(store, part, graph)


def _make_build(tmp: Path, data: BuildData) -> Path:
    """Publish ``data`` as a build in a new folder under ``tmp``; return the build folder."""
    import rdflib

    from policykg.pipeline.publish import publish
    from policykg.pipeline.publish.release import CHECKSUMS, latest_good

    store = ox.Store()
    _load(store, data)
    out = Path(tempfile.mkdtemp(prefix="build-", dir=tmp)) / "dist"
    publish(store, out, report_text="Conforms: True (test build made by tests/server/conftest.py)\n",
            shacl_report=rdflib.Graph(), build_report="# Test build\n\nMade by tests/server/conftest.py.\n")
    # publish() writes only policykg's own four graphs; the server reads policykg.nq, so write
    # every quad there (the tests' own graphs too) and record its new digest.
    (out / "policykg.nq").write_bytes(store.dump(format=ox.RdfFormat.N_QUADS) or b"")
    sums = out / CHECKSUMS
    names = [line.partition("  ")[2] for line in sums.read_text(encoding="ascii").splitlines() if line]
    sums.write_text("".join(f"{hashlib.sha256((out / n).read_bytes()).hexdigest()}  {n}\n" for n in sorted(names)),
                    encoding="ascii")
    assert latest_good(out) == out, "the test build does not pass latest_good()"
    return out


@pytest.fixture(scope="session")
def make_build() -> Callable[[Path, BuildData], Path]:
    """``make_build(tmp, data) -> Path``: a published build folder holding the quads of ``data``."""
    return _make_build


# ------------------------------------------------------------------------- servers

class ServerURL(str):
    """The base URL of a started server (``http://127.0.0.1:PORT``), with its process."""

    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        """What the server has written to stdout and stderr so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def children(self) -> set[int]:
        """The ids of the server's child processes (its query workers)."""
        found = set()
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat.rpartition(")")[2].split()
            if int(fields[1]) == self.process.pid and fields[0] != "Z":
                found.add(int(entry))
        return found


def _options(options: dict[str, object]) -> list[str]:
    args: list[str] = []
    for key, value in options.items():
        flag = "--" + key.replace("_", "-")
        if value is True:
            args.append(flag)
        elif value is not None and value is not False:
            args += [flag, str(value)]
    return args


class _Servers:
    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.running: list[ServerURL] = []

    def __call__(self, build_dir: Path, **options: object) -> ServerURL:
        """A server run with ``policykg serve --no-build --dist build_dir`` and CLI ``options``."""
        return self._launch(lambda port: [sys.executable, "-m", "policykg", "serve", "--no-build", "--dist",
                                          str(build_dir), "--host", "127.0.0.1", "--port", str(port),
                                          *_options(options)], f"options {options}")

    def config(self, build_dir: Path, **fields: object) -> ServerURL:
        """A server run with ``ServerConfig(dist=build_dir, **fields)``."""
        return self._launch(lambda port: servers.config_args(build_dir, port, **fields), f"ServerConfig {fields}")

    def _launch(self, command: Callable[[int], list[str]], what: str) -> ServerURL:
        last_log = ""
        for _attempt in range(3):  # a port taken between free_port() and bind(): try another
            port = servers.free_port()
            log_path = self.logs / f"server-{port}.log"
            with open(log_path, "wb") as log:
                process = subprocess.Popen(command(port), stdin=subprocess.DEVNULL, stdout=log,
                                           stderr=subprocess.STDOUT, start_new_session=True)
            url = ServerURL(f"http://127.0.0.1:{port}")
            url.process, url.log_path = process, log_path
            if self._wait(url):
                self.running.append(url)
                return url
            servers.stop(process)
            last_log = url.log()
            if "address already in use" not in last_log.lower():
                break
        raise RuntimeError(f"policykg serve did not start ({what}):\n{last_log}")

    @staticmethod
    def _wait(url: ServerURL) -> bool:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if url.process.poll() is not None:
                return False
            try:
                if httpx.get(url + "/sparql", timeout=5).status_code < 500:
                    return True
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        return False

    def stop(self, url: ServerURL) -> None:
        servers.stop(url.process)
        if url in self.running:
            self.running.remove(url)

    def stop_all(self) -> None:
        for url in list(self.running):
            self.stop(url)


@pytest.fixture(scope="module")
def serve_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Servers]:
    """``serve_build(build_dir, **options) -> base_url``: a real server on 127.0.0.1.

    Options become ``serve`` flags (``timeout=2`` -> ``--timeout 2``, ``max_rows`` ->
    ``--max-rows``, ``workers``). The returned URL is a ``str`` with ``.process``, ``.log()`` and
    ``.children()``; ``serve_build.stop(url)`` ends one server early. Every server started in
    a module is stopped (its process group killed) when the module's tests are done.
    """
    running = _Servers(tmp_path_factory.mktemp("server-logs"))
    try:
        yield running
    finally:
        running.stop_all()


# ------------------------------------------------------------------------- clients

def check_response(response: httpx.Response) -> None:
    """Fail on a 5xx other than 503, and on a Python traceback in the body."""
    response.read()
    assert response.status_code < 500 or response.status_code == 503, (
        f"{response.request.method} {response.request.url!s:.200}: {response.status_code}\n{response.text[:2000]}")
    assert TRACEBACK not in response.text, f"a traceback in the answer:\n{response.text[:2000]}"
    assert 'File "/' not in response.text, f"a Python stack frame in the answer:\n{response.text[:2000]}"


@pytest.fixture
def http_client() -> Iterator[Callable[..., httpx.Client]]:
    """``http_client(base_url, **httpx_options)``: an ``httpx.Client`` (redirects off, 30 s
    timeout) that checks every answer with :func:`check_response`."""
    clients: list[httpx.Client] = []

    def make(base_url: str, **options: object) -> httpx.Client:
        source = options.pop("source", None)
        if source is not None:
            options["transport"] = httpx.HTTPTransport(local_address=str(source))
        options.setdefault("timeout", 30.0)
        options.setdefault("follow_redirects", False)
        client = httpx.Client(base_url=base_url, event_hooks={"response": [check_response]}, **options)
        clients.append(client)
        return client

    try:
        yield make
    finally:
        for client in clients:
            client.close()
