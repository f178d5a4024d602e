"""The reasoning stage: what OWL says about the ontology and the graph built on it.

Pipeline position::

    ... -> mapping -> **reason** -> gate -> publish

OWL check (:func:`check_owl`)
    Asks the two tools an ontology engineer would ask, on one ontology document:

    * the **OWL API**'s OWL 2 DL profile check (the library Protégé is built on): is the
      document OWL 2 DL, or does it slip into OWL 2 Full (illegal punning, undeclared
      entities, reserved vocabulary, non-simple properties in cardinalities, ...)?
    * the **HermiT** reasoner: is the ontology consistent, and which named classes can have no
      member at all (unsatisfiable)?

    Both live in ``HermiT.jar``, which ships inside the ``owlready2`` package (HermiT 1.3.8
    bundled with the OWL API 3.4). The small Java program ``tools/owlcheck/OwlCheck.java`` is
    run in source-launcher mode (``java -cp HermiT.jar OwlCheck.java FILE``, one JVM per
    check, about a second) and prints one JSON object, which becomes an
    :class:`OwlCheckResult`. A Java runtime (11 or newer) is the only extra requirement.
    Imports are never fetched from the network; those that are not local files are listed in
    :attr:`OwlCheckResult.unresolved_imports`.

    A failed check is a *result* (``result.ok`` is false), never an exception. Exceptions are
    for inputs that cannot be used (:class:`~policykg.errors.InputError`: missing or
    unparsable file) and for a machine that lacks Java or the jar, or a check that times out
    (:class:`~policykg.errors.EnvironmentProblem`).

    Note: HermiT supports only the OWL 2 datatype map. ``xsd:date``, ``xsd:gYear`` and other
    XSD types outside it pass the OWL API profile check, but HermiT refuses the ontology; that
    is reported as :attr:`OwlCheckResult.reasoner_error` (with ``consistent`` unknown).

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

    Not covered, on purpose: the equality rules (``eq-*``, and ``prp-fp``, ``prp-ifp``,
    ``prp-key``, ``cls-maxc2``, ``cls-maxqc3/4`` that derive ``owl:sameAs``; the gate reports a
    second value of a functional property as a violation instead of merging two entities),
    the rules that only detect inconsistency (``cax-dw``, ``prp-irp``, ``cls-nothing2``, ...;
    :func:`check_owl` and the SHACL gate do that), property chains (``prp-spo2``), the
    datatype rules (``dt-*``) and the trivial schema rules (``scm-cls``, ``scm-op``,
    ``scm-dp``) whose conclusions are the noise listed above.
"""
from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from policykg.errors import EnvironmentProblem, InputError, PolicykgError
from policykg.resources import data_root, ontology_path, tools_path

if TYPE_CHECKING:
    import pyoxigraph

__all__ = ["InferenceResult", "OwlCheckResult", "ProfileViolation", "Rule", "check_owl", "infer",
           "load_ontology", "rl_rules"]


# --------------------------------------------------------------------------------------------
# OWL check: OWL API (OWL 2 DL profile) + HermiT (consistency, unsatisfiable classes)
# --------------------------------------------------------------------------------------------

_JDK_HINT = "install a JDK (11 or newer): apt-get install default-jdk-headless"
_JAR_HINT = "reinstall owlready2 (pip install --force-reinstall owlready2); it ships HermiT.jar"
_SUMMARY_MAX_ITEMS = 20


@dataclass(frozen=True)
class ProfileViolation:
    """One OWL 2 DL profile violation reported by the OWL API.

    ``kind`` is the OWL API's violation class name (e.g. ``"IllegalPunning"``,
    ``"UseOfUndeclaredClass"``); ``message`` is its own description, naming the axiom.
    """

    kind: str
    message: str


@dataclass(frozen=True)
class OwlCheckResult:
    """What the OWL API and HermiT said about one ontology document.

    ``consistent`` is ``None`` when HermiT could not decide (see ``reasoner_error``);
    ``unsatisfiable`` holds the IRIs of unsatisfiable named classes (only computed for a
    consistent ontology); ``unresolved_imports`` the IRIs of ``owl:imports`` that were not
    available locally (and so were not checked).
    """

    path: str
    axioms: int
    logical_axioms: int
    profile_violations: tuple[ProfileViolation, ...]
    consistent: bool | None
    unsatisfiable: tuple[str, ...]
    unresolved_imports: tuple[str, ...]
    reasoner_error: str | None

    @property
    def ok(self) -> bool:
        """True when the document is OWL 2 DL, consistent, and every named class satisfiable."""
        return (not self.profile_violations and self.consistent is True
                and not self.unsatisfiable and self.reasoner_error is None)

    def summary(self) -> str:
        """A short, multi-line human-readable report."""
        lines = [f"OWL check of {self.path}: {'OK' if self.ok else 'FAILED'}",
                 f"  {self.axioms} axioms ({self.logical_axioms} logical)"]
        if self.profile_violations:
            lines.append(f"  OWL 2 DL profile (OWL API): {len(self.profile_violations)} "
                         "violation(s)")
            lines += _bullets(f"{v.kind}: {v.message}" for v in self.profile_violations)
        else:
            lines.append("  OWL 2 DL profile (OWL API): no violations")
        if self.reasoner_error is not None:
            lines.append(f"  HermiT could not reason: {self.reasoner_error}")
        elif self.consistent is False:
            lines.append("  HermiT: INCONSISTENT")
        elif self.unsatisfiable:
            lines.append(f"  HermiT: consistent, {len(self.unsatisfiable)} unsatisfiable "
                         "class(es)")
            lines += _bullets(self.unsatisfiable)
        else:
            lines.append("  HermiT: consistent, no unsatisfiable classes")
        if self.unresolved_imports:
            lines.append(f"  note: {len(self.unresolved_imports)} import(s) not available "
                         "locally, not checked")
            lines += _bullets(self.unresolved_imports)
        return "\n".join(lines)


def _bullets(items: Iterable[str]) -> list[str]:
    listed = list(items)
    out = [f"    - {item}" for item in listed[:_SUMMARY_MAX_ITEMS]]
    if len(listed) > _SUMMARY_MAX_ITEMS:
        out.append(f"    ... and {len(listed) - _SUMMARY_MAX_ITEMS} more")
    return out


def _java() -> str:
    """The ``java`` executable: from PATH, else from ``$JAVA_HOME/bin``."""
    found = shutil.which("java")
    if found:
        return found
    home = os.environ.get("JAVA_HOME")
    if home:
        candidate = Path(home) / "bin" / ("java.exe" if os.name == "nt" else "java")
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise EnvironmentProblem("no Java runtime found (the OWL check runs the OWL API and HermiT "
                             "in Java)", hint=_JDK_HINT)


def _hermit_jar() -> Path:
    """``HermiT.jar`` inside the installed owlready2 package (HermiT 1.3.8 + OWL API 3.4)."""
    spec = importlib.util.find_spec("owlready2")
    if spec is None or spec.origin is None:
        raise EnvironmentProblem("the owlready2 package is not installed; it provides "
                                 "HermiT.jar for the OWL check",
                                 hint="pip install owlready2")
    jar = Path(spec.origin).resolve().parent / "hermit" / "HermiT.jar"
    if not jar.is_file():
        raise EnvironmentProblem(f"owlready2 is installed but has no HermiT jar at {jar}",
                                 hint=_JAR_HINT)
    return jar


def _owlcheck_source() -> Path:
    source = tools_path() / "owlcheck" / "OwlCheck.java"
    if not source.is_file():
        raise EnvironmentProblem(f"the OWL checker program is missing: {source}",
                                 hint="reinstall policykg")
    return source


def _input_error(stderr: str, path: Path) -> InputError:
    """Turn OwlCheck's one-line complaint (``PATH: message``) into an :class:`InputError`."""
    message = stderr.strip().splitlines()[-1] if stderr.strip() else "cannot parse the ontology"
    prefix = f"{path}: "
    if message.startswith(prefix):
        message = message[len(prefix):]
    match = re.search(r"\bline (\d+)", message)
    line = int(match.group(1)) if match and int(match.group(1)) > 0 else None
    return InputError(message, path=path, line=line)


def check_owl(path: str | Path, *, timeout: float = 180.0) -> OwlCheckResult:
    """Run the OWL API's OWL 2 DL profile check and HermiT on the ontology document ``path``.

    ``path`` may be Turtle, RDF/XML or N-Triples. Takes one JVM start (about a second, plus
    the reasoning). A failed check is reported in the result (see :attr:`OwlCheckResult.ok`).

    Raises:
        InputError: ``path`` does not exist or cannot be parsed as an ontology.
        EnvironmentProblem: no Java runtime, no HermiT jar, a timeout, or garbled output.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("no such file", path=path)
    if not path.is_file():
        raise InputError("not a file", path=path)
    java = _java()
    jar = _hermit_jar()
    source = _owlcheck_source()
    # C1-only JIT: the JVM start and the in-memory compile of OwlCheck.java dominate a check of
    # an ontology this size; it saves about a third of a second per check.
    command = [java, "-XX:TieredStopAtLevel=1", "-Dfile.encoding=UTF-8",
               "-Djava.awt.headless=true", "-cp", str(jar), str(source), str(path)]
    try:
        proc = subprocess.run(command, capture_output=True, timeout=timeout,
                              stdin=subprocess.DEVNULL, check=False)
    except subprocess.TimeoutExpired:
        raise EnvironmentProblem(f"the OWL check (OWL API + HermiT) did not finish within "
                                 f"{timeout:g} s", path=path,
                                 hint="pass a larger timeout, or look for an ontology "
                                      "construct that makes HermiT explode") from None
    except OSError as exc:
        raise EnvironmentProblem(f"cannot run Java ({java}): {exc}", hint=_JDK_HINT) from None
    stdout = proc.stdout.decode("utf-8", errors="replace")
    stderr = proc.stderr.decode("utf-8", errors="replace")
    if proc.returncode == 2:
        raise _input_error(stderr, path)
    if proc.returncode != 0:
        tail = " | ".join(stderr.strip().splitlines()[-5:]) or "no message"
        raise EnvironmentProblem(f"the OWL checker failed (exit {proc.returncode}): {tail}",
                                 path=path,
                                 hint="source-launcher mode needs Java 11 or newer; "
                                      + _JDK_HINT)
    return _parse_result(stdout, path)


def _parse_result(stdout: str, path: Path) -> OwlCheckResult:
    try:
        data = json.loads(stdout)
        violations = tuple(ProfileViolation(kind=str(v["kind"]), message=str(v["message"]))
                           for v in data["profile_violations"])
        consistent = data["consistent"]
        if consistent is not None and not isinstance(consistent, bool):
            raise TypeError("consistent is not a boolean")
        error = data["reasoner_error"]
        return OwlCheckResult(
            path=str(path),
            axioms=int(data["axioms"]),
            logical_axioms=int(data["logical_axioms"]),
            profile_violations=violations,
            consistent=consistent,
            unsatisfiable=tuple(str(iri) for iri in data["unsatisfiable"]),
            unresolved_imports=tuple(str(iri) for iri in data["unresolved_imports"]),
            reasoner_error=None if error is None else str(error),
        )
    except (ValueError, KeyError, TypeError) as exc:
        snippet = stdout.strip()[:200] or "(nothing)"
        raise EnvironmentProblem(f"the OWL checker printed something that is not its JSON "
                                 f"report ({exc}): {snippet}", path=path,
                                 hint="run tools/owlcheck/OwlCheck.java by hand to see "
                                      "what happens") from None


# --------------------------------------------------------------------------------------------
# OWL 2 RL inference: the rules of ontology/rl/, evaluated by pyoxigraph up to a fixpoint
# --------------------------------------------------------------------------------------------

_RL_SPEC = ("https://www.w3.org/TR/owl2-profiles/"
            "#Reasoning_in_OWL_2_RL_and_RDF_Graphs_using_Rules")

#: Derivations that are entailed but must not be published (types with a blank-node class,
#: triples about the ontology's own blank nodes, owl:Thing noise) live here during a run, so
#: that later rules can build on them; the graph is removed when the run ends.
_SCRATCH_GRAPH = "https://w3id.org/policykg/graph/reasoning-scratch"

# Schema rules first, so that each round applies the instance rules to a schema closed as far
# as that round gets. The order changes how many rounds a run takes, never what it derives.
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
    """

    added: int
    rounds: int
    per_rule: dict[str, int]
    seconds: float


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


def infer(store: pyoxigraph.Store, *, max_rounds: int = 20) -> InferenceResult:
    """Write what the OWL 2 RL rules entail from ``ontology`` + ``data`` into ``inferences``.

    The ``inferences`` graph is cleared first, then every rule of :func:`rl_rules` runs over
    the union of the ``ontology``, ``data`` and ``inferences`` graphs (and a scratch graph of
    unpublishable steps), in rounds, until a round derives nothing new. Only triples asserted
    in none of those graphs are written. See the module docstring for what is never written.

    Raises:
        InputError: ``max_rounds`` is not positive, or a rule file is broken.
        PolicykgError: no fixpoint within ``max_rounds`` rounds (the ``inferences`` graph is
            left empty).
    """
    import pyoxigraph as ox

    from policykg.graphs import GRAPHS

    if max_rounds < 1:
        raise InputError(f"max_rounds must be at least 1, not {max_rounds}")
    start = time.perf_counter()
    rules = rl_rules()
    inferences = GRAPHS["inferences"]
    scratch = ox.NamedNode(_SCRATCH_GRAPH)
    union = [GRAPHS["ontology"], GRAPHS["data"], inferences, scratch]
    store.clear_graph(inferences)
    store.add_graph(inferences)
    store.clear_graph(scratch)
    ontology_blanks = {term for quad in store.quads_for_pattern(None, None, None,
                                                                GRAPHS["ontology"])
                       for term in (quad.subject, quad.object)
                       if isinstance(term, ox.BlankNode)}

    def known(triple: pyoxigraph.Triple) -> bool:
        s, p, o = triple.subject, triple.predicate, triple.object
        return any(ox.Quad(s, p, o, graph) in store for graph in union)

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
    completed = False
    try:
        for rounds in range(1, max_rounds + 1):
            derived = 0
            for rule in rules:
                # Gather the whole answer before writing: the query reads the graphs we extend.
                # ``seen``: what earlier rounds derived or found known; every round re-derives it,
                # and a set lookup is much cheaper than asking the store's four graphs again.
                fresh = [t for t in dict.fromkeys(store.query(rule.query, default_graph=union))
                         if t not in seen and not known(t)]
                seen.update(fresh)
                if not fresh:
                    continue
                quads = []
                for t in fresh:
                    hidden = private(t)
                    quads.append(ox.Quad(t.subject, t.predicate, t.object,
                                         scratch if hidden else inferences))
                    if not hidden:
                        per_rule[rule.id] += 1
                        added += 1
                store.extend(quads)
                derived += len(fresh)
            if not derived:
                completed = True
                break
    finally:
        store.remove_graph(scratch)
        if not completed:
            store.clear_graph(inferences)
    if not completed:
        raise PolicykgError(f"OWL 2 RL inference reached no fixpoint in {max_rounds} rounds",
                            hint="pass a larger max_rounds; a rule whose CONSTRUCT template "
                                 "has a blank node mints new ones every round and never stops")
    return InferenceResult(added=added, rounds=rounds, per_rule=per_rule,
                           seconds=time.perf_counter() - start)
