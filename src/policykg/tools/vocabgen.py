"""Generate :mod:`policykg.vocab`, the closed Python namespace of the ontology's terms.

Door: :func:`render_vocab`. Code refers to ontology terms as ``POL.guidedBy``; because the
namespace is an rdflib ``DefinedNamespace`` with ``_fail = True``, a misspelled term fails at
import time instead of minting a new IRI. Regenerate with ``policykg vocab`` after editing
``ontology/policykg.ttl``; a test fails while the two disagree.
"""
from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from ..names import ID as ID_NS
from ..names import ONTOLOGY
from ..names import POL as POL_NS

_KINDS = (
    (OWL.Class, "Classes"),
    (OWL.ObjectProperty, "Object properties"),
    (OWL.DatatypeProperty, "Datatype properties"),
    (OWL.AnnotationProperty, "Annotation properties"),
    (OWL.NamedIndividual, "Named individuals"),
)


def ontology_terms(graph: Graph) -> dict[str, list[str]]:
    """Local names of the pol: terms the ontology declares, by kind, sorted."""
    terms: dict[str, list[str]] = {}
    for kind, heading in _KINDS:
        names = sorted(
            str(s)[len(POL_NS):]
            for s in graph.subjects(RDF.type, kind)
            if isinstance(s, URIRef) and str(s).startswith(POL_NS)
        )
        if names:
            terms[heading] = names
    return terms


def _comment(graph: Graph, name: str) -> str:
    term = URIRef(POL_NS + name)
    labels = {lit.language: str(lit) for lit in graph.objects(term, RDFS.label)}
    definition = next((str(d) for d in graph.objects(term, SKOS.definition)
                       if getattr(d, "language", None) == "en"), "")
    text = " / ".join(x for x in (labels.get("en"), labels.get("zh")) if x)
    if definition:
        text += ": " + definition
    return " ".join(text.split())


def render_vocab(graph: Graph) -> str:
    """The source text of ``policykg/vocab.py`` for the ontology in ``graph``."""
    lines = [
        '"""The policykg ontology\'s terms as closed rdflib namespaces.',
        "",
        "GENERATED from ontology/policykg.ttl by `policykg vocab`: do not edit by hand.",
        '"""',
        "from rdflib.namespace import DefinedNamespace, Namespace",
        "from rdflib.term import URIRef",
        "",
        "",
        "class POL(DefinedNamespace):",
        '    """Terms of the policykg ontology (' + ONTOLOGY + ')."""',
        "",
        "    _NS = Namespace(\"" + POL_NS + "\")",
        "    _fail = True",
    ]
    for heading, names in ontology_terms(graph).items():
        lines.append("")
        lines.append(f"    # {heading}")
        for name in names:
            comment = _comment(graph, name)
            lines.append(f"    {name}: URIRef" + (f"  # {comment}" if comment else ""))
    lines += [
        "",
        "",
        "#: Where policykg mints the IRIs of the things its graph describes.",
        f"ID = Namespace(\"{ID_NS}\")",
        "",
        '__all__ = ["ID", "POL"]',
        "",
    ]
    return "\n".join(lines)


__all__ = ["ID_NS", "POL_NS", "ontology_terms", "render_vocab"]
