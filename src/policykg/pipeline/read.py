"""Stage 1: a file as received -> :class:`~policykg.document.Document`.

Door: :func:`read_document`. Two steps, each a module of its own: a reader turns the file's
format into a text rendition and its blocks (:mod:`policykg.pipeline.readers`: Markdown, plain text,
HTML, PDF, Word), then :func:`policykg.pipeline.structure.structure` reads the genre into the blocks
(title, date line, categories, numbered measures, footnotes).

Promises: every offset of the :class:`Document` is into :attr:`Document.text`, the rendition
(for Markdown and plain text, the file as decoded, CRLF kept), so ``doc.text[span.start:
span.end]`` is what the span names. Nothing is rewritten. A file that cannot be a policy update
raises :class:`~policykg.errors.InputError` naming the file and the line.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from ..document import Document
from .readers import read_bytes, read_rendition
from .structure import structure


def read_document(path: str | Path, *, format: str | None = None) -> Document:
    """Read the policy update at ``path`` (any format :mod:`policykg.pipeline.readers` reads)."""
    path = Path(path)
    data = read_bytes(path)
    rendition = read_rendition(path, data, format=format)
    return structure(rendition, path, hashlib.sha256(data).hexdigest())


def parse_document(text: str, path: str | Path = "<text>", *, format: str = "markdown") -> Document:
    """Read ``text`` (already decoded) as if it were the file ``path``."""
    data = text.encode("utf-8")
    rendition = read_rendition(Path(path), data, format=format)
    return structure(rendition, path, hashlib.sha256(data).hexdigest())


__all__ = ["parse_document", "read_document"]
