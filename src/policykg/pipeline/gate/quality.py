"""The quality rules: SPARQL queries that must find nothing, the build's second gate.

Pipeline position::

    ... -> reason -> gate + **quality** -> review -> publish

Door: :func:`check_quality_store`, which runs every rule ``queries/qc/*-violation.rq`` on the
working store of a build (the default graph being the union of its named graphs) and returns a
typed :class:`QualityReport`: rows are results, never exceptions. Each rule's level is in
``queries/qc/profile.toml`` (ROBOT keeps its report profile apart from the queries likewise):
``error`` (:attr:`Severity.ERROR`: rows refuse the build) or ``warn`` (:attr:`Severity.WARN`:
rows are reported). :func:`load_quality_rules` reads the rules and the profile;
:func:`policykg.tools.query.check_quality` runs them on a published build.

A rule or a profile that cannot be used -- a missing profile, a level other than ``error`` or
``warn``, a rule without a level or a level without a rule, a query that does not parse --
raises :class:`policykg.errors.InputError` naming the file.
"""
from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ... import resources
from ...errors import InputError
from ...results import QueryResult, QuerySyntaxError, syntax_error
from . import Severity

if TYPE_CHECKING:
    import pyoxigraph as ox

    from ...results import Term

#: The levels a rule may have, as the profile names them.
PROFILE_LEVELS: dict[str, Severity] = {"error": Severity.ERROR, "warn": Severity.WARN}
_WORDS = {severity: word for word, severity in PROFILE_LEVELS.items()}


@dataclass(frozen=True)
class QualityRule:
    """One ``queries/qc/<name>-violation.rq``: what it finds (its header) and its severity."""

    name: str
    path: Path
    severity: Severity
    finds: str
    why: str
    query: str


@dataclass(frozen=True)
class RuleResult:
    """A rule and the rows it returned on one build (no rows: the rule holds)."""

    rule: QualityRule
    result: QueryResult

    @property
    def severity(self) -> Severity:
        return self.rule.severity

    @property
    def rows(self) -> tuple[tuple[Term | None, ...], ...]:
        return self.result.rows

    @property
    def passed(self) -> bool:
        return not self.result.rows


@dataclass(frozen=True)
class QualityReport:
    """The quality rules run on one build. ``passed`` unless an ``error`` rule returned rows."""

    build: Path
    results: tuple[RuleResult, ...]

    @property
    def passed(self) -> bool:
        return not any(r.rows for r in self.results if r.severity is Severity.ERROR)

    def failed(self, severity: Severity | None = None) -> tuple[RuleResult, ...]:
        return tuple(r for r in self.results if r.rows and (severity is None or r.severity is severity))

    def to_text(self) -> str:
        errors, warnings = len(self.failed(Severity.ERROR)), len(self.failed(Severity.WARN))
        lines = [(f"quality rules: {'PASSED' if self.passed else 'FAILED'} "
                  f"({len(self.results)} rules, {errors} errors, {warnings} warnings)")]
        for r in self.results:
            status = "ok" if r.passed else f"{_WORDS[r.severity]}: {len(r.rows)} row(s)"
            lines.append(f"  {r.rule.name}: {status}")
            if not r.passed:
                lines.append("    " + r.rule.finds)
                lines += ["    " + line for line in r.result.to_table().splitlines()]
        return "\n".join(lines) + "\n"


def qc_folder() -> Path:
    return resources.data_root() / "queries" / "qc"


def query_header(text: str) -> list[str]:
    """The leading ``#`` lines of a query file, without the ``#``."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line[1:].strip())
    return lines


def header_field(lines: Sequence[str], name: str) -> str:
    """The value of the header line ``name: value`` (``""`` when there is none)."""
    for line in lines:
        if line.startswith(name + ":"):
            return line[len(name) + 1:].strip()
    return ""


def load_quality_rules(folder: Path | None = None) -> list[QualityRule]:
    """The rules of ``folder`` (default ``queries/qc``), with severities from its ``profile.toml``.

    Raises:
        InputError: the profile is missing or unreadable, gives a severity other than
            ``error``/``warn``, names a rule with no file, or a rule has no severity.
    """
    folder = qc_folder() if folder is None else Path(folder)
    profile_path = folder / "profile.toml"
    try:
        profile = tomllib.loads(profile_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("the quality profile is missing", path=profile_path) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"the quality profile does not parse: {exc}", path=profile_path) from None
    severities = profile.get("severity", {})
    files = {p.name[: -len("-violation.rq")]: p for p in sorted(folder.glob("*-violation.rq"))}
    unknown = sorted(set(severities) - set(files))
    if unknown:
        raise InputError(f"the profile names rule {unknown[0]!r}, but there is no {unknown[0]}-violation.rq",
                         path=profile_path)
    rules = []
    for name, path in files.items():
        if name not in severities:
            raise InputError(f"rule {name!r} has no severity", path=profile_path,
                             hint=f'add `{name} = "error"` (or "warn") under [severity]')
        severity = PROFILE_LEVELS.get(severities[name]) if isinstance(severities[name], str) else None
        if severity is None:
            raise InputError(f"rule {name!r}: severity must be \"error\" or \"warn\", not {severities[name]!r}",
                             path=profile_path)
        text = path.read_text(encoding="utf-8")
        header = query_header(text)
        rules.append(QualityRule(name, path, severity, header_field(header, "Finds"),
                                 header_field(header, "Why it matters"), text))
    return rules


def check_quality_store(store: ox.Store, where: Path, *,
                        rules: Sequence[QualityRule] | None = None) -> QualityReport:
    """Run the quality rules on a working store (default graph: the union), e.g. during a build."""
    rules = load_quality_rules() if rules is None else rules
    results = []
    for rule in rules:
        try:
            answer = store.query(rule.query, use_default_graph_as_union=True)
        except SyntaxError as exc:
            error = syntax_error(exc)
            raise QuerySyntaxError(error.message, path=rule.path, line=error.line) from None
        results.append(RuleResult(rule, QueryResult.from_pyoxigraph(answer)))
    return QualityReport(Path(where), tuple(results))


__all__ = ["PROFILE_LEVELS", "QualityReport", "QualityRule", "RuleResult", "Severity", "check_quality_store",
           "header_field", "load_quality_rules", "qc_folder", "query_header"]
