"""Stage 1a: a file as received -> :class:`~policykg.pipeline.readers.base.Rendition` (text + raw blocks).

Door: :func:`read_rendition`. It checks the file (a regular file, not larger than
:data:`MAX_BYTES`), tells its format by its content (:func:`detect_format`: the file name's
extension is only a tie-breaker between Markdown and plain text) and hands the bytes to that
format's reader: :mod:`.markdown` (markdown-it-py, CommonMark with footnotes and tables),
:mod:`.text` (plain text as copied from a PDF or an e-mail), :mod:`.html` (lxml),
:mod:`.pdf` and :mod:`.docx` (python-docx). Every reader returns the same kind of value; the
genre (title, date line, categories, articles, footnotes) is read into it afterwards by
:func:`policykg.pipeline.structure.structure`.

A file no reader can use raises :class:`~policykg.errors.InputError` naming the file, the line
(or page) and the reason.
"""
from __future__ import annotations

import os
import stat
import zipfile
from io import BytesIO
from pathlib import Path

from ...errors import InputError
from .base import Rendition

#: The largest document policykg reads (bytes); ``POLICYKG_MAX_DOCUMENT_BYTES`` changes it.
MAX_BYTES = 10 * 1024 * 1024

FORMATS = ("markdown", "text", "html", "pdf", "docx")
#: Extensions that say "Markdown" or "plain text" when the content could be either.
MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd"}
TEXT_SUFFIXES = {".txt", ".text"}
#: Files in a sources folder that are not policy updates: skipped by name.
NOT_SOURCES = {"readme", "readme.md", "readme.txt", "license", "license.md", "licence", "notice",
               "changelog.md", "index.md", ".gitkeep"}


def max_bytes() -> int:
    value = os.environ.get("POLICYKG_MAX_DOCUMENT_BYTES")
    try:
        return int(value) if value else MAX_BYTES
    except ValueError:
        return MAX_BYTES


def read_bytes(path: Path) -> bytes:
    """The bytes of ``path``, refused before reading when it is not a regular file or is
    larger than :func:`max_bytes` (a 3 GB sparse file is never read)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise InputError("no such file", path=path) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", path=path) from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError("a folder, not a document", path=path)
    if not stat.S_ISREG(info.st_mode):
        raise InputError("not a regular file (a device, a pipe or a socket)", path=path)
    limit = max_bytes()
    if info.st_size > limit:
        raise InputError(f"the file is {info.st_size:,} bytes, more than the {limit:,} bytes a "
                         "policy update may have", path=path,
                         hint="set POLICYKG_MAX_DOCUMENT_BYTES to read larger documents")
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", path=path) from None
    if len(data) > limit:  # grew while we looked
        raise InputError(f"the file is more than the {limit:,} bytes a policy update may have",
                         path=path)
    return data


def detect_format(data: bytes, path: Path) -> str:
    """The format of ``data``, by content: PDF and Word by their signatures, HTML by its
    markup, Markdown by its syntax (or the ``.md`` extension), else plain text."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"%PDF-"):
        return "pdf"
    if data[:4] == b"PK\x03\x04":
        try:
            names = zipfile.ZipFile(BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            raise InputError("a damaged ZIP archive (not a Word document that can be read)",
                             path=path) from None
        if "word/document.xml" in names:
            return "docx"
        raise InputError("a ZIP archive, not a Word .docx document", path=path)
    lower = head[:1024].lower()
    if lower.startswith((b"<!doctype html", b"<html")) or (
            lower.startswith(b"<") and any(t in lower for t in (b"<body", b"<p>", b"<p ", b"<h1", b"<div"))):
        return "html"
    from .markdown import looks_like_markdown
    from .text import decode

    suffix = path.suffix.lower()
    if suffix in MARKDOWN_SUFFIXES:
        return "markdown"
    if suffix in TEXT_SUFFIXES:
        return "text"
    if suffix in (".pdf", ".docx", ".html", ".htm"):
        raise InputError(f"the file is named {suffix} but its content is not "
                         f"{suffix[1:].upper()}", path=path)
    return "markdown" if looks_like_markdown(decode(data, path)) else "text"


def read_rendition(path: str | Path, data: bytes | None = None, *, format: str | None = None) -> Rendition:
    """Read the document at ``path`` (or ``data``, its bytes) into a :class:`Rendition`."""
    path = Path(path)
    if data is None:
        data = read_bytes(path)
    if not data.strip():
        raise InputError("the document is empty", path=path, line=1)
    fmt = format or detect_format(data, path)
    if fmt == "markdown":
        from .markdown import read
    elif fmt == "text":
        from .text import read
    elif fmt == "html":
        from .html import read
    elif fmt == "pdf":
        from .pdf import read
    elif fmt == "docx":
        from .docx import read
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return read(data, path)


__all__ = ["FORMATS", "MAX_BYTES", "NOT_SOURCES", "Rendition", "detect_format", "max_bytes",
           "read_bytes", "read_rendition"]
