"""The pipeline: the stages that turn source documents into a published, gated graph.

:func:`policykg.pipeline.build.build` chains them, in this order, each in its own module::

    load            lexicon.py, mapping.py, curate.py: the lexicon, the rules, the curation files
    read            read.py: a reader of readers/ (one per format), then structure.py: a Document
    extract         extract.py and recognisers/: records, each with the span it was read from
    reconcile       reconcile.py: one record per real thing, across documents
    map             mapping.py: records to triples, by mappings/rules.toml
    curate          curate.py: the curators' corrections (mappings/curation)
    store           provenance.py: the ontology, data and provenance graphs in one store
    reason          reason.py: the OWL 2 RL inferences
    gate + quality  gate/: the SHACL gate (gate/__init__.py, compiled to SPARQL by
                    gate/shacl_sparql.py) and the quality rules of queries/qc (gate/quality.py)
    review          review.py: what a person should check
    publish         publish/: the files (publish/serialize.py, publish/void.py), swapped in
                    atomically (publish/release.py)

A stage imports only stages before it and the package's foundations (``policykg.names``,
``graphs``, ``document``, ``errors``, ...); no stage imports a tool (``policykg.tools``) or the
server (``tests/test_imports.py``).
"""
