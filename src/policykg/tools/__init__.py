"""The tools: one ``policykg`` verb each, over what the pipeline published.

    query.py        ``policykg query``: a query or the competency questions, on a build or an endpoint
    export.py       ``policykg export``: the graph in another RDF format
    diff.py         ``policykg diff``: what changed between two builds
    push.py         ``policykg push``: into an external SPARQL 1.1 store
    docs.py         ``policykg docs``: the ontology's documentation page (templates/)
    evaluate.py     ``policykg eval``: precision and recall against hand-written gold
    checks.py       ``policykg check``: the ontology, the shapes and the generated vocabulary;
                    owlcheck.py: the OWL API DL profile check and HermiT, in a JVM
    vocabgen.py     ``policykg vocab``: writes ``policykg/vocab.py`` from the ontology

``policykg serve`` is a tool too, large enough for a package of its own: ``policykg.server``.
A tool may import the pipeline (``serve`` and ``query`` build first); the pipeline never imports
a tool.
"""
