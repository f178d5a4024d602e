"""bench/corpus.py: generated policy updates are deterministic, each one builds to exactly its
gold facts (tests/gold/README.md), and a corpus of them built together passes the gate."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from policykg.pipeline.read import read_document
from policykg.pipeline.extract import extract
from policykg.pipeline.lexicon import load_lexicon
from policykg.pipeline.mapping import map_records
from policykg.pipeline.reconcile import reconcile

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from test_extract import _short, project  # noqa: E402

_spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "bench" / "corpus.py")
corpus = importlib.util.module_from_spec(_spec)
sys.modules["bench_corpus"] = corpus
_spec.loader.exec_module(corpus)

LEXICON = load_lexicon()
N, SEED = 20, 1


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, str]]:
    out = tmp_path_factory.mktemp("corpus")
    paths = []
    for doc in corpus.generate(N, SEED):
        path = out / f"{doc.name}.md"
        path.write_bytes(doc.text.encode("utf-8"))
        paths.append((path, doc.gold))
    return paths


def test_generation_is_deterministic() -> None:
    a, b = corpus.generate(30, 7), corpus.generate(30, 7)
    assert a == b
    assert corpus.generate(5, 8) != corpus.generate(5, 7)
    names = [d.name for d in a]
    assert len(set(names)) == len(names)


def test_cli_writes_identical_files(tmp_path: Path) -> None:
    corpus.main(["4", str(tmp_path / "a"), "--seed", "3"])
    corpus.main(["4", str(tmp_path / "b"), "--seed", "3"])
    files = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert len(files) == 8
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_each_document_builds_to_its_gold(written: list[tuple[Path, str]]) -> None:
    failures = []
    for path, gold_ttl in written:
        extraction = extract(read_document(path), LEXICON)
        mapped = map_records(reconcile([extraction]).records)
        graph = Graph().parse(data=ox.serialize(mapped.triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
        gold = project(Graph().parse(data=gold_ttl, format="turtle"))
        got = project(graph)
        missing = sorted(_short(t) for t in gold - got)
        extra = sorted(_short(t) for t in got - gold)
        if missing or extra:
            failures.append(f"{path.name}:\n  missing {missing}\n  extra {extra}")
    assert not failures, "\n".join(failures)


def test_corpus_built_together_passes_the_gate(written: list[tuple[Path, str]], tmp_path: Path) -> None:
    from policykg.pipeline.build import build

    result = build([p for p, _ in written], tmp_path / "dist", lexicon=LEXICON)
    assert result.published, result.report.to_text()
