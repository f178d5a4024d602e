"""policykg: a knowledge graph and OWL ontology of Chinese data-policy measures.

The pipeline, one module per stage::

    sources/*.md -> document -> extract -> lexicon -> mapping -> reason -> gate -> publish

This package's public doors are the functions named at the top of each stage module; the
``policykg`` command (:mod:`policykg.cli`) is a thin layer over them.
"""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("policykg")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
