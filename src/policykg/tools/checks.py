"""Checks of the model itself: the ontology and the shapes, before any data meets them.

Door: :func:`check_model`. It runs, and reports as one typed :class:`ModelCheck`:

* the OWL API's OWL 2 DL profile check and HermiT (consistency, unsatisfiable classes);
* SHACL-for-SHACL on the shapes;
* shapes against ontology: only declared classes are targeted, only declared properties used;
* documentation of each term: English and Chinese labels, a definition, ``rdfs:isDefinedBy``;
* the generated Python namespace (:mod:`policykg.vocab`) against the ontology.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from .. import ontology, resources
from ..pipeline import gate
from .owlcheck import OwlCheckResult, check_owl
from .vocabgen import render_vocab


@dataclass(frozen=True)
class ModelCheck:
    """The outcome of :func:`check_model`; ``ok`` when nothing failed."""

    owl: OwlCheckResult | None
    term_problems: tuple[str, ...]
    shape_problems: tuple[str, ...]
    meta_shacl: gate.Report
    vocab_in_sync: bool

    @property
    def ok(self) -> bool:
        return ((self.owl is None or self.owl.ok) and not self.term_problems
                and not self.shape_problems and self.meta_shacl.passed and self.vocab_in_sync)

    def to_text(self) -> str:
        def mark(good: bool) -> str:
            return "ok  " if good else "FAIL"

        lines = []
        if self.owl is None:
            lines.append("skip OWL 2 DL profile and HermiT (not requested)")
        else:
            lines.append(f"{mark(self.owl.ok)} OWL 2 DL profile (OWL API) and HermiT consistency")
            if not self.owl.ok:
                lines.extend("       " + line for line in self.owl.summary().splitlines())
        lines.append(f"{mark(self.meta_shacl.passed)} shapes conform to SHACL-for-SHACL")
        if not self.meta_shacl.passed:
            lines.extend("       " + line for line in self.meta_shacl.to_text().splitlines())
        lines.append(f"{mark(not self.shape_problems)} shapes use only declared classes and properties")
        lines.extend(f"       {p}" for p in self.shape_problems)
        lines.append(f"{mark(not self.term_problems)} every pol: term has en/zh labels, a definition, rdfs:isDefinedBy")
        lines.extend(f"       {p}" for p in self.term_problems)
        lines.append(f"{mark(self.vocab_in_sync)} src/policykg/vocab.py matches the ontology")
        if not self.vocab_in_sync:
            lines.append("       run `policykg vocab` to regenerate it")
        return "\n".join(lines) + "\n"


def vocab_in_sync() -> bool:
    """Whether the generated namespace module equals what the ontology generates now."""
    module = Path(__file__).parents[1] / "vocab.py"  # policykg/vocab.py
    return module.is_file() and module.read_text(encoding="utf-8") == render_vocab(gate.ontology_graph())


def check_model(*, reasoner: bool = True) -> ModelCheck:
    """Check the ontology and the shapes; with ``reasoner`` also run the OWL API and HermiT."""
    onto = gate.ontology_graph()
    shapes = gate.shapes_graph()
    owl = check_owl(resources.ontology_path()) if reasoner else None
    return ModelCheck(
        owl=owl,
        term_problems=tuple(ontology.term_problems(onto)),
        shape_problems=tuple(ontology.shape_problems(onto, shapes)),
        meta_shacl=gate.check_shapes(shapes),
        vocab_in_sync=vocab_in_sync(),
    )


def check_owl_edition(data_path: str | Path) -> OwlCheckResult:
    """Run the OWL API and HermiT on the OWL edition of the ontology plus the data at ``data_path``.

    This is what a Protégé user opens: it must stay OWL 2 DL and consistent with data in it.
    """
    from ..rdfio import read_graph

    merged = gate.ontology_graph() + read_graph(data_path)
    edition = ontology.owl_edition(merged)
    with tempfile.TemporaryDirectory(prefix="policykg-owl-") as tmp:
        target = Path(tmp) / "edition.owl"
        edition.serialize(target, format="xml")
        return check_owl(target)


__all__ = ["ModelCheck", "check_model", "check_owl_edition", "vocab_in_sync"]
