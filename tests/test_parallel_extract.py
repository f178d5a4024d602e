"""Reading and extracting on every core (issue 16): a build whose documents are read and extracted
by forked processes as well as its own is the same build, byte for byte, as one that reads them
all itself; bad documents are skipped or refused as before, with the same messages; a forked
reader that dies loses nothing; none outlives its build.

``POLICYKG_BUILD_WORKERS`` sets the number of processes (1: the build's own only).
"""
from __future__ import annotations

import importlib.util
import os
import re
import sys
from pathlib import Path

import pytest

import policykg.pipeline.build as build_module
from policykg.errors import InputError
from policykg.pipeline.build import WORKERS_VARIABLE, build, build_workers

ROOT = Path(__file__).resolve().parent.parent

_spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "bench" / "corpus.py")
corpus = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("bench_corpus", corpus)
_spec.loader.exec_module(corpus)

N = 30


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("parallel")
    paths = []
    for doc in corpus.generate(N, seed=3):
        path = folder / f"{doc.name}.md"
        path.write_bytes(doc.text.encode("utf-8"))
        paths.append(path)
    return paths


def files(out: Path) -> dict[str, bytes]:
    """Every file of a build but its store (RocksDB's bytes differ from one write to the next),
    ``SHA256SUMS``'s lines of the store, and the timings of the build report."""
    got = {}
    for path in sorted(out.rglob("*")):
        name = str(path.relative_to(out))
        if not path.is_file() or name.startswith("store/"):
            continue
        data = path.read_bytes()
        if name == "SHA256SUMS":
            data = b"".join(line for line in data.splitlines(keepends=True)
                            if b"  store/" not in line and b"  build-report.md" not in line)
        elif name == "build-report.md":
            data = re.sub(rb"\| [a-z]+ \| [0-9.]+ \|\n", b"", data.replace(str(out).encode(), b"OUT"))
        got[name] = data
    return got


def built(paths: list[Path], out: Path, monkeypatch: pytest.MonkeyPatch, workers: int, **options):
    monkeypatch.setenv(WORKERS_VARIABLE, str(workers))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    return build(paths, out, curation=out.parent / "no-curation", **options)


def test_the_workers_are_chosen_by_the_variable_and_the_documents(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(WORKERS_VARIABLE, "3")
    assert build_workers(1000) == 3
    assert build_workers(5) == 1  # too few documents to share
    monkeypatch.setenv(WORKERS_VARIABLE, "1")
    assert build_workers(1000) == 1
    monkeypatch.delenv(WORKERS_VARIABLE)
    assert build_workers(1000) == min(len(os.sched_getaffinity(0)), 1000 // 4)


def test_two_processes_build_what_one_builds_byte_for_byte(sources: list[Path], tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "no-curation").mkdir()
    one = built(sources, tmp_path / "one", monkeypatch, 1)
    two = built(sources, tmp_path / "two", monkeypatch, 2)
    three = built(sources, tmp_path / "three", monkeypatch, 3)
    assert one.published and two.published and three.published
    assert files(tmp_path / "one") == files(tmp_path / "two") == files(tmp_path / "three")
    for other in (two, three):
        assert (other.warnings, other.new_entities, other.merged, other.triples, other.class_counts) == \
            (one.warnings, one.new_entities, one.merged, one.triples, one.class_counts)


def _with_bad(sources: list[Path], folder: Path) -> list[Path]:
    """The sources with two documents that cannot be read among them."""
    folder.mkdir()
    empty, binary = folder / "0-empty.md", folder / "zz-binary.md"
    empty.write_bytes(b"")
    binary.write_bytes(b"\x00\x01\x02 not a policy update \xff\xfe")
    return sorted([*sources, empty, binary], key=str)


def test_bad_documents_are_skipped_and_refused_as_by_one_process(sources: list[Path], tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "no-curation").mkdir()
    paths = _with_bad(sources, tmp_path / "bad")
    one = built(paths, tmp_path / "one", monkeypatch, 1, keep_going=True)
    two = built(paths, tmp_path / "two", monkeypatch, 2, keep_going=True)
    assert one.published and two.published
    assert one.skipped == two.skipped and len(one.skipped) == 2
    assert files(tmp_path / "one") == files(tmp_path / "two")
    errors = []
    for workers in (1, 2):
        with pytest.raises(InputError) as caught:
            built(paths, tmp_path / f"refused-{workers}", monkeypatch, workers)
        errors.append(str(caught.value))
    assert errors[0] == errors[1]


def test_what_a_dead_reader_did_not_send_the_build_does_itself(sources: list[Path], tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "no-curation").mkdir()
    one = built(sources, tmp_path / "one", monkeypatch, 1)
    real = build_module._child

    def dies_after_claiming(paths, lexicon, counter, fd, parent):  # pragma: no cover - in the child
        with counter.get_lock():
            counter.value += 2 * build_module._CHUNK  # documents it never sends back
        os._exit(0)

    monkeypatch.setattr(build_module, "_child", dies_after_claiming)
    two = built(sources, tmp_path / "two", monkeypatch, 2)
    monkeypatch.setattr(build_module, "_child", real)
    assert two.published and files(tmp_path / "one") == files(tmp_path / "two")


def test_no_reader_outlives_its_build(sources: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "no-curation").mkdir()
    before = _children()
    assert built(sources, tmp_path / "out", monkeypatch, 2).published
    assert _children() == before


def _children() -> set[int]:
    found = set()
    for task in os.listdir("/proc/self/task"):
        try:
            found |= {int(pid) for pid in Path(f"/proc/self/task/{task}/children").read_text().split()}
        except OSError:
            pass
    return found
