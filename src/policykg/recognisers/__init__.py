"""Recognisers: one per kind of thing the genre names, each over the document and its views.

The extractor (:mod:`policykg.extract`) runs them; each is a function of the text that
proposes spans (names of documents, agencies, places, ...) with no side effects, so none
depends on the order the others run in.
"""
