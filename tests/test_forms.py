"""Every form a policy update arrives in builds the same facts.

The seed and three more documents of ``tests/documents/`` are saved as the tools people use
would save them (``tests/formats.py``): Markdown with ``*`` bullets and CRLF line ends, plain
text with no markup at all, HTML, Word and PDF. Each form must give exactly the gold facts of
its Markdown original, with every span exact in its own text rendition, and a build publishes
the rendition of each non-text form beside the graph (``sources/<name>.txt``) with the
original's sha256 in the provenance graph.
"""
from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

import formats
from test_extract import GOLD, LEXICON, _short, data_graph, project

from policykg.pipeline.extract import extract
from policykg.pipeline.read import read_document

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "sources" / "2020-09-services-trade-pilot-areas-data.md"
OTHERS = [ROOT / "tests" / "documents" / f"{stem}.md" for stem in (
    "2021-11-industrial-data-classification-pilots",
    "2023-12-outbound-data-flows-free-trade-zones",
    "2024-06-data-labelling-bases",
)]
DOCUMENTS = [SEED, *OTHERS]
FORMS = ("markdown", "crlf-stars", "text", "html", "docx", "pdf")
HAS_CHROMIUM = Path(formats.CHROMIUM).exists()


def write_form(source: Path, form: str, folder: Path) -> Path:
    """``source`` (Markdown) saved as ``form`` in ``folder``, under the same stem."""
    markdown = source.read_text(encoding="utf-8")
    stem = source.stem
    if form == "markdown":
        path = folder / f"{stem}.md"
        path.write_text(markdown, encoding="utf-8")
    elif form == "crlf-stars":
        path = folder / f"{stem}.md"
        starred = re.sub(r"(?m)^(\s*)- ", r"\1* ", markdown)
        path.write_bytes(starred.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8"))
    elif form == "text":
        path = folder / f"{stem}.txt"
        path.write_text(formats.to_text(markdown), encoding="utf-8")
    elif form == "html":
        path = folder / f"{stem}.html"
        path.write_text(formats.to_html(markdown), encoding="utf-8")
    elif form == "docx":
        path = formats.to_docx(markdown, folder / f"{stem}.docx")
    elif form == "pdf":
        if not HAS_CHROMIUM:
            pytest.skip("no Chromium to print the PDF (scripts/system-deps.sh test installs it)")
        path = formats.to_pdf(formats.to_html(markdown), folder / f"{stem}.pdf")
    else:
        raise ValueError(form)
    return path


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("source", DOCUMENTS, ids=[p.stem[:20] for p in DOCUMENTS])
def test_every_form_builds_the_gold_exactly(source: Path, form: str, tmp_path: Path) -> None:
    path = write_form(source, form, tmp_path)
    gold = project(Graph().parse(GOLD / f"{source.stem}.ttl"))
    got = project(data_graph(path))
    missing = sorted(_short(t) for t in gold - got)
    extra = sorted(_short(t) for t in got - gold)
    assert (missing, extra) == ([], []), f"{form}: missing {missing}\nextra {extra}"
    doc = read_document(path)
    spans = [r.evidence for r in extract(doc, LEXICON).records if r.evidence is not None]
    assert spans and all(doc.text[e.start:e.end] == e.exact for e in spans)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "policykg", *args], capture_output=True, text=True,
                          timeout=600, stdin=subprocess.DEVNULL)


def test_a_build_publishes_the_renditions_its_spans_point_into(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    html = write_form(SEED, "html", folder)
    docx = write_form(OTHERS[0], "docx", folder)
    text = write_form(OTHERS[1], "text", folder)
    out = tmp_path / "dist"
    proc = run("build", str(folder), "--out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    published = sorted(p.name for p in (out / "sources").iterdir())
    assert published == sorted([f"{docx.name}.txt", f"{html.name}.txt"])  # plain text is its own rendition
    sums = (out / "SHA256SUMS").read_text()
    for name in published:
        assert f"  sources/{name}\n" in sums
    store = ox.Store()
    store.bulk_load(path=str(out / "policykg.nq"), format=ox.RdfFormat.N_QUADS)
    rows = list(store.query("""
        PREFIX dct: <http://purl.org/dc/terms/> PREFIX spdx: <http://spdx.org/rdf/terms#>
        PREFIX oa: <http://www.w3.org/ns/oa#> PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?file ?sha ?format ?rendition ?rsha WHERE { GRAPH ?g {
          ?build prov:used ?src .
          ?src dct:source ?file ; dct:format ?format ; spdx:checksum/spdx:checksumValue ?sha .
          OPTIONAL { ?src dct:hasFormat ?text . ?text dct:source ?rendition ;
                     spdx:checksum/spdx:checksumValue ?rsha } } }"""))
    by_file = {Path(r["file"].value).name: r for r in rows}
    assert set(by_file) == {html.name, docx.name, text.name}
    for path in (html, docx, text):
        row = by_file[path.name]
        assert row["sha"].value == hashlib.sha256(path.read_bytes()).hexdigest()
    assert by_file[text.name]["rendition"] is None
    for path in (html, docx):
        row = by_file[path.name]
        rendition = out / row["rendition"].value
        assert row["rsha"].value == hashlib.sha256(rendition.read_bytes()).hexdigest()
    # every span of the HTML source resolves in its published rendition
    rendition = (out / by_file[html.name]["rendition"].value).read_text(encoding="utf-8")
    spans = list(store.query(f"""
        PREFIX oa: <http://www.w3.org/ns/oa#>
        SELECT ?exact ?start ?end WHERE {{ GRAPH ?g {{ ?span oa:hasSource ?src ;
          oa:hasSelector [ oa:exact ?exact ; oa:start ?start ; oa:end ?end ] .
          ?src <http://purl.org/dc/terms/source> ?file . FILTER(STRENDS(?file, "{html.name}")) }} }}"""))
    assert len(spans) > 50
    for row in spans:
        assert rendition[int(row["start"].value):int(row["end"].value)] == row["exact"].value


def test_a_folder_is_read_and_readme_files_are_skipped_by_name(tmp_path: Path) -> None:
    folder = tmp_path / "sources"
    shutil.copytree(ROOT / "sources", folder)  # holds README.md
    out = tmp_path / "dist"
    proc = run("build", str(folder), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "README" not in proc.stdout + proc.stderr
    # a shell glob names README.md too: skipped by name, and said so
    proc = run("build", *map(str, sorted(folder.iterdir())), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "README.md: skipped, not a policy update by its name" in proc.stderr


def test_one_bad_file_refuses_the_build_unless_keep_going(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED, folder)
    (folder / "minutes.txt").write_text("Minutes of the meeting\n\nWe met and talked.\n", encoding="utf-8")
    out = tmp_path / "dist"
    proc = run("build", str(folder), "--out", str(out))
    assert proc.returncode == 2
    assert "minutes.txt:1: found 1 title, 1 paragraph and 0 numbered measures" in proc.stderr
    assert not out.exists()
    proc = run("build", str(folder), "--out", str(out), "--keep-going")
    assert proc.returncode == 0, proc.stderr
    assert "skipped: " in proc.stderr and "minutes.txt" in proc.stderr
    assert "minutes.txt" in (out / "build-report.md").read_text()
    (folder / SEED.name).unlink()
    proc = run("build", str(folder), "--out", str(tmp_path / "other"), "--keep-going")
    assert proc.returncode == 2 and "no document could be read" in proc.stderr


def _bad_files(folder: Path) -> dict[str, Path]:
    """A bad file of each format, and what the message must say."""
    good_pdf = write_form(SEED, "pdf", folder) if HAS_CHROMIUM else None
    files = {}
    if good_pdf is not None:
        truncated = folder / "truncated.pdf"
        truncated.write_bytes(good_pdf.read_bytes()[: good_pdf.stat().st_size // 3])
        files["truncated.pdf"] = truncated
    image = folder / "scan.pdf"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    files["scan.pdf"] = image
    nobody = folder / "empty.html"
    nobody.write_text("<!DOCTYPE html><html><head><title>Update</title></head><body>  </body></html>")
    files["empty.html"] = nobody
    import docx

    empty_docx = folder / "empty.docx"
    docx.Document().save(str(empty_docx))
    files["empty.docx"] = empty_docx
    return files


def test_a_bad_file_of_each_format_is_one_clear_line_and_changes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    assert run("build", str(SEED), "--out", str(out)).returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    for name, path in _bad_files(tmp_path).items():
        proc = run("build", str(SEED), str(path), "--out", str(out))
        assert proc.returncode == 2, (name, proc.stderr)
        lines = [line for line in proc.stderr.splitlines() if line.strip() and not line.startswith("  hint:")]
        assert len(lines) == 1 and str(path) in lines[0] and "Traceback" not in proc.stderr, (name, proc.stderr)
        assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before, name
