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
