"""One node per real thing, never one node for two: documents alike in their first words, in
two updates, stay two documents, each with its own facts (issue 13, "Entities merged into one")."""
from __future__ import annotations

from pathlib import Path

from test_extract import data_graph

POL = "https://w3id.org/policykg/ontology#"
TEMPLATE = """Open Data Pilots {n}

Policy Update on Measures regarding Data | May 202{y}

The National Data Administration (**NDA**) issued a **notice on opening up automotive data services, batch {n}** on May {d}, with a trial period of two years.

The notice is accompanied by a **Table** specifying the measures.

- **Data Services**
- **Article 1:** Pilot zones open data services. The NDA will guide the work.
"""


def test_two_batches_are_two_documents(tmp_path: Path) -> None:
    paths = []
    for n, y, d in ((5, 3, 3), (11, 4, 9)):
        path = tmp_path / f"batch-{n}.md"
        path.write_text(TEMPLATE.format(n=n, y=y, d=d), encoding="utf-8")
        paths.append(path)
    graph = data_graph(*paths)
    notices = {str(s): str(o) for s, o in graph.query(
        f"SELECT ?n ?label WHERE {{ ?n a <{POL}Notice> ; <http://www.w3.org/2000/01/rdf-schema#label> ?label }}")}
    assert sorted(notices.values()) == ["Notice on opening up automotive data services, batch 11",
                                        "Notice on opening up automotive data services, batch 5"]
    for notice in notices:
        dates = {str(o) for o in graph.query(f"SELECT ?d WHERE {{ <{notice}> <{POL}issuedOn> ?d }}")}
        trials = {str(o) for o in graph.query(f"SELECT ?d WHERE {{ <{notice}> <{POL}trialEnd> ?d }}")}
        assert len(dates) == 1 and len(trials) == 1, (notice, dates, trials)


# --------------------------------------------------------------------------------------------
# Adding documents to a build never changes the IRI of an entity already in it
# --------------------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
BLIND = ROOT / "tests" / "documents" / "blind"
DEVELOPMENT = sorted([*(p for p in (ROOT / "sources").glob("*.md") if p.name != "README.md"),
                      *(p for p in (ROOT / "tests" / "documents").glob("*.md") if p.name != "README.md"),
                      *(p for p in BLIND.iterdir() if p.suffix != ".facts" and (BLIND / f"{p.stem}.facts").exists()),
                      ROOT / "tests" / "eval" / "fixtures" / "data-circulation-pilots.md"])


def _labelled(graph) -> dict[str, set[str]]:
    """IRI -> its English names (labels and aliases), for every entity with a label."""
    from rdflib import RDFS, SKOS

    out: dict[str, set[str]] = {}
    for p in (RDFS.label, SKOS.altLabel):
        for s, o in graph.subject_objects(p):
            if getattr(o, "language", None) in ("en", None):
                out.setdefault(str(s), set()).add(str(o))
    return out


def test_adding_documents_never_changes_an_iri(tmp_path: Path) -> None:
    """Each development document alone, then all together (and the colliding batches of the
    test above with them): every IRI of the document alone is in the whole, with its names."""
    for n, y, d in ((5, 3, 3), (11, 4, 9)):
        (tmp_path / f"batch-{n}.md").write_text(TEMPLATE.format(n=n, y=y, d=d), encoding="utf-8")
    paths = [*DEVELOPMENT, *sorted(tmp_path.glob("batch-*.md"))]
    assert len(paths) >= 18
    whole = _labelled(data_graph(*paths))
    for path in paths:
        alone = _labelled(data_graph(path))
        for iri, labels in alone.items():
            assert iri in whole, f"{path.name}: <{iri}> ({sorted(labels)}) is not in the build of all documents"
            assert labels <= whole[iri], (path.name, iri, labels, whole[iri])


def test_document_ids_are_the_whole_name_and_the_year() -> None:
    from policykg.pipeline.extract import dated_document_slug, document_slug

    assert document_slug("Notice on Opening Up Automotive Data Services, Batch 5") != \
        document_slug("Notice on Opening Up Automotive Data Services, Batch 11")
    assert document_slug("Measures on the X of Y") == document_slug("measures for X of Y.")
    long = "Overall Plan for Comprehensively Deepening the Pilot Programs for Innovative Development of Trade"
    assert document_slug(long) != document_slug(long + " in Services")
    assert len(document_slug(long).split("-")) == 9  # eight words and the hash
    assert document_slug("服务贸易创新发展试点") != document_slug("数据出境安全评估办法")
    assert document_slug("Ürümqi Plan") != document_slug("Urumqi Plan")
    assert dated_document_slug("Cybersecurity Review Measures", 2020) != \
        dated_document_slug("Cybersecurity Review Measures", 2021)
    assert dated_document_slug("Action Plan (2024-2027)", 2024) == "action-plan-2024-2027"
