"""Bilingual HTML documentation of the policykg OWL ontology.

``policykg docs`` writes one self-contained HTML5 page (inline CSS, no scripts, no external
stylesheets, fonts or images) that documents every term of ``ontology/policykg.ttl`` with
both its English and its Chinese ``rdfs:label``.

Why not pyLODE: pyLODE 3.4.1 shows one title per term. Given ``"Measure"@en`` and
``"措施"@zh`` it prints them run together ("Measure措施"), with no separator and no ``lang``
markup, and its multilingual support is still an open issue. (The 3.4.1 wheel also fails on
import: ``pylode/version.py`` reads a ``pyproject.toml`` that the wheel does not ship.) This
module is a small generator in the same spirit: rdflib reads the graph, and a Jinja2 template
(``templates/docs.html.j2``, autoescape on) writes the page.

Public doors:

* :func:`render_docs` -- a pure function: graph in, HTML text out.
* :func:`write_docs` -- parse an ontology file and write ``index.html`` atomically into a folder.

The page has a header built from the ontology's metadata and a table of namespaces, then a
table of contents, then one section for each kind of term (classes, object properties,
datatype properties, annotation properties and named individuals). Each term has an anchor
equal to its local name (``#Measure``). A last section lists every alignment to an outside
vocabulary. Class expressions (restrictions, unions and so on) are shown in a Manchester-like
syntax, e.g. ``pilotArea some Notice``. A construct the renderer does not know is shown as
its triples, so an unusual axiom never stops the page from being written.
"""
from __future__ import annotations

import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import jinja2
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DC, DCTERMS, OWL, RDF, RDFS, SKOS, VANN, XSD

from policykg import __version__
from policykg.errors import InputError
from policykg.names import POL

__all__ = ["render_docs", "write_docs", "DEFAULT_NAMESPACE"]

DEFAULT_NAMESPACE = POL
INDEX_NAME = "index.html"

_TEMPLATES = Path(__file__).resolve().parent / "templates"
_TEMPLATE_NAME = "docs.html.j2"

_MAX_DEPTH = 8  # nesting depth of class expressions before we give up and print "…"
_MAX_LIST = 1000  # longest RDF list we follow
_SAFE_SCHEMES = ("http://", "https://", "mailto:", "ftp://", "urn:")

# ---------------------------------------------------------------------------------------------
# What the template receives
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tok:
    """One piece of rendered RDF. ``kind`` tells the template how to draw it.

    kinds: ``text`` (plain), ``kw`` (Manchester keyword), ``ref`` (link to a term on this page),
    ``ext`` (an outside IRI, shown as a CURIE), ``iri`` (a full IRI), ``lit`` (a literal inside
    an expression), ``meta`` (a datatype or language suffix), ``prose`` (a paragraph of text).
    """

    text: str
    kind: str = "text"
    href: str | None = None
    title: str | None = None
    lang: str | None = None
    parts: tuple[Tok, ...] = ()  # for ``prose``: the paragraph as text and links


Value = list[Tok]


@dataclass
class Row:
    """One line of a term's property table: a heading and one or more values."""

    title: str
    values: list[Value]
    prose: bool = False  # paragraphs of text rather than short values

    @property
    def inline(self) -> bool:
        """Only single links or words: show them on one line, comma-separated."""
        return not self.prose and all(len(v) == 1 and v[0].kind != "prose" for v in self.values)


@dataclass
class Term:
    iri: str
    anchor: str
    kind: str  # key of _KINDS
    local: str
    label_en: str
    label_zh: Tok | None
    rows: list[Row] = field(default_factory=list)
    deprecated: bool = False

    @property
    def badge(self) -> str:
        return _KINDS[self.kind][1]

    @property
    def kind_label(self) -> str:
        return _KINDS[self.kind][2]


@dataclass
class Section:
    id: str
    title: str
    terms: list[Term]
    show_when_empty: bool
    external: list[Value] = field(default_factory=list)  # outside terms declared with this kind
    note: str = ""


@dataclass
class Alignment:
    term: Value
    relation: Value
    target: Value
    vocabulary: str


# kind key -> (section title, badge, singular label)
_KINDS: dict[str, tuple[str, str, str]] = {
    "class": ("Classes", "c", "Class"),
    "objprop": ("Object properties", "op", "Object property"),
    "dataprop": ("Datatype properties", "dp", "Datatype property"),
    "annprop": ("Annotation properties", "ap", "Annotation property"),
    "prop": ("Other properties", "p", "Property"),
    "datatype": ("Datatypes", "dt", "Datatype"),
    "individual": ("Named individuals", "ni", "Named individual"),
}
_SECTION_IDS = {
    "class": "sec-classes",
    "objprop": "sec-object-properties",
    "dataprop": "sec-datatype-properties",
    "annprop": "sec-annotation-properties",
    "prop": "sec-other-properties",
    "datatype": "sec-datatypes",
    "individual": "sec-individuals",
}
_ALWAYS_SHOWN = {"class", "objprop", "dataprop", "annprop"}

_TYPE_TO_KIND: list[tuple[URIRef, str]] = [
    (OWL.Class, "class"),
    (RDFS.Class, "class"),
    (OWL.ObjectProperty, "objprop"),
    (OWL.DatatypeProperty, "dataprop"),
    (OWL.AnnotationProperty, "annprop"),
    (RDF.Property, "prop"),
    (RDFS.Datatype, "datatype"),
]
_INDIVIDUAL_TYPES = {OWL.NamedIndividual, SKOS.ConceptScheme, SKOS.Concept, SKOS.Collection}
_STRUCTURAL_TYPES = {OWL.Ontology, OWL.Restriction, OWL.AllDisjointClasses,
                     OWL.AllDisjointProperties, OWL.AllDifferent, OWL.Axiom}

_CHARACTERISTICS: list[tuple[URIRef, str]] = [
    (OWL.FunctionalProperty, "Functional"),
    (OWL.InverseFunctionalProperty, "Inverse functional"),
    (OWL.TransitiveProperty, "Transitive"),
    (OWL.SymmetricProperty, "Symmetric"),
    (OWL.AsymmetricProperty, "Asymmetric"),
    (OWL.ReflexiveProperty, "Reflexive"),
    (OWL.IrreflexiveProperty, "Irreflexive"),
]

# Predicates that the term tables show in their own rows; everything else goes under "Other".
_HANDLED = {
    RDF.type, RDFS.label, SKOS.definition, RDFS.comment, SKOS.example, SKOS.scopeNote,
    RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, OWL.inverseOf,
    OWL.disjointWith, OWL.equivalentClass, OWL.equivalentProperty, RDFS.isDefinedBy,
    OWL.propertyChainAxiom, OWL.deprecated, OWL.propertyDisjointWith, OWL.disjointUnionOf,
}

# Axioms that tie a pol: term to an outside vocabulary.
_ALIGNMENT_PREDICATES = [
    RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty,
    OWL.sameAs, SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch,
    SKOS.relatedMatch,
]
_SYMMETRIC_ALIGNMENTS = {OWL.equivalentClass, OWL.equivalentProperty, OWL.sameAs,
                         SKOS.exactMatch, SKOS.closeMatch, SKOS.relatedMatch}

_ONTOLOGY_META: list[tuple[str, list[URIRef]]] = [
    ("Version IRI", [OWL.versionIRI]),
    ("Version", [OWL.versionInfo]),
    ("Created", [DCTERMS.created]),
    ("Modified", [DCTERMS.modified]),
    ("Issued", [DCTERMS.issued]),
    ("License", [DCTERMS.license]),
    ("Rights", [DCTERMS.rights]),
    ("Creators", [DCTERMS.creator, DC.creator]),
    ("Contributors", [DCTERMS.contributor, DC.contributor]),
    ("Publisher", [DCTERMS.publisher, DC.publisher]),
    ("Preferred prefix", [VANN.preferredNamespacePrefix]),
    ("Preferred namespace", [VANN.preferredNamespaceUri]),
    ("Imports", [OWL.imports]),
    ("Prior version", [OWL.priorVersion]),
    ("Source", [DCTERMS.source, DC.source]),
    ("See also", [RDFS.seeAlso]),
]
_ONTOLOGY_HANDLED = {RDF.type, DCTERMS.title, DC.title, DCTERMS.description, DC.description,
                     RDFS.label, RDFS.comment} | {p for _, ps in _ONTOLOGY_META for p in ps}

# Literals shown without quotes or datatype in class expressions, as Manchester syntax does.
_BARE_DATATYPES = {XSD.integer, XSD.decimal, XSD.double, XSD.float, XSD.boolean,
                   XSD.nonNegativeInteger, XSD.positiveInteger, XSD.int, XSD.long}

_NAME_PREDICATES = [
    URIRef("http://xmlns.com/foaf/0.1/name"), URIRef("https://schema.org/name"),
    URIRef("http://schema.org/name"), RDFS.label,
]

# ---------------------------------------------------------------------------------------------
# Public doors
# ---------------------------------------------------------------------------------------------


def write_docs(ontology: Path, out_dir: Path) -> Path:
    """Parse ``ontology`` and write its documentation to ``out_dir/index.html``.

    The page is written to a temporary file in ``out_dir`` first and then moved into place,
    so a reader never sees half a page. Returns the path of ``index.html``.

    Raises :class:`~policykg.errors.InputError` when the ontology is missing or unparsable.
    """
    ontology = Path(ontology)
    out_dir = Path(out_dir)
    if not ontology.is_file():
        raise InputError("ontology file not found", path=ontology,
                         hint="pass the path of a Turtle file, e.g. ontology/policykg.ttl")
    graph = Graph()
    try:
        graph.parse(ontology, format=_guess_format(ontology))
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text: {exc}", path=ontology) from exc
    except Exception as exc:  # rdflib raises many types (BadSyntax, SAXParseException, ...)
        line = getattr(exc, "lines", None)
        raise InputError(f"cannot parse the ontology: {exc}", path=ontology,
                         line=line + 1 if isinstance(line, int) else None) from exc
    html = render_docs(graph)

    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / INDEX_NAME
    fd, tmp_name = tempfile.mkstemp(dir=out_dir, prefix=".index.", suffix=".html.tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(html)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp_name, 0o644)  # mkstemp makes 0600; a web page must be world-readable
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return target


def render_docs(graph: Graph) -> str:
    """Return the documentation page of ``graph`` as HTML text. Does not change ``graph``."""
    context = _Builder(graph).build()
    return _environment().get_template(_TEMPLATE_NAME).render(**context)


# ---------------------------------------------------------------------------------------------
# Internals
# ---------------------------------------------------------------------------------------------


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _guess_format(path: Path) -> str:
    return {
        ".ttl": "turtle", ".nt": "nt", ".n3": "n3", ".rdf": "xml", ".owl": "xml",
        ".xml": "xml", ".jsonld": "json-ld", ".json": "json-ld", ".trig": "trig",
    }.get(path.suffix.lower(), "turtle")


def _is_lang(lit: Literal, lang: str) -> bool:
    tag = (lit.language or "").lower()
    return tag == lang or tag.startswith(lang + "-")


def _is_cjk(ch: str) -> bool:
    return "\u2e80" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\uff00" <= ch <= "\uffef"


def _reflow(text: str) -> str:
    """Undo the hard wrapping of a long literal: join the lines of each paragraph (a space
    between words, nothing next to Chinese text) and keep blank lines as paragraph breaks."""
    paragraphs = re.split(r"\n[ \t]*\n\s*", text.strip())
    out = []
    for para in paragraphs:
        lines = [line.strip() for line in para.splitlines() if line.strip()]
        joined = ""
        for line in lines:
            if joined and not (_is_cjk(joined[-1]) or _is_cjk(line[0])):
                joined += " "
            joined += line
        out.append(joined)
    return "\n\n".join(out)


def _sort_key(node) -> tuple[int, str]:
    return (0 if isinstance(node, URIRef) else 1 if isinstance(node, Literal) else 2, str(node))


class _Builder:
    """Turns a graph into the template's context. One instance per rendering."""

    def __init__(self, graph: Graph) -> None:
        self.g = graph
        self.ontology = self._find_ontology()
        self.ns = self._find_namespace()
        self.prefixes = self._prefixes()
        self.kinds = self._classify()
        self.anchors = self._assign_anchors()
        self.own_prefix = next((p for p, u in self.prefixes if u == self.ns and p), None)

    # -- setup ---------------------------------------------------------------------------

    def _find_ontology(self) -> URIRef | None:
        onts = sorted(s for s in self.g.subjects(RDF.type, OWL.Ontology) if isinstance(s, URIRef))
        if not onts:
            return None
        for ont in onts:  # prefer the one that declares its namespace
            if self.g.value(ont, VANN.preferredNamespaceUri) is not None:
                return ont
        return onts[0]

    def _find_namespace(self) -> str:
        if self.ontology is not None:
            declared = self.g.value(self.ontology, VANN.preferredNamespaceUri)
            if declared is not None and str(declared).strip():
                return str(declared).strip()
        for prefix, uri in self.g.namespaces():
            if prefix == "pol":
                return str(uri)
        if self.ontology is not None:
            iri = str(self.ontology)
            return iri if iri.endswith(("#", "/")) else iri + "#"
        return DEFAULT_NAMESPACE

    def _prefixes(self) -> list[tuple[str, str]]:
        seen: dict[str, str] = {}
        for prefix, uri in self.g.namespaces():
            seen.setdefault(str(uri), str(prefix))
        # longest namespace first, so the most specific prefix wins
        return sorted(((p, u) for u, p in seen.items()), key=lambda pu: (-len(pu[1]), pu[0]))

    def internal(self, node) -> bool:
        return isinstance(node, URIRef) and str(node).startswith(self.ns) and str(node) != self.ns

    def local(self, iri: URIRef) -> str:
        text = str(iri)
        if text.startswith(self.ns):
            return text[len(self.ns):]
        for sep in ("#", "/", ":"):
            if sep in text.rstrip(sep):
                return text.rstrip(sep).rsplit(sep, 1)[1]
        return text

    def _classify(self) -> dict[URIRef, str]:
        """Each documented term and its kind. Only terms in the ontology's namespace get a
        section, except named individuals (e.g. concept schemes), which may live elsewhere."""
        kinds: dict[URIRef, str] = {}
        for rdf_type, kind in _TYPE_TO_KIND:
            for s in self.g.subjects(RDF.type, rdf_type):
                if self.internal(s) and s not in kinds:
                    kinds[s] = kind
        for s, t in self.g.subject_objects(RDF.type):
            if not isinstance(s, URIRef) or s in kinds or s == self.ontology:
                continue
            if t in _STRUCTURAL_TYPES:
                continue
            if t in _INDIVIDUAL_TYPES or (self.internal(s) and self.internal(t)):
                kinds[s] = "individual"
        # a property typed only by a characteristic (owl:FunctionalProperty etc.)
        for rdf_type, _ in _CHARACTERISTICS:
            for s in self.g.subjects(RDF.type, rdf_type):
                if self.internal(s) and s not in kinds:
                    kinds[s] = "objprop" if rdf_type != OWL.FunctionalProperty else "prop"
        return kinds

    def _assign_anchors(self) -> dict[URIRef, str]:
        used = set(_SECTION_IDS.values()) | {"toc", "namespaces", "alignments", "top",
                                             "metadata", "legend"}
        anchors: dict[URIRef, str] = {}
        # in-namespace terms first, so they keep their bare local name
        for iri in sorted(self.kinds, key=lambda i: (not self.internal(i), str(i))):
            base = self.local(iri) if self.internal(iri) else "x-" + self.local(iri)
            base = "".join(ch if not ch.isspace() else "_" for ch in base) or "term"
            anchor, n = base, 2
            while anchor in used:
                anchor, n = f"{base}-{n}", n + 1
            used.add(anchor)
            anchors[iri] = anchor
        return anchors

    # -- labels and small renderings ---------------------------------------------------------

    def _labels(self, node, lang: str) -> list[Literal]:
        out = [o for o in self.g.objects(node, RDFS.label) if isinstance(o, Literal)
               and _is_lang(o, lang)]
        if not out:
            out = [o for o in self.g.objects(node, SKOS.prefLabel) if isinstance(o, Literal)
                   and _is_lang(o, lang)]
        if not out and lang == "en":
            out = [o for o in self.g.objects(node, RDFS.label) if isinstance(o, Literal)
                   and not o.language]
        # exact tag ("zh") before a subtag ("zh-Hans"), then alphabetical
        return sorted(out, key=lambda lit: ((lit.language or "").lower() != lang, str(lit)))

    def label_en(self, node) -> str | None:
        labels = self._labels(node, "en")
        return str(labels[0]) if labels else None

    def label_zh(self, node) -> Literal | None:
        labels = self._labels(node, "zh")
        return labels[0] if labels else None

    def curie(self, iri: URIRef) -> str | None:
        text = str(iri)
        for prefix, uri in self.prefixes:
            if uri and text.startswith(uri):
                rest = text[len(uri):]
                if rest and not any(c in rest for c in "/#?: ") :
                    return f"{prefix}:{rest}"
                if not rest:
                    return f"{prefix}:"
        return None

    def ref(self, iri: URIRef) -> Tok:
        if iri in self.anchors:
            parts = [self.label_en(iri) or self.local(iri)]
            zh = self.label_zh(iri)
            if zh is not None:
                parts.append(str(zh))
            text = self.local(iri) if self.internal(iri) else (self.curie(iri) or str(iri))
            return Tok(text, "ref", href="#" + self.anchors[iri],
                       title=" · ".join(parts) + f" <{iri}>")
        curie = self.curie(iri)
        href = str(iri) if str(iri).startswith(_SAFE_SCHEMES) else None
        if curie is not None:
            return Tok(curie, "ext", href=href, title=str(iri))
        return Tok(str(iri), "iri", href=href)

    def literal(self, lit: Literal, quoted: bool = True) -> Value:
        if not quoted:
            return [Tok(str(lit), "text", lang=lit.language)]
        if lit.datatype in _BARE_DATATYPES:
            return [Tok(str(lit), "lit")]
        toks = [Tok(f'"{lit}"', "lit", lang=lit.language)]
        if lit.language:
            toks.append(Tok("@" + lit.language, "meta"))
        elif lit.datatype is not None and lit.datatype != XSD.string:
            toks.append(Tok("^^" + (self.curie(lit.datatype) or f"<{lit.datatype}>"), "meta"))
        return toks

    def value(self, node) -> Value:
        """A node as a table value: IRIs linked, literals as text, blank nodes as expressions."""
        if isinstance(node, Literal):
            return self.literal(node, quoted=False)
        if isinstance(node, URIRef):
            return [self.ref(node)]
        name = self._agent_name(node)
        if name is not None:
            return name
        return self.expr(node)

    def _agent_name(self, node) -> Value | None:
        """A blank-node agent (e.g. a dct:creator) shown by its name."""
        for pred in _NAME_PREDICATES:
            name = self.g.value(node, pred)
            if isinstance(name, Literal):
                toks = [Tok(str(name), "text", lang=name.language)]
                for extra in (URIRef("http://xmlns.com/foaf/0.1/mbox"),
                              URIRef("https://schema.org/email"),
                              URIRef("https://schema.org/url"),
                              URIRef("http://xmlns.com/foaf/0.1/homepage")):
                    for o in sorted(self.g.objects(node, extra), key=str):
                        toks += [Tok(" ", "text"), Tok("<", "text"),
                                 (self.ref(o) if isinstance(o, URIRef)
                                  else Tok(str(o), "text")), Tok(">", "text")]
                return toks
        return None

    # -- class expressions -------------------------------------------------------------------

    def rdf_list(self, node) -> list | None:
        """The members of an RDF list, or None when the list is malformed or cyclic."""
        items, seen = [], set()
        while node != RDF.nil:
            if node in seen or len(items) > _MAX_LIST:
                return None
            seen.add(node)
            first = self.g.value(node, RDF.first)
            if first is None:
                return None
            items.append(first)
            node = self.g.value(node, RDF.rest)
            if node is None:
                return None
        return items

    def expr(self, node) -> Value:
        return self._expr(node, 0, frozenset())[0]

    def _expr(self, node, depth: int, seen: frozenset) -> tuple[Value, bool]:
        """Manchester-like rendering. Returns the tokens and whether the result is compound
        (and so needs parentheses when nested)."""
        if isinstance(node, URIRef):
            return [self.ref(node)], False
        if isinstance(node, Literal):
            return self.literal(node), False
        if depth > _MAX_DEPTH or node in seen:
            return [Tok("…", "text", title="expression too deep or cyclic")], False
        seen = seen | {node}
        g = self.g

        def sub(n) -> Value:
            toks, compound = self._expr(n, depth + 1, seen)
            return [Tok("(", "text"), *toks, Tok(")", "text")] if compound else toks

        def nary(members: list, keyword: str) -> Value:
            out: Value = []
            for i, m in enumerate(members):
                if i:
                    out += [Tok(" ", "text"), Tok(keyword, "kw"), Tok(" ", "text")]
                out += sub(m)
            return out

        prop = g.value(node, OWL.onProperty)
        if prop is not None:
            rendered = self._restriction(node, prop, sub)
            if rendered is not None:
                return rendered, True
        for pred, keyword in ((OWL.unionOf, "or"), (OWL.intersectionOf, "and")):
            lst = g.value(node, pred)
            if lst is not None:
                members = self.rdf_list(lst)
                if members is not None:
                    return nary(members, keyword), len(members) > 1
        for pred in (OWL.complementOf, OWL.datatypeComplementOf):
            target = g.value(node, pred)
            if target is not None:
                return [Tok("not", "kw"), Tok(" ", "text"), *sub(target)], True
        lst = g.value(node, OWL.oneOf)
        if lst is not None:
            members = self.rdf_list(lst)
            if members is not None:
                out: Value = [Tok("{", "text")]
                for i, m in enumerate(members):
                    if i:
                        out.append(Tok(", ", "text"))
                    out += sub(m)
                return out + [Tok("}", "text")], False
        base = g.value(node, OWL.onDatatype)
        facets_list = g.value(node, OWL.withRestrictions)
        if base is not None and facets_list is not None:
            facets = self.rdf_list(facets_list)
            if facets is not None:
                out = [*sub(base), Tok("[", "text")]
                for i, facet in enumerate(facets):
                    if i:
                        out.append(Tok(", ", "text"))
                    out += self._facet(facet, sub)
                return out + [Tok("]", "text")], False
        inverse = g.value(node, OWL.inverseOf)
        if inverse is not None:
            return [Tok("inverse", "kw"), Tok(" ", "text"), *sub(inverse)], False
        return self._triples(node, sub), False

    def _restriction(self, node, prop, sub) -> Value | None:
        g = self.g
        head = sub(prop) + [Tok(" ", "text")]
        for pred, keyword in ((OWL.someValuesFrom, "some"), (OWL.allValuesFrom, "only"),
                              (OWL.hasValue, "value")):
            filler = g.value(node, pred)
            if filler is not None:
                return head + [Tok(keyword, "kw"), Tok(" ", "text"), *sub(filler)]
        if g.value(node, OWL.hasSelf) is not None:
            return head + [Tok("Self", "kw")]
        qualified = g.value(node, OWL.onClass) or g.value(node, OWL.onDataRange)
        for preds, keyword in (((OWL.minQualifiedCardinality, OWL.minCardinality), "min"),
                               ((OWL.maxQualifiedCardinality, OWL.maxCardinality), "max"),
                               ((OWL.qualifiedCardinality, OWL.cardinality), "exactly")):
            for pred in preds:
                n = g.value(node, pred)
                if n is not None:
                    out = head + [Tok(keyword, "kw"), Tok(" ", "text"), Tok(str(n), "lit")]
                    if qualified is not None:
                        out += [Tok(" ", "text"), *sub(qualified)]
                    return out
        return None

    def _facet(self, facet, sub) -> Value:
        names = {XSD.minInclusive: ">=", XSD.minExclusive: ">", XSD.maxInclusive: "<=",
                 XSD.maxExclusive: "<", XSD.length: "length", XSD.minLength: "minLength",
                 XSD.maxLength: "maxLength", XSD.pattern: "pattern"}
        out: Value = []
        for p, o in sorted(self.g.predicate_objects(facet), key=lambda po: str(po[0])):
            if out:
                out.append(Tok(", ", "text"))
            out += [Tok(names.get(p, self.curie(p) or str(p)), "kw"), Tok(" ", "text"), *sub(o)]
        return out

    def _triples(self, node, sub) -> Value:
        """Fallback for a blank node we cannot name: ``[ p o ; p o ]``."""
        pairs = sorted(self.g.predicate_objects(node), key=lambda po: (str(po[0]), _sort_key(po[1])))
        if not pairs:
            return [Tok("[ ]", "text", title="an empty blank node")]
        out: Value = [Tok("[", "text")]
        for i, (p, o) in enumerate(pairs):
            out += [Tok(" ; " if i else " ", "text"), self.ref(p), Tok(" ", "text"), *sub(o)]
        return out + [Tok(" ]", "text")]

    # -- terms -----------------------------------------------------------------------------

    def _texts(self, node, pred) -> list[Value]:
        """The literal values of ``pred``: English first, then untagged, then Chinese."""
        lits = [o for o in self.g.objects(node, pred) if isinstance(o, Literal)]
        order = {"en": 0, "": 1, "zh": 2}
        lits.sort(key=lambda lit: (order.get((lit.language or "").split("-")[0].lower(), 3),
                                   lit.language or "", str(lit)))
        return [[self.prose(lit)] for lit in lits]

    def prose(self, lit: Literal) -> Tok:
        """A paragraph of text, with every ``pol:term`` it mentions linked to that term."""
        text = _reflow(str(lit))
        parts: list[Tok] = []
        if self.own_prefix:
            pattern = re.compile(re.escape(self.own_prefix) + r":([A-Za-z_][A-Za-z0-9_\-]*)")
            pos = 0
            for m in pattern.finditer(text):
                iri = URIRef(self.ns + m.group(1))
                if iri not in self.anchors:
                    continue
                if m.start() > pos:
                    parts.append(Tok(text[pos:m.start()]))
                link = self.ref(iri)
                parts.append(Tok(m.group(0), "ref", href=link.href, title=link.title))
                pos = m.end()
            if parts and pos < len(text):
                parts.append(Tok(text[pos:]))
        return Tok(text, "prose", lang=lit.language, parts=tuple(parts))

    def _nodes(self, nodes: Iterable) -> list[Value]:
        uniq = sorted(set(nodes), key=_sort_key)
        return [self.value(n) for n in uniq]

    def _named(self, nodes: Iterable) -> list[Value]:
        """Named nodes, sorted by English label (internal) then CURIE (external)."""
        uniq = {n for n in nodes if isinstance(n, URIRef)}
        return [[self.ref(n)] for n in sorted(uniq, key=self._ref_sort_key)]

    def _ref_sort_key(self, iri: URIRef) -> tuple:
        if iri in self.anchors:
            return (0, (self.label_en(iri) or self.local(iri)).casefold(), str(iri))
        return (1, self.curie(iri) or str(iri), str(iri))

    def _anded(self, nodes: Iterable) -> list[Value]:
        """Several rdfs:domain (or range) values: all of them apply, so join them with 'and'."""
        uniq = sorted(set(nodes), key=_sort_key)
        if not uniq:
            return []
        if len(uniq) == 1:
            return [self.expr(uniq[0])]
        out: Value = []
        for i, n in enumerate(uniq):
            if i:
                out += [Tok(" ", "text"), Tok("and", "kw"), Tok(" ", "text")]
            toks, compound = self._expr(n, 0, frozenset())
            out += [Tok("(", "text"), *toks, Tok(")", "text")] if compound else toks
        return [out]

    def _named_members(self, node) -> set[URIRef]:
        """The named classes a domain/range expression mentions at its top (A, or A or B)."""
        if isinstance(node, URIRef):
            return {node}
        lst = self.g.value(node, OWL.unionOf) or self.g.value(node, OWL.intersectionOf)
        members = self.rdf_list(lst) if lst is not None else None
        return {m for m in members or [] if isinstance(m, URIRef)}

    def _disjoints(self, cls: URIRef) -> set:
        g = self.g
        out = set(g.objects(cls, OWL.disjointWith)) | set(g.subjects(OWL.disjointWith, cls))
        for axiom in g.subjects(RDF.type, OWL.AllDisjointClasses):
            members = self.rdf_list(g.value(axiom, OWL.members)) if g.value(
                axiom, OWL.members) is not None else None
            if members and cls in members:
                out.update(m for m in members if m != cls)
        for owner, lst in g.subject_objects(OWL.disjointUnionOf):
            members = self.rdf_list(lst) or []
            if cls in members:
                out.update(m for m in members if m != cls)
        out.discard(cls)
        return out

    def _prop_disjoints(self, prop: URIRef) -> set:
        g = self.g
        out = set(g.objects(prop, OWL.propertyDisjointWith)) | set(
            g.subjects(OWL.propertyDisjointWith, prop))
        for axiom in g.subjects(RDF.type, OWL.AllDisjointProperties):
            lst = g.value(axiom, OWL.members)
            members = self.rdf_list(lst) if lst is not None else None
            if members and prop in members:
                out.update(m for m in members if m != prop)
        out.discard(prop)
        return out

    def _equivalents(self, node, pred) -> list[Value]:
        g = self.g
        targets = set(g.objects(node, pred)) | {s for s in g.subjects(pred, node)
                                               if isinstance(s, URIRef)}
        targets.discard(node)
        named = [t for t in targets if isinstance(t, URIRef)]
        anon = [t for t in targets if not isinstance(t, URIRef)]
        return self._named(named) + sorted((self.expr(t) for t in anon),
                                           key=lambda v: "".join(t.text for t in v))

    def build_term(self, iri: URIRef, kind: str, index: dict) -> Term:
        g = self.g
        zh = self.label_zh(iri)
        term = Term(
            iri=str(iri), anchor=self.anchors[iri], kind=kind, local=self.local(iri),
            label_en=self.label_en(iri) or self.local(iri),
            label_zh=Tok(str(zh), "text", lang=zh.language) if zh is not None else None,
            deprecated=any(str(o).lower() in ("true", "1") for o in g.objects(iri, OWL.deprecated)),
        )
        rows = term.rows

        def add(title: str, values: list[Value], prose: bool = False) -> None:
            if values:
                rows.append(Row(title, values, prose))

        add("IRI", [[Tok(str(iri), "iri")]])
        shown = {self._labels(iri, "en")[0] if self._labels(iri, "en") else None, zh}
        extra_labels = [lit for lit in g.objects(iri, RDFS.label)
                        if isinstance(lit, Literal) and lit not in shown]
        add("Other labels", [self.literal(lit) for lit in sorted(extra_labels, key=_sort_key)])
        add("Definition", self._texts(iri, SKOS.definition), prose=True)
        add("Comment", self._texts(iri, RDFS.comment), prose=True)
        add("Example", self._texts(iri, SKOS.example), prose=True)
        add("Scope note", self._texts(iri, SKOS.scopeNote), prose=True)

        if kind in ("class", "datatype"):
            supers = list(g.objects(iri, RDFS.subClassOf))
            add("Super-classes", self._named(supers) + [
                self.expr(s) for s in sorted((s for s in supers if not isinstance(s, URIRef)),
                                             key=lambda n: "".join(
                                                 t.text for t in self.expr(n)))])
            add("Sub-classes", self._named(s for s in g.subjects(RDFS.subClassOf, iri)))
            add("Equivalent to", self._equivalents(iri, OWL.equivalentClass))
            add("Disjoint with", self._named(self._disjoints(iri)))
            lst = g.value(iri, OWL.disjointUnionOf)
            if lst is not None:
                members = self.rdf_list(lst)
                add("Disjoint union of", [self.expr(lst) if members is None else
                                          [t for i, m in enumerate(members) for t in
                                           ([Tok(" ", "text"), Tok("or", "kw"),
                                             Tok(" ", "text")] if i else []) + [self.ref(m)]]])
            add("In domain of", self._named(index["domain"].get(iri, ())))
            add("In range of", self._named(index["range"].get(iri, ())))
            add("Instances", self._named(index["instances"].get(iri, ())))
        elif kind == "individual":
            types = [t for t in g.objects(iri, RDF.type) if t != OWL.NamedIndividual]
            add("Types", self._named(types) + [self.expr(t) for t in types
                                               if not isinstance(t, URIRef)])
        else:  # properties
            supers = list(g.objects(iri, RDFS.subPropertyOf))
            add("Super-properties", self._named(supers) + [
                self.expr(s) for s in supers if not isinstance(s, URIRef)])
            add("Sub-properties", self._named(s for s in g.subjects(RDFS.subPropertyOf, iri)))
            add("Equivalent to", self._equivalents(iri, OWL.equivalentProperty))
            inverses = set(g.objects(iri, OWL.inverseOf)) | set(g.subjects(OWL.inverseOf, iri))
            add("Inverse of", self._named(inverses))
            add("Domain", self._anded(g.objects(iri, RDFS.domain)))
            add("Range", self._anded(g.objects(iri, RDFS.range)))
            chars = [label for rdf_type, label in _CHARACTERISTICS
                     if (iri, RDF.type, rdf_type) in g]
            add("Characteristics", [[Tok(c, "text")] for c in chars])
            chains = []
            for lst in g.objects(iri, OWL.propertyChainAxiom):
                members = self.rdf_list(lst)
                if members is None:
                    chains.append(self.expr(lst))
                    continue
                chain: Value = []
                for i, m in enumerate(members):
                    if i:
                        chain += [Tok(" ", "text"), Tok("o", "kw"), Tok(" ", "text")]
                    chain += self.expr(m) if not isinstance(m, URIRef) else [self.ref(m)]
                chains.append(chain)
            add("Property chain", chains)
            add("Disjoint with", self._named(self._prop_disjoints(iri)))
        add("Defined by", self._nodes(g.objects(iri, RDFS.isDefinedBy)))

        other: list[Value] = []
        for p, o in sorted(g.predicate_objects(iri), key=lambda po: (str(po[0]), _sort_key(po[1]))):
            if p in _HANDLED:
                continue
            if p == SKOS.prefLabel and isinstance(o, Literal) and o in shown:
                continue
            other.append([self.ref(p), Tok(": ", "text"), *self.value(o)])
        add("Other statements", other)
        return term

    def _index(self) -> dict[str, dict[URIRef, set[URIRef]]]:
        index: dict[str, dict[URIRef, set[URIRef]]] = {
            "domain": defaultdict(set), "range": defaultdict(set), "instances": defaultdict(set)}
        for key, pred in (("domain", RDFS.domain), ("range", RDFS.range)):
            for prop, cls in self.g.subject_objects(pred):
                if isinstance(prop, URIRef):
                    for member in self._named_members(cls):
                        index[key][member].add(prop)
        for iri, kind in self.kinds.items():
            if kind == "individual":
                for t in self.g.objects(iri, RDF.type):
                    if isinstance(t, URIRef):
                        index["instances"][t].add(iri)
        return index

    # -- page ------------------------------------------------------------------------------

    def _sections(self) -> list[Section]:
        index = self._index()
        by_kind: dict[str, list[Term]] = defaultdict(list)
        for iri, kind in self.kinds.items():
            by_kind[kind].append(self.build_term(iri, kind, index))
        external: dict[str, list[URIRef]] = defaultdict(list)
        for rdf_type, kind in _TYPE_TO_KIND:
            for s in self.g.subjects(RDF.type, rdf_type):
                if isinstance(s, URIRef) and not self.internal(s) and s not in self.kinds:
                    if s not in external[kind]:
                        external[kind].append(s)
        sections = []
        for kind, (title, _, _) in _KINDS.items():
            terms = sorted(by_kind.get(kind, []),
                           key=lambda t: (t.label_en.casefold(), t.label_en, t.iri))
            ext = self._named(external.get(kind, []))
            if not terms and not ext and kind not in _ALWAYS_SHOWN:
                continue
            sections.append(Section(_SECTION_IDS[kind], title, terms, kind in _ALWAYS_SHOWN,
                                    external=ext))
        return sections

    def _alignments(self) -> list[Alignment]:
        rows: set[tuple[URIRef, URIRef, URIRef]] = set()
        for pred in _ALIGNMENT_PREDICATES:
            for s, o in self.g.subject_objects(pred):
                if not (isinstance(s, URIRef) and isinstance(o, URIRef)):
                    continue
                if self.internal(s) and not self.internal(o):
                    rows.add((s, pred, o))
                elif pred in _SYMMETRIC_ALIGNMENTS and self.internal(o) and not self.internal(s):
                    rows.add((o, pred, s))
        out = []
        for s, p, o in sorted(rows, key=lambda r: (self._ref_sort_key(r[0]), self.curie(r[1])
                                                   or str(r[1]), str(r[2]))):
            curie = self.curie(o)
            vocab = curie.split(":", 1)[0] if curie else ""
            term: Value = [self.ref(s)]
            zh = self.label_zh(s)
            if zh is not None:
                term += [Tok(" ", "text"), Tok(str(zh), "meta", lang=zh.language)]
            out.append(Alignment(term, [self.ref(p)], [self.ref(o)], vocab))
        return out

    def _meta(self) -> dict:
        g, ont = self.g, self.ontology
        if ont is None:
            return {"title_en": "Ontology documentation", "title_zh": None, "iri": None,
                    "descriptions": [], "rows": [], "comments": []}
        titles = [o for p in (DCTERMS.title, DC.title, RDFS.label) for o in g.objects(ont, p)
                  if isinstance(o, Literal)]
        en = sorted((t for t in titles if _is_lang(t, "en") or not t.language), key=str)
        zh = sorted((t for t in titles if _is_lang(t, "zh")), key=str)
        rows = []
        for title, preds in _ONTOLOGY_META:
            values = self._nodes(o for p in preds for o in g.objects(ont, p))
            if values:
                rows.append(Row(title, values))
        other = [[self.ref(p), Tok(": ", "text"), *self.value(o)]
                 for p, o in sorted(g.predicate_objects(ont), key=lambda po: (str(po[0]),
                                                                              _sort_key(po[1])))
                 if p not in _ONTOLOGY_HANDLED]
        if other:
            rows.append(Row("Other statements", other))
        descriptions = [v for p in (DCTERMS.description, DC.description)
                        for v in self._texts(ont, p)]
        return {
            "title_en": str(en[0]) if en else self.local(ont),
            "title_zh": Tok(str(zh[0]), "text", lang=zh[0].language) if zh else None,
            "iri": str(ont),
            "descriptions": descriptions,
            "comments": self._texts(ont, RDFS.comment),
            "rows": rows,
        }

    def _used_namespaces(self) -> list[tuple[str, str]]:
        """The bound prefixes the graph actually uses (rdflib binds dozens by default), plus
        the ontology's own namespace, sorted by prefix."""
        used: set[str] = set()
        for triple in self.g:
            for node in triple:
                iri = node.datatype if isinstance(node, Literal) else node
                if not isinstance(iri, URIRef):
                    continue
                text = str(iri)
                for prefix, uri in self.prefixes:  # longest namespace first
                    if uri and text.startswith(uri):
                        used.add(uri)
                        break
        return sorted(((p, u) for p, u in self.prefixes if u in used or u == self.ns),
                      key=lambda pu: (pu[0], pu[1]))

    def build(self) -> dict:
        sections = self._sections()
        namespaces = self._used_namespaces()
        return {
            "meta": self._meta(),
            "namespace": self.ns,
            "namespaces": namespaces,
            "sections": sections,
            "alignments": self._alignments(),
            "kinds": [(badge, label) for kind, (_, badge, label) in _KINDS.items()
                      if any(s.id == _SECTION_IDS[kind] and s.terms for s in sections)],
            "generator": f"policykg {__version__}",
            "counts": {s.id: len(s.terms) for s in sections},
        }

