"""policykg: a knowledge graph and OWL ontology of Chinese data-policy measures.

The package has three layers, one folder each above the foundations; a module imports only its
own layer and the layers below it (``tests/test_imports.py``).

The pipeline (``pipeline/``): the stages of :func:`policykg.pipeline.build.build`, in the order
it runs them, each in its own module::

    load            pipeline/lexicon.py, mapping.py, curate.py: the lexicon, the rules, the curation
    read            pipeline/read.py: a reader of readers/ (one per format), then structure.py
    extract         pipeline/extract.py and recognisers/: records, each with the span it was read from
    reconcile       pipeline/reconcile.py: one record per real thing, across documents
    map             pipeline/mapping.py: records to triples, by mappings/rules.toml
    curate          pipeline/curate.py: the curators' corrections (mappings/curation)
    store           pipeline/provenance.py: the ontology, data and provenance graphs in one store
    reason          pipeline/reason.py: the OWL 2 RL inferences
    gate + quality  pipeline/gate/: the SHACL gate (shacl_sparql.py its compiler) and quality.py
    review          pipeline/review.py: what a person should check
    publish         pipeline/publish/: the files (serialize.py, void.py), swapped in by release.py

The tools (``tools/``, ``server/``, ``cli.py``): one ``policykg`` verb each over what the
pipeline published: query, export, diff, push, docs, eval, check, vocab (``tools/``) and serve
(``server/``); ``cli.py`` is the thin layer over both.

The foundations (this folder's own modules), what both are built from: names.py (every IRI base,
graph, prefix and kind of entity), graphs.py, document.py (the document model), textutil.py,
ontology.py, vocab.py (generated from the ontology), results.py (typed query results),
rdfio.py, errors.py, resources.py.
"""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("policykg")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
