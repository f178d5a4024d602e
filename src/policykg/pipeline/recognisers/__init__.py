"""Recognisers: one per kind of thing the genre names, each over the document and a shared context.

The extractor (:mod:`policykg.pipeline.extract`) builds one :class:`~policykg.pipeline.recognisers.context.Context`
per document and runs the recognisers over it in the order its docstring gives; each reads what
it needs from the context through indexed look-ups (an entity by name or short form, documents
by position, issue dates by document, containment by child) and writes what it finds back:

* :mod:`~policykg.pipeline.recognisers.agencies` — "Full Name (ABBR)" definitions, the agencies of a span;
* :mod:`~policykg.pipeline.recognisers.documents` — documents named (and their names from the words
  alone), the holder of the measures, issuers named in names, parts;
* :mod:`~policykg.pipeline.recognisers.dates` — issuance and issue dates, trial periods, the year of a
  document's IRI;
* :mod:`~policykg.pipeline.recognisers.places` — areas, containment, pilot areas and their count;
* :mod:`~policykg.pipeline.recognisers.measures` — articles, categories, guidance, forerunners, regions;
* :mod:`~policykg.pipeline.recognisers.references` — which document refers to which;
* :mod:`~policykg.pipeline.recognisers.sites` — lists of designated sites and export bases.
* :mod:`~policykg.pipeline.recognisers.tables` — tables of documents, their issuers and issue
  dates.

Beside them: :mod:`~policykg.pipeline.recognisers.context` (the context), :mod:`~policykg.pipeline.recognisers.records`
(what they give), :mod:`~policykg.pipeline.recognisers.iris` (IRIs from names),
:mod:`~policykg.pipeline.recognisers.indexes` and :mod:`~policykg.pipeline.recognisers.automaton` (the indexes),
:mod:`~policykg.pipeline.recognisers.heads` and :mod:`~policykg.pipeline.recognisers.responsibility` (the genre's
head words and responsibility frames, functions of the text alone).
"""
