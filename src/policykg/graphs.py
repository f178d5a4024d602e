"""The named graphs of the working store, as pyoxigraph terms.

The build keeps its working graph in one pyoxigraph ``Store`` with four named graphs:

``ontology``
    ``ontology/policykg.ttl``, as written by hand;
``data``
    the facts the mapping stage asserts about documents, measures, agencies and places;
``provenance``
    where each fact was read (text spans, selectors, activities);
``inferences``
    what the reasoning stage (:func:`policykg.pipeline.reason.infer`) entails from ``ontology`` and
    ``data`` and is not asserted there; rebuilt from scratch on every run.

Every stage names a graph through :data:`GRAPHS`, never by spelling its IRI; the IRIs, and
the base everything of policykg lives under (:data:`BASE`), are :mod:`policykg.names`'.
"""
from __future__ import annotations

from pyoxigraph import NamedNode

from .names import BASE, GRAPH_IRIS

#: The named graphs of the working store, by role (:data:`policykg.names.GRAPH_IRIS`).
GRAPHS: dict[str, NamedNode] = {role: NamedNode(iri) for role, iri in GRAPH_IRIS.items()}

__all__ = ["BASE", "GRAPHS"]
