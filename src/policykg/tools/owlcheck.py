"""The OWL check: what the OWL API and HermiT say about one ontology document.

Door: :func:`check_owl`, used by ``policykg check`` (:mod:`policykg.tools.checks`) on the ontology and
on a build's OWL edition; the build's own reasoning is OWL 2 RL on pyoxigraph
(:mod:`policykg.pipeline.reason`), which needs no Java.

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
"""
from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from policykg.errors import EnvironmentProblem, InputError
from policykg.resources import tools_path

__all__ = ["OwlCheckResult", "ProfileViolation", "check_owl"]


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
