"""Where policykg's data files live: the ontology, the shapes, the lexicon, the queries.

They are kept at the top of the repository, where people edit them. An editable install reads
them there; a wheel carries a copy under ``policykg/_data``. Code asks this module, never
builds such paths itself.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_root() -> Path:
    """The folder that holds ``ontology/``, ``mappings/``, ``queries/`` and ``sources/``."""
    # A source tree (an editable install) first, so that edits are seen at once; an
    # editable install also leaves a stale copy under _data.
    repo = _PACKAGE.parent.parent  # src/policykg -> repository root
    if (repo / "ontology").is_dir() and (repo / "pyproject.toml").is_file():
        return repo
    bundled = _PACKAGE / "_data"
    if (bundled / "ontology").is_dir():
        return bundled
    raise FileNotFoundError(
        "policykg cannot find its data files (ontology/, mappings/, ...); reinstall the package"
    )


def ontology_path() -> Path:
    """The hand-written ontology, ``ontology/policykg.ttl``."""
    return data_root() / "ontology" / "policykg.ttl"


def shapes_path() -> Path:
    """The SHACL publishing gate, ``ontology/shapes.ttl``."""
    return data_root() / "ontology" / "shapes.ttl"


def tools_path() -> Path:
    """Helper programs that are not Python, e.g. the Java OWL checker."""
    return data_root() / "tools"


def lexicon_path() -> Path:
    """The folder of known entities, ``mappings/lexicon/`` (one CSV per kind)."""
    return data_root() / "mappings" / "lexicon"
