"""policykg: a knowledge graph and OWL ontology of Chinese data-policy measures.

The pipeline: the stages of :func:`policykg.build.build`, in the order it runs them, each in
its own module::

    load            lexicon.py, mapping.py, curate.py: the lexicon, the rules, the curation files
    read            read.py: a reader of readers/ (one per format), then structure.py: a Document
    extract         extract.py and recognisers/: records, each with the span it was read from
    reconcile       reconcile.py: one record per real thing, across documents
    map             mapping.py: records to triples, by mappings/rules.toml
    curate          curate.py: the curators' corrections (mappings/curation)
    store           provenance.py: the ontology, data and provenance graphs in one store
    reason          reason.py: the OWL 2 RL inferences
    gate + quality  gate.py (the SHACL gate) and quality.py (the quality rules of queries/qc)
    review          review.py: what a person should check
    publish         publish.py: the files (serialize.py), swapped in atomically (release.py)

Beside them, what the stages are built from: names.py (every IRI base, graph, prefix and kind
of entity), graphs.py, document.py, textutil.py, shacl_sparql.py (the gate's SHACL compiler),
ontology.py, void.py, vocab.py, results.py, rdfio.py, errors.py, resources.py. The tools work
on what the pipeline published, one ``policykg`` verb each: query.py, export.py, diff.py,
push.py, docs.py, evaluate.py (``eval``), checks.py and owlcheck.py (``check``), vocabgen.py
(``vocab``), server/ and webassets.py (``serve``); cli.py is the thin layer over both. No
module of the pipeline imports a tool (``tests/test_imports.py``).
"""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("policykg")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
