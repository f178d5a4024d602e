"""Exporting a build: one of its RDF files, as published, in the format a user asks for.

Pipeline position::

    ... -> gate -> publish -> serve / query / **export** / push

Door: :func:`export`. It never serializes the graph anew where the build already holds the
file: the bytes it gives are the bytes :mod:`policykg.pipeline.publish` wrote (canonical, checksummed in
``SHA256SUMS``), copied to a file or returned for standard output. The one format a build may
lack is plain RDF/XML (``rdfxml``): it is then written by pyoxigraph from the canonical
``policykg.nt``, with the same prefixes and triple order as the published ``policykg.owl``.

=========  =====================  ==========================================================
format     file of the build      what it holds
=========  =====================  ==========================================================
ttl        policykg.ttl           ontology + data, Turtle
nt         policykg.nt            ontology + data, canonical N-Triples
nq         policykg.nq            the four named graphs, canonical N-Quads
trig       policykg.trig          the four named graphs, TriG
jsonld     policykg.jsonld        ontology + data, JSON-LD that reads like plain JSON
rdfxml     policykg.rdf           ontology + data, RDF/XML (from ``policykg.nt`` if absent)
owl        policykg.owl           the OWL edition (dates as xsd:dateTime, individuals named),
                                  RDF/XML: the file Protégé users open
=========  =====================  ==========================================================
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ..errors import EnvironmentProblem, InputError

#: Format name -> the file of a build that holds it.
FILES: dict[str, str] = {
    "ttl": "policykg.ttl",
    "nt": "policykg.nt",
    "nq": "policykg.nq",
    "trig": "policykg.trig",
    "jsonld": "policykg.jsonld",
    "rdfxml": "policykg.rdf",
    "owl": "policykg.owl",
}
#: Format name -> its media type (for whoever serves or uploads an export).
MEDIA_TYPES: dict[str, str] = {
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "nq": "application/n-quads",
    "trig": "application/trig",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "owl": "application/rdf+xml",
}
FORMATS = tuple(FILES)


def _check(build: Path, fmt: str) -> Path:
    """The file of ``build`` that holds ``fmt`` (it may be missing: see :func:`export`)."""
    if fmt not in FILES:
        raise InputError(f"unknown export format {fmt!r}",
                         hint="choose one of " + ", ".join(FORMATS))
    if not build.is_dir():
        raise InputError("no build here" if not build.exists() else "not a build folder",
                         path=build, hint="run `policykg build --out DIR` first, "
                                          "or pass the folder of a build with --dist")
    if not (build / "policykg.nt").is_file():
        raise InputError("this folder holds no build (policykg.nt is missing)", path=build,
                         hint="run `policykg build --out DIR` first")
    return build / FILES[fmt]


def _rdfxml_from_ntriples(nt: Path) -> bytes:
    """Plain RDF/XML of the canonical N-Triples, as a build writes RDF/XML
    (:func:`policykg.pipeline.publish.serialize.rdfxml`)."""
    import pyoxigraph as ox

    from ..pipeline.publish.serialize import rdfxml

    try:
        triples = list(ox.parse(path=str(nt), format=ox.RdfFormat.N_TRIPLES))
    except SyntaxError as exc:
        raise InputError(f"the build's N-Triples cannot be read: {exc}", path=nt,
                         hint="rebuild it with `policykg build`") from None
    return rdfxml(triples)


def export(build: Path, fmt: str, out: Path | None = None) -> bytes | Path:
    """The build's graph in format ``fmt``: written to ``out`` (returns ``out``), or its bytes.

    ``fmt`` is one of :data:`FORMATS`. The file is the one the build wrote, byte for byte
    (plain RDF/XML excepted when the build has none: see the module docstring). ``out`` is
    written atomically (a temporary file next to it, then renamed); its folder is created.

    Raises:
        InputError: ``build`` is not a build folder, ``fmt`` is unknown, or ``out`` is a folder.
        EnvironmentProblem: ``out`` cannot be written.
    """
    build = Path(build)
    source = _check(build, fmt)
    generated: bytes | None = None
    if not source.is_file():
        if fmt != "rdfxml":
            raise InputError(f"the build has no {source.name}", path=build,
                             hint="the build is incomplete or older than this policykg: "
                                  "rebuild it with `policykg build`")
        generated = _rdfxml_from_ntriples(build / FILES["nt"])
    if out is None:
        return generated if generated is not None else source.read_bytes()
    out = Path(out)
    if out.is_dir():
        raise InputError("the output is a folder; give a file name", path=out,
                         hint=f"e.g. {out / source.name}")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                if generated is not None:
                    handle.write(generated)
                else:
                    with open(source, "rb") as src:
                        shutil.copyfileobj(src, handle)
            os.chmod(tmp, 0o644)
            os.replace(tmp, out)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise EnvironmentProblem(f"cannot write the export: {exc.strerror or exc}",
                                 path=exc.filename or out,
                                 hint="check the folder's permissions and free space") from None
    return out


__all__ = ["FILES", "FORMATS", "MEDIA_TYPES", "export"]
