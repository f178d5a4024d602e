"""Recognisers: one per kind of thing the genre names, each over the document and a shared context.

The extractor (:mod:`policykg.extract`) builds one :class:`~policykg.recognisers.context.Context`
per document and runs the recognisers over it in the order its docstring gives; each reads what
it needs from the context through indexed look-ups (an entity by name or short form, documents
by position, issue dates by document, containment by child) and writes what it finds back:

* :mod:`~policykg.recognisers.agencies` — "Full Name (ABBR)" definitions, the agencies of a span;
* :mod:`~policykg.recognisers.documents` — documents named (and their names from the words
  alone), the holder of the measures, issuers named in names, parts;
* :mod:`~policykg.recognisers.dates` — issuance and issue dates, trial periods, the year of a
  document's IRI;
* :mod:`~policykg.recognisers.places` — areas, containment, pilot areas and their count;
* :mod:`~policykg.recognisers.measures` — articles, categories, guidance, forerunners, regions;
* :mod:`~policykg.recognisers.references` — which document refers to which;
* :mod:`~policykg.recognisers.sites` — lists of designated sites and export bases.

Beside them: :mod:`~policykg.recognisers.context` (the context), :mod:`~policykg.recognisers.records`
(what they give), :mod:`~policykg.recognisers.iris` (IRIs from names),
:mod:`~policykg.recognisers.indexes` and :mod:`~policykg.recognisers.automaton` (the indexes),
:mod:`~policykg.recognisers.heads` and :mod:`~policykg.recognisers.responsibility` (the genre's
head words and responsibility frames, functions of the text alone).
"""
