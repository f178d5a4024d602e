"""PDF reading speed: seconds per page of :func:`policykg.pipeline.readers.pdf.read`.

Prints a policy-update-like document of N pages (headings, bold names, numbered measures,
footnote references, a running header and page numbers) with headless Chromium
(``/usr/bin/chromium``, or ``POLICYKG_CHROMIUM``), or takes a PDF you give it, then reads it
``--runs`` times in this process and prints the best and the median seconds per page. The
target is at most 0.2 s per page on a 2-core machine.

    python bench/pdf_reading.py [--pages 10] [--runs 5] [--pdf FILE]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from policykg.pipeline.readers.pdf import read

CHROMIUM = Path(os.environ.get("POLICYKG_CHROMIUM", "/usr/bin/chromium"))
FILLER = ("the pilot zones shall open public data in an orderly way, classify and grade it, "
          "protect personal information and trade secrets, and report to the departments concerned; ")


def document(pages: int) -> str:
    parts = []
    for n in range(1, pages + 1):
        parts.append(
            f"<h2>Part {n}: measures on data</h2>"
            f"<p>The <strong>National Data Administration</strong><sup>{n}</sup> and the <b>Ministry of "
            f"Commerce</b> steer the <em>pilot zones</em>: {FILLER * 5}</p>"
            f"<ol start='{n * 10}'>" + "".join(f"<li>{FILLER * 2}</li>" for _ in range(3)) + "</ol>"
            f"<p style='font-size: 8pt; break-after: page'><sup>{n}</sup> A note at the end of part {n}.</p>")
    return ("<!doctype html><html><head><meta charset='utf-8'><style>"
            "@page { size: A4; margin: 20mm; @top-right { content: 'Policy Update | Data'; font-size: 8pt }"
            " @bottom-center { content: 'Page ' counter(page); font-size: 8pt } }"
            "body { font: 11pt serif }</style></head><body><h1>Benchmark Update</h1>"
            + "".join(parts) + "</body></html>")


def print_pdf(html: str, folder: Path) -> Path:
    if not CHROMIUM.is_file():
        raise SystemExit(f"{CHROMIUM} is missing: install Debian's chromium (scripts/system-deps.sh test) "
                         "or give --pdf FILE")
    source, target = folder / "bench.html", folder / "bench.pdf"
    source.write_text(html, encoding="utf-8")
    subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={folder / 'profile'}", "--no-pdf-header-footer",
                    f"--print-to-pdf={target}", source.as_uri()],
                   check=True, capture_output=True, timeout=300, stdin=subprocess.DEVNULL)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pdf", type=Path, help="time this PDF instead of a generated one")
    args = parser.parse_args()
    from pypdf import PdfReader

    with tempfile.TemporaryDirectory() as tmp:
        path = args.pdf or print_pdf(document(args.pages), Path(tmp))
        data = path.read_bytes()
    from io import BytesIO

    pages = len(PdfReader(BytesIO(data)).pages)
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        rendition = read(data, path)
        times.append(time.perf_counter() - start)
    print(f"{path.name}: {pages} pages, {len(data):,} bytes, {len(rendition.blocks)} blocks")
    print(f"seconds per page: best {min(times) / pages:.4f}, median {statistics.median(times) / pages:.4f} "
          f"({args.runs} runs)")


if __name__ == "__main__":
    main()
