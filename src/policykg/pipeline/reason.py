"""The reasoning stage: what the ontology and the graph built on it entail, under OWL 2 RL.

Pipeline position::

    ... -> curate -> store -> **reason** -> gate + quality -> review -> publish

Door: :func:`load_ontology` and :func:`infer`. (Whether an ontology document is OWL 2 DL,
consistent and satisfiable, by the OWL API and HermiT in Java, is :mod:`policykg.tools.owlcheck`'s
question, which ``policykg check`` asks; a build needs no Java.)

OWL 2 RL inference (:func:`infer`)
    Computes what the ontology and the data entail under the OWL 2 RL/RDF rules and writes it
    into the ``inferences`` graph of the working store (:data:`policykg.graphs.GRAPHS`), so that
    a query in ELI, ORG, SKOS, DCMI or schema.org terms finds policykg data. The rules are
    data: one SPARQL CONSTRUCT query per rule in ``ontology/rl/``, named by the rule's id in
    the OWL 2 RL specification (``cax-sco.rq``, ``prp-spo1.rq``, ...). pyoxigraph evaluates
    them over the union of the ``ontology``, ``data`` and ``inferences`` graphs, round after
    round, until a round derives nothing new.

    Promises: the ``inferences`` graph holds only entailed triples that are asserted in
    neither ``ontology`` nor ``data``; it never types anything with a blank-node class (the
    ontology's ``owl:unionOf`` domains, ``pol:PilotArea``'s defining intersection), never
    mentions a blank node of the ontology's axioms, and holds none of the noise every term
    entails (``rdf:type``, ``rdfs:subClassOf``, ``rdfs:domain`` or ``rdfs:range`` of
    ``owl:Thing`` / ``rdfs:Resource``, ``owl:Nothing`` under every class, reflexive
    ``rdfs:subClassOf``, ``rdfs:subPropertyOf``, ``owl:equivalentClass``,
    ``owl:equivalentProperty``, ``owl:sameAs``).
    Those triples are still derived (``pol:PilotArea`` is recognised through its defining
    intersection), but they are kept in a scratch graph that is removed when the run ends.
    The result depends only on the input graphs: a second run writes the same graph.
    :func:`load_ontology` puts ``ontology/policykg.ttl`` into the ``ontology`` graph;
    :func:`rl_rules` reads (and checks) the rule files.

    Evaluation is **semi-naive** (``infer(store, strategy="semi-naive")``, the default). The
    first round evaluates every rule in full, the schema rules (``scm-*``) over and over until
    they derive nothing, so that the others start from a closed schema. After it, a rule only
    looks for the derivations that use a triple derived since its previous evaluation began
    (the *delta*): for each triple pattern of its body, one variant of its query restricts that
    pattern to ``GRAPH ?policykg_delta { s p o }`` and leaves the others on the union, and the
    query is given the delta's graphs as its named graphs: when the delta is most of what has
    been derived, the ``inferences`` and scratch graphs, which hold all of it; otherwise a
    scratch graph that holds exactly the delta, moved forward rule by rule (in the rules'
    order, each rule's delta begins after the previous one's). A variant runs only when
    a triple with its pattern's predicate was derived since the rule's previous evaluation.
    The variants are written from the rule's text by a small reader of SPARQL group graph
    patterns (:class:`_RuleBody`; ``;`` and ``,`` lists are written out, and a pattern in a
    UNION branch gets a variant of that branch alone). Some patterns stay on the union: the
    property paths (``rdf:rest*/rdf:first`` over the ontology's lists) and whatever is under
    OPTIONAL, MINUS, FILTER or (NOT) EXISTS, where more triples can mean fewer answers; a new
    triple with one of their predicates makes the rule run in full that round (``cls-int1``,
    whose NOT EXISTS reads ``rdf:type``, runs in full every round; the lists never change). A
    rule the reader does not follow (a sub-query, GRAPH, SERVICE, a blank-node label or
    property list in the body, a solution modifier) runs in full every round: slower, never
    wrong.

    Semi-naive gives what naive gives, evaluation by evaluation, so the same graph, rounds and
    counts: a variant's answers are answers of the rule (a pattern outside OPTIONAL, MINUS and
    FILTER that may match fewer triples gives fewer answers), and an answer the rule did not
    give at its previous evaluation needs a triple derived since then, matched by a pattern
    that has a variant (which finds it) or by one that stays on the union (then the rule runs
    in full). ``strategy="naive"`` evaluates every rule in full every round; the tests compare
    the two.

    Not covered, on purpose: the equality rules (``eq-*``, and ``prp-fp``, ``prp-ifp``,
    ``prp-key``, ``cls-maxc2``, ``cls-maxqc3/4`` that derive ``owl:sameAs``; the gate reports a
    second value of a functional property as a violation instead of merging two entities),
    the rules that only detect inconsistency (``cax-dw``, ``prp-irp``, ``cls-nothing2``, ...;
    :func:`policykg.tools.owlcheck.check_owl` and the SHACL gate do that), property chains
    (``prp-spo2``), the datatype rules (``dt-*``) and the trivial schema rules (``scm-cls``,
    ``scm-op``, ``scm-dp``) whose conclusions are the noise listed above.
"""
from __future__ import annotations

import functools
import itertools
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from policykg.errors import EnvironmentProblem, InputError, PolicykgError
from policykg.names import GRAPH
from policykg.resources import data_root, ontology_path

if TYPE_CHECKING:
    import pyoxigraph

__all__ = ["STRATEGIES", "InferenceResult", "Rule", "infer", "load_ontology", "rl_rules"]


# --------------------------------------------------------------------------------------------
# OWL 2 RL inference: the rules of ontology/rl/, evaluated by pyoxigraph up to a fixpoint
# --------------------------------------------------------------------------------------------

_RL_SPEC = ("https://www.w3.org/TR/owl2-profiles/"
            "#Reasoning_in_OWL_2_RL_and_RDF_Graphs_using_Rules")

#: Derivations that are entailed but must not be published (types with a blank-node class,
#: triples about the ontology's own blank nodes, owl:Thing noise) live here during a run, so
#: that later rules can build on them; the graph is removed when the run ends.
_SCRATCH_GRAPH = GRAPH + "reasoning-scratch"

# Schema rules first, so that each round applies the instance rules to a schema closed as far
# as it gets (the first round closes it). The order changes how many rounds a run takes, never
# what it derives.
_RULE_GROUPS = ("scm", "prp", "cls", "cax")

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_OWL = "http://www.w3.org/2002/07/owl#"
# Conclusions every individual or class gets: true, and useless in a published graph.
_NOISE_CLASSES = frozenset({_OWL + "Thing", _RDFS + "Resource"})
_NOISE_PREDICATES = frozenset({_RDF_TYPE, _RDFS + "subClassOf", _RDFS + "domain",
                               _RDFS + "range"})
_REFLEXIVE_NOISE = frozenset({_RDFS + "subClassOf", _RDFS + "subPropertyOf",
                              _OWL + "equivalentClass", _OWL + "equivalentProperty",
                              _OWL + "sameAs"})


@dataclass(frozen=True)
class Rule:
    """One OWL 2 RL rule: its id in the specification (``cax-sco``), its file and its query."""

    id: str
    path: Path
    query: str


@dataclass(frozen=True)
class InferenceResult:
    """What one :func:`infer` run wrote into the ``inferences`` graph.

    ``added`` counts the triples written; ``rounds`` the passes over the rules, the last of
    which derived nothing new; ``per_rule`` maps every rule id to the number of written triples
    it was the first to derive (they sum to ``added``); ``seconds`` is the wall-clock time.
    Per round: ``round_derived``, the triples first derived in it (written or kept in the
    scratch graph; the last is 0), and ``round_seconds``. ``strategy`` is how the rules were
    evaluated (see :data:`STRATEGIES`); both strategies give the same numbers but the times.
    """

    added: int
    rounds: int
    per_rule: dict[str, int]
    seconds: float
    round_derived: tuple[int, ...] = ()
    round_seconds: tuple[float, ...] = ()
    strategy: str = "semi-naive"


def rl_rules(folder: Path | None = None) -> tuple[Rule, ...]:
    """The OWL 2 RL rules of ``folder`` (default ``ontology/rl/``), in evaluation order.

    Each ``*.rq`` file is one SPARQL CONSTRUCT query, named by the rule's id in the OWL 2 RL
    specification. Schema rules (``scm-*``) come first, then ``prp-*``, ``cls-*``, ``cax-*``.

    Raises:
        InputError: a rule file is not a SPARQL CONSTRUCT query (with its file and line).
        EnvironmentProblem: the folder is missing or holds no rule.
    """
    import pyoxigraph as ox

    folder = folder if folder is not None else data_root() / "ontology" / "rl"
    paths = sorted(folder.glob("*.rq")) if folder.is_dir() else []
    if not paths:
        raise EnvironmentProblem(f"no OWL 2 RL rules (*.rq) in {folder}",
                                 hint="reinstall policykg; the rules ship in ontology/rl/")

    def order(path: Path) -> tuple[int, str]:
        group = path.stem.split("-", 1)[0]
        rank = _RULE_GROUPS.index(group) if group in _RULE_GROUPS else len(_RULE_GROUPS)
        return rank, path.stem

    empty = ox.Store()
    rules = []
    for path in sorted(paths, key=order):
        query = path.read_text(encoding="utf-8")
        try:
            result = empty.query(query)
        except SyntaxError as exc:
            line = getattr(exc, "lineno", None)
            raise InputError(f"the OWL 2 RL rule is not valid SPARQL: {exc}", path=path,
                             line=line) from None
        if not isinstance(result, ox.QueryTriples):
            raise InputError("an OWL 2 RL rule must be a SPARQL CONSTRUCT query", path=path,
                             hint=f"see the rules of {_RL_SPEC}")
        rules.append(Rule(id=path.stem, path=path, query=query))
    return tuple(rules)


# ---- semi-naive evaluation: the delta variants of a rule ---------------------------------

#: In a semi-naive run, the triples derived since the evaluation of a rule began (its delta),
#: when they are not most of what has been derived (then the delta is the whole ``inferences``
#: and scratch graphs). Removed when the run ends.
_DELTA_GRAPH = GRAPH + "reasoning-delta"

#: The graph variable of a rewritten body pattern, ``GRAPH ?policykg_delta { s p o }``; each
#: query names the graphs it ranges over (``named_graphs``): the delta's.
_DELTA_VARIABLE = "policykg_delta"

#: How :func:`infer` evaluates the rules: ``"semi-naive"`` (the default) or ``"naive"``.
STRATEGIES = ("semi-naive", "naive")

# SPARQL 1.1's terminals, as far as reading a rule body needs (grammar section 19.8); the
# character ranges are simplified to "any non-ASCII letter" where the grammar lists blocks.
_PN_BASE = "A-Za-z\u00C0-\uFFFF"
_PN = _PN_BASE + "0-9_\\-\u00B7"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PNAME = (rf"(?:[{_PN_BASE}](?:[{_PN}.]*[{_PN}])?)?:"
          rf"(?:(?:[{_PN}:]|{_PLX})(?:(?:[{_PN}.:]|{_PLX})*(?:[{_PN}:]|{_PLX}))?)?")
_TOKEN = re.compile("|".join(f"(?P<{kind}>{pattern})" for kind, pattern in (
    ("skip", r"\s+|#[^\n]*"),
    ("iri", r"<[^<>\"{}|^`\\\x00-\x20]*>"),
    ("string", (r"'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^\"\\]|\\.|\"(?!\"\"))*\"\"\""
                r"|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"")),
    ("var", rf"[?$][{_PN_BASE}0-9_\u00B7]+"),
    ("bnode", rf"_:[{_PN}](?:[{_PN}.]*[{_PN}])?"),
    ("pname", _PNAME),
    ("lang", r"@[A-Za-z]+(?:-[A-Za-z0-9]+)*"),
    ("number", r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"),
    ("word", r"[A-Za-z_][A-Za-z0-9_]*"),
    ("punct", r"\^\^|&&|\|\||<=|>=|!=|<<|>>|[{}()\[\].;,*/|^+?!=<>-]"),
)))

_PATH_OPERATORS = frozenset("/|*+?")


class _NotRewritable(Exception):
    """A rule whose body the semi-naive rewriting does not understand: it runs in full."""


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    start: int
    end: int

    def word(self, *words: str) -> bool:
        return self.kind == "word" and self.text.upper() in words


@dataclass(frozen=True)
class _Pattern:
    """A triple pattern of a rule body that only ever matches more as the graph grows."""

    predicate: str | None  # its IRI; None for a variable (or unresolvable) predicate
    block: int             # the index of the subject block (``s p o ; p o , o``) it belongs to
    index: int             # its place in that block
    unions: tuple[tuple[int, int], ...]  # the UNIONs around it: (union, branch) pairs


@dataclass(frozen=True)
class _DeltaPlan:
    """How a rule runs after the first round of a semi-naive run.

    ``variants`` holds one query per body pattern that may be restricted to the delta, with
    the pattern's predicate (``None``: any). ``triggers`` are the predicates of the patterns
    that stay on the union (property paths, and whatever sits under OPTIONAL, MINUS, FILTER
    or (NOT) EXISTS): a new triple with one of them makes the rule run in full that round,
    as does any new triple when ``any_trigger``. ``full`` says why a rule always runs in full
    (its body has a construct the rewriting does not handle), or is None.
    """

    variants: tuple[tuple[str | None, str], ...] = ()
    triggers: frozenset[str] = frozenset()
    any_trigger: bool = False
    full: str | None = None

    def runs_in_full(self, new_predicates: set[str]) -> bool:
        if self.full is not None:
            return True
        if self.any_trigger:
            return bool(new_predicates)
        return not self.triggers.isdisjoint(new_predicates)

    def queries(self, new_predicates: set[str]) -> list[str]:
        """The variants whose delta pattern can match a new triple."""
        return [query for predicate, query in self.variants
                if new_predicates and (predicate is None or predicate in new_predicates)]


class _RuleBody:
    """Reads a rule's CONSTRUCT query far enough to find its body's triple patterns.

    A small recursive-descent reader of SPARQL 1.1's group graph patterns: triples (with ``;``
    and ``,``), property paths, ``{ }`` groups, UNION, OPTIONAL, MINUS, FILTER (with EXISTS and
    NOT EXISTS), BIND and VALUES. Everything else (sub-queries, GRAPH, SERVICE, blank-node
    labels or property lists in a pattern, collections, dataset clauses, solution modifiers)
    raises :class:`_NotRewritable`.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[_Token] = []
        position = 0
        while position < len(text):
            match = _TOKEN.match(text, position)
            if match is None:
                raise _NotRewritable(f"unexpected character {text[position]!r}")
            if match.lastgroup != "skip":
                self.tokens.append(_Token(match.lastgroup or "", match.group(), match.start(),
                                          match.end()))
            position = match.end()
        self.i = 0
        self.prefixes: dict[str, str] = {}
        self.patterns: list[_Pattern] = []
        self.blocks: list[tuple[int, int, list[str]]] = []  # start, end, ``s p o`` texts
        self.unions: list[list[tuple[int, int]]] = []  # each UNION's branches: (start, end)
        self._branch: list[tuple[int, int]] = []  # the UNION branches being read
        self.triggers: set[str] = set()
        self.any_trigger = False
        self._read_query()

    # -- tokens
    def _peek(self, ahead: int = 0) -> _Token | None:
        at = self.i + ahead
        return self.tokens[at] if at < len(self.tokens) else None

    def _next(self) -> _Token:
        token = self._peek()
        if token is None:
            raise _NotRewritable("the query ends too early")
        self.i += 1
        return token

    def _expect(self, text: str) -> _Token:
        token = self._next()
        if token.text != text:
            raise _NotRewritable(f"expected {text!r}, found {token.text!r}")
        return token

    def _at(self, text: str) -> bool:
        token = self._peek()
        return token is not None and token.kind == "punct" and token.text == text

    # -- the query
    def _read_query(self) -> None:
        while (token := self._peek()) is not None and token.word("PREFIX", "BASE"):
            self._next()
            if token.word("BASE"):
                raise _NotRewritable("BASE")
            name, iri = self._next(), self._next()
            if name.kind != "pname" or not name.text.endswith(":") or iri.kind != "iri":
                raise _NotRewritable("a PREFIX declaration it cannot read")
            self.prefixes[name.text[:-1]] = iri.text[1:-1]
        if not self._next().word("CONSTRUCT"):
            raise _NotRewritable("not a CONSTRUCT query")
        if not self._at("{"):
            raise _NotRewritable("the short form CONSTRUCT WHERE")
        self._skip_balanced("{", "}")
        if (token := self._peek()) is not None and token.word("WHERE"):
            self._next()
        self._group(positive=True)
        if self._peek() is not None:
            raise _NotRewritable(f"{self._peek().text!r} after the WHERE clause")

    def _skip_balanced(self, open_: str, close: str) -> None:
        self._expect(open_)
        depth = 1
        while depth:
            token = self._next()
            if token.kind == "punct" and token.text == open_:
                depth += 1
            elif token.kind == "punct" and token.text == close:
                depth -= 1

    def _group(self, positive: bool) -> tuple[int, int]:
        """``{ ... }``: its patterns are delta candidates when ``positive``, else triggers.
        Returns the group's span in the query text."""
        start = self._expect("{").start
        while not self._at("}"):
            token = self._peek()
            if token is None:
                raise _NotRewritable("an unclosed group")
            if token.kind == "punct" and token.text == ".":
                self._next()
            elif token.kind == "punct" and token.text == "{":
                union: list[tuple[int, int]] = []
                self.unions.append(union)
                while True:
                    self._branch.append((len(self.unions) - 1, len(union)))
                    union.append(self._group(positive))
                    self._branch.pop()
                    if (token := self._peek()) is None or not token.word("UNION"):
                        break
                    self._next()
            elif token.word("OPTIONAL", "MINUS"):
                self._next()
                self._group(positive=False)
            elif token.word("FILTER"):
                self._next()
                self._constraint()
            elif token.word("BIND"):
                self._next()
                self._expression()
            elif token.word("VALUES"):
                self._next()
                if self._at("("):
                    self._skip_balanced("(", ")")
                else:
                    self._next()
                self._skip_balanced("{", "}")
            elif token.word("SELECT", "GRAPH", "SERVICE"):
                raise _NotRewritable(token.text.upper())
            else:
                self._triples(positive)
        return start, self._expect("}").end

    def _constraint(self) -> None:
        """A FILTER's constraint: an expression; its EXISTS patterns are triggers."""
        token = self._peek()
        if token is not None and token.word("NOT", "EXISTS"):
            self._exists()
            return
        if token is not None and token.kind in ("word", "pname", "iri"):
            self._next()  # a built-in or function name: its argument list follows
        self._expression()

    def _exists(self) -> None:
        if self._next().word("NOT") and not self._next().word("EXISTS"):
            raise _NotRewritable("NOT without EXISTS")
        self._group(positive=False)

    def _expression(self) -> None:
        """A parenthesised expression, read only for the EXISTS groups it may hold."""
        self._expect("(")
        depth = 1
        while depth:
            token = self._peek()
            if token is None:
                raise _NotRewritable("an unclosed expression")
            if token.word("EXISTS") or (token.word("NOT") and (after := self._peek(1)) is not None
                                        and after.word("EXISTS")):
                self._exists()
                continue
            self._next()
            if token.kind == "punct" and token.text in "{}":
                raise _NotRewritable("a brace in an expression")
            if token.kind == "punct" and token.text == "(":
                depth += 1
            elif token.kind == "punct" and token.text == ")":
                depth -= 1

    # -- triples
    def _triples(self, positive: bool) -> None:
        """``s p o`` with ``;`` and ``,``: one subject block, recorded with its text span."""
        subject = self._term()
        start, end = subject.start, subject.end
        texts: list[str] = []
        block = len(self.blocks)
        while True:
            verb_start = self._peek().start if self._peek() is not None else len(self.text)
            predicate, is_simple = self._verb()
            verb = self.text[verb_start:self.tokens[self.i - 1].end]
            while True:
                term = self._term()
                end = term.end
                texts.append(f"{subject.text} {verb} {self.text[term.start:term.end]}")
                if positive and is_simple:
                    self.patterns.append(_Pattern(predicate, block, len(texts) - 1,
                                                  tuple(self._branch)))
                elif is_simple and predicate is not None:
                    self.triggers.add(predicate)
                elif is_simple:
                    self.any_trigger = True
                if not self._at(","):
                    break
                self._next()
            if not self._at(";"):
                break
            while self._at(";"):
                self._next()
            token = self._peek()
            if token is None or (token.kind == "punct" and token.text in ".}") or token.word(
                    "OPTIONAL", "MINUS", "FILTER", "BIND", "VALUES", "GRAPH", "SERVICE"):
                break
        if subject.kind == "anon" and len(texts) > 1:
            raise _NotRewritable("a [] subject with several predicates")
        self.blocks.append((start, end, texts))

    def _term(self) -> _Token:
        """A subject or object: a variable, an IRI, a literal, ``[]``: as one token-like span."""
        token = self._next()
        if token.kind in ("var", "iri", "pname", "number") or token.word("TRUE", "FALSE"):
            return token
        if token.kind == "string":
            end = token.end
            if (after := self._peek()) is not None and after.kind == "lang":
                end = self._next().end
            elif after is not None and after.text == "^^":
                self._next()
                datatype = self._next()
                if datatype.kind not in ("iri", "pname"):
                    raise _NotRewritable("a datatype it cannot read")
                end = datatype.end
            return _Token("literal", self.text[token.start:end], token.start, end)
        if token.text == "[" and self._at("]"):
            close = self._next()
            return _Token("anon", self.text[token.start:close.end], token.start, close.end)
        if token.kind == "bnode":
            raise _NotRewritable("a blank-node label in the body")
        raise _NotRewritable(f"the term {token.text!r}")

    def _iri(self, token: _Token) -> str | None:
        """The IRI of a predicate token (``a``, ``<...>``, ``prefix:local``); None if relative."""
        if token.word("A") and token.text == "a":
            return _RDF_TYPE
        if token.kind == "iri":
            iri = token.text[1:-1]
        elif token.kind == "pname":
            prefix, _, local = token.text.partition(":")
            if prefix not in self.prefixes:
                raise _NotRewritable(f"the undeclared prefix {prefix}:")
            iri = self.prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
        else:
            raise _NotRewritable(f"the predicate {token.text!r}")
        return iri if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", iri) else None

    def _verb(self) -> tuple[str | None, bool]:
        """The predicate: (its IRI or None, True) when simple; (None, False) for a path, whose
        IRIs become triggers (the path stays on the union)."""
        token = self._peek()
        after = self._peek(1)
        if token is None:
            raise _NotRewritable("a triple without predicate")
        if token.kind == "var":
            self._next()
            return None, True
        simple = token.kind in ("iri", "pname") or (token.kind == "word" and token.text == "a")
        if simple and not (after is not None and after.kind == "punct"
                           and after.text in _PATH_OPERATORS):
            self._next()
            return self._iri(token), True
        self._path_alternative()
        return None, False

    def _path_alternative(self) -> None:
        self._path_sequence()
        while self._at("|"):
            self._next()
            self._path_sequence()

    def _path_sequence(self) -> None:
        self._path_element()
        while self._at("/"):
            self._next()
            self._path_element()

    def _path_element(self) -> None:
        if self._at("^"):
            self._next()
        token = self._next()
        if token.kind == "punct" and token.text == "(":
            self._path_alternative()
            self._expect(")")
        elif token.kind == "punct" and token.text == "!":
            self.any_trigger = True  # a negated property set matches nearly any predicate
            if self._at("("):
                self._skip_balanced("(", ")")
            else:
                self._next()
        else:
            iri = self._iri(token)
            if iri is None:
                self.any_trigger = True
            else:
                self.triggers.add(iri)
        if (token := self._peek()) is not None and token.kind == "punct" and token.text in "*+?":
            self._next()

    def variant(self, pattern: int) -> str:
        """The query with ``patterns[pattern]`` restricted to ``GRAPH ?policykg_delta``: its
        subject block written out as one triple pattern per ``s p o``, and each UNION around
        it cut down to the branch that holds it (the other branches have variants of their
        own)."""
        chosen = self.patterns[pattern]
        start, end, texts = self.blocks[chosen.block]
        written = " .\n  ".join(f"GRAPH ?{_DELTA_VARIABLE} {{ {text} }}" if i == chosen.index
                                else text for i, text in enumerate(texts))
        edits = [(start, end, written)]
        for union, branch in chosen.unions:
            branches = self.unions[union]
            if len(branches) > 1:
                edits.append((branches[0][0], branches[branch][0], ""))
                edits.append((branches[branch][1], branches[-1][1], ""))
        text = self.text
        for edit_start, edit_end, replacement in sorted(edits, reverse=True):
            text = text[:edit_start] + replacement + text[edit_end:]
        return text


@functools.lru_cache(maxsize=256)
def _delta_plan(query: str) -> _DeltaPlan:
    """How the rule ``query`` runs after the first round of a semi-naive run."""
    import pyoxigraph as ox

    try:
        if re.search(rf"[?$]{_DELTA_VARIABLE}\b", query):
            raise _NotRewritable(f"the variable ?{_DELTA_VARIABLE}")
        body = _RuleBody(query)
        variants = tuple((p.predicate, body.variant(i)) for i, p in enumerate(body.patterns))
        empty = ox.Store()
        for _, variant in variants:
            try:
                empty.query(variant)
            except SyntaxError as exc:
                raise _NotRewritable(f"a rewritten query does not parse ({exc})") from None
    except _NotRewritable as exc:
        return _DeltaPlan(full=str(exc))
    return _DeltaPlan(variants, frozenset(body.triggers), body.any_trigger)


def load_ontology(store: pyoxigraph.Store) -> int:
    """Replace the ``ontology`` graph of ``store`` by ``ontology/policykg.ttl``.

    Replacing, not adding: loading the file twice would give its blank nodes (the union
    domains, the restriction of ``pol:PilotArea``) twice. Returns the number of triples.

    Raises:
        InputError: the ontology file is missing or is not valid Turtle.
    """
    import pyoxigraph as ox

    from policykg.graphs import GRAPHS

    path = ontology_path()
    graph = GRAPHS["ontology"]
    if not path.is_file():
        raise InputError("the ontology file is missing", path=path)
    try:
        triples = list(ox.parse(path=path, format=ox.RdfFormat.TURTLE))
    except SyntaxError as exc:
        raise InputError(f"Turtle syntax error: {exc}", path=path,
                         line=getattr(exc, "lineno", None)) from None
    store.clear_graph(graph)
    store.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
    return len(triples)


def _gc_paused(function):
    """``function`` run with the cyclic garbage collector off (:func:`policykg.rdfio.gc_paused`:
    the set of every conclusion, a pyoxigraph triple each, lives until the run ends)."""

    @functools.wraps(function)
    def run(*args, **kwargs):
        from policykg.rdfio import gc_paused

        with gc_paused():
            return function(*args, **kwargs)

    return run


@_gc_paused
def infer(store: pyoxigraph.Store, *, max_rounds: int = 20,
          strategy: str = "semi-naive") -> InferenceResult:
    """Write what the OWL 2 RL rules entail from ``ontology`` + ``data`` into ``inferences``.

    The ``inferences`` graph is cleared first, then every rule of :func:`rl_rules` runs over
    the union of the ``ontology``, ``data`` and ``inferences`` graphs (and a scratch graph of
    unpublishable steps), in rounds, until a round derives nothing new. Only triples asserted
    in none of those graphs are written. See the module docstring for what is never written.

    ``strategy``: ``"semi-naive"`` (the default: after the first round, a rule only looks for
    the derivations that use a triple derived since its previous evaluation began) or
    ``"naive"`` (every round evaluates every rule in full). Both write the same graph and
    report the same rounds and counts; see the module docstring.

    Raises:
        InputError: ``max_rounds`` is not positive, ``strategy`` is unknown, or a rule file is
            broken.
        PolicykgError: no fixpoint within ``max_rounds`` rounds (the ``inferences`` graph is
            left empty).
    """
    import pyoxigraph as ox

    from policykg.graphs import GRAPHS

    if max_rounds < 1:
        raise InputError(f"max_rounds must be at least 1, not {max_rounds}")
    if strategy not in STRATEGIES:
        raise InputError(f"unknown inference strategy {strategy!r}",
                         hint="one of " + ", ".join(STRATEGIES))
    start = time.perf_counter()
    rules = rl_rules()
    plans = ({rule.id: _delta_plan(rule.query) for rule in rules}
             if strategy == "semi-naive" else {})
    ontology, data, inferences = GRAPHS["ontology"], GRAPHS["data"], GRAPHS["inferences"]
    scratch = ox.NamedNode(_SCRATCH_GRAPH)
    delta = ox.NamedNode(_DELTA_GRAPH)
    union = [ontology, data, inferences, scratch]
    store.clear_graph(inferences)
    store.add_graph(inferences)
    store.clear_graph(scratch)
    store.clear_graph(delta)
    ontology_blanks = {term for quad in store.quads_for_pattern(None, None, None, ontology)
                       for term in (quad.subject, quad.object)
                       if isinstance(term, ox.BlankNode)}

    def asserted(triple: pyoxigraph.Triple) -> bool:
        # inferences and scratch start empty: what they hold is in ``seen``
        s, p, o = triple.subject, triple.predicate, triple.object
        return ox.Quad(s, p, o, data) in store or ox.Quad(s, p, o, ontology) in store

    def private(triple: pyoxigraph.Triple) -> bool:
        """True for a triple that is entailed but must not reach the inferences graph."""
        s, p, o = triple.subject, triple.predicate.value, triple.object
        if s in ontology_blanks or o in ontology_blanks:
            return True
        if p == _RDF_TYPE and isinstance(o, ox.BlankNode):
            return True
        if p in _NOISE_PREDICATES and isinstance(o, ox.NamedNode) and o.value in _NOISE_CLASSES:
            return True
        if isinstance(s, ox.NamedNode) and s.value == _OWL + "Nothing":
            return True
        return p in _REFLEXIVE_NOISE and s == o

    seen: set[pyoxigraph.Triple] = set()
    per_rule = dict.fromkeys((rule.id for rule in rules), 0)
    added = 0
    # For each rule, the predicates of the triples derived since its last evaluation began:
    # those of the delta it has not seen yet.
    unseen: dict[str, set[str]] = {rule.id: set() for rule in rules}

    # Every conclusion written, in order; for each rule, the length of ``log`` when its last
    # evaluation began: its delta is ``log[began[rule]:]``.
    log: list[pyoxigraph.Triple] = []
    began: dict[str, int] = {}
    low: int | None = None  # when set, the delta graph holds exactly log[low:]

    def delta_graphs(since: int) -> list[pyoxigraph.NamedNode]:
        """Named graphs that hold every conclusion since ``log[since]`` (and perhaps some
        before it: a larger delta gives the same answers, with more work).

        Most of the log (a rule evaluated early in the previous round): the ``inferences`` and
        scratch graphs, which hold all of it. Otherwise the delta graph, moved to
        ``log[since:]``: in a round the rules come in the order of the previous one, so the
        window only moves forward (the older part leaves it) until the next round begins.
        Without it, every rule of the second round looked for derivations through everything
        the first had derived, a third of the reasoning on a large graph (issue 18).
        """
        nonlocal low
        if 2 * since <= len(log):
            return [inferences, scratch]
        if low is not None and low <= since and since - low <= len(log) - since:
            for t in log[low:since]:
                store.remove(ox.Quad(t.subject, t.predicate, t.object, delta))
        elif low is not None and since < low:
            store.extend(ox.Quad(t.subject, t.predicate, t.object, delta) for t in log[since:low])
        else:
            store.clear_graph(delta)
            store.extend(ox.Quad(t.subject, t.predicate, t.object, delta) for t in log[since:])
        low = since
        return [delta]

    def answers(rule: Rule, rounds: int) -> Iterable[pyoxigraph.Triple]:
        """The rule's conclusions: all of them, or those of a derivation using the delta (what
        was derived since its previous evaluation began)."""
        new_predicates, unseen[rule.id] = unseen[rule.id], set()
        since, began[rule.id] = began.get(rule.id, 0), len(log)
        plan = plans.get(rule.id)
        if plan is None or rounds == 1 or plan.runs_in_full(new_predicates):
            return store.query(rule.query, default_graph=union)
        queries = plan.queries(new_predicates)
        if not queries:
            return ()
        graphs = delta_graphs(since)
        return itertools.chain.from_iterable(
            store.query(query, default_graph=union, named_graphs=graphs) for query in queries)

    def apply(rule: Rule, rounds: int) -> list[pyoxigraph.Triple]:
        """Evaluate ``rule``, write what it derives first, and return that."""
        nonlocal added
        # Gather the whole answer before writing: the query reads the graphs we extend.
        # ``seen``: every conclusion met so far (derived, or found asserted); a naive round
        # re-derives them all, and a set lookup is much cheaper than asking the store.
        fresh = []
        for t in answers(rule, rounds):
            if t not in seen:
                seen.add(t)
                if not asserted(t):
                    fresh.append(t)
        if not fresh:
            return fresh
        quads = []
        for t in fresh:
            hidden = private(t)
            quads.append(ox.Quad(t.subject, t.predicate, t.object,
                                 scratch if hidden else inferences))
            if not hidden:
                per_rule[rule.id] += 1
                added += 1
        if low is not None:  # the delta graph holds log[low:]: and so what is added to it
            quads += [ox.Quad(t.subject, t.predicate, t.object, delta) for t in fresh]
        store.extend(quads)
        log.extend(fresh)
        predicates = {t.predicate.value for t in fresh}
        for pending in unseen.values():
            pending |= predicates
        return fresh

    schema = [rule for rule in rules if rule.id.startswith("scm-")]
    others = [rule for rule in rules if not rule.id.startswith("scm-")]
    round_derived: list[int] = []
    round_seconds: list[float] = []
    completed = False
    try:
        for rounds in range(1, max_rounds + 1):
            round_start = time.perf_counter()
            derived: list[pyoxigraph.Triple] = []
            if rounds == 1:
                # The first round closes the schema before the other rules use it: then no
                # later round has to apply the schema rules' conclusions to the whole data.
                for _ in range(max_rounds):
                    if not (fresh := [t for rule in schema for t in apply(rule, rounds)]):
                        break
                    derived += fresh
                else:
                    break  # the schema rules alone reach no fixpoint
                for rule in others:
                    derived += apply(rule, rounds)
            else:
                for rule in rules:
                    derived += apply(rule, rounds)
            round_derived.append(len(derived))
            round_seconds.append(time.perf_counter() - round_start)
            if not derived:
                completed = True
                break
    finally:
        store.remove_graph(scratch)
        store.remove_graph(delta)
        if not completed:
            store.clear_graph(inferences)
    if not completed:
        raise PolicykgError(f"OWL 2 RL inference reached no fixpoint in {max_rounds} rounds",
                            hint="pass a larger max_rounds; a rule whose CONSTRUCT template "
                                 "has a blank node mints new ones every round and never stops")
    return InferenceResult(added=added, rounds=rounds, per_rule=per_rule,
                           seconds=time.perf_counter() - start,
                           round_derived=tuple(round_derived),
                           round_seconds=tuple(round_seconds), strategy=strategy)
