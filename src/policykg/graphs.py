"""The named graphs of the working store, and the IRI everything of policykg lives under.

The build keeps its working graph in one pyoxigraph ``Store`` with four named graphs:

``ontology``
    ``ontology/policykg.ttl``, as written by hand;
``data``
    the facts the mapping stage asserts about documents, measures, agencies and places;
``provenance``
    where each fact was read (text spans, selectors, activities);
``inferences``
    what the reasoning stage (:func:`policykg.reason.infer`) entails from ``ontology`` and
    ``data`` and is not asserted there; rebuilt from scratch on every run.

Every stage names a graph through :data:`GRAPHS`, never by spelling its IRI.
"""
from __future__ import annotations

from pyoxigraph import NamedNode

#: The IRI under which policykg's ontology, data and graphs are published.
BASE = "https://w3id.org/policykg/"

#: The named graphs of the working store, by role.
GRAPHS: dict[str, NamedNode] = {
    "ontology": NamedNode(BASE + "graph/ontology"),
    "data": NamedNode(BASE + "graph/data"),
    "provenance": NamedNode(BASE + "graph/provenance"),
    "inferences": NamedNode(BASE + "graph/inferences"),
}

__all__ = ["BASE", "GRAPHS"]
