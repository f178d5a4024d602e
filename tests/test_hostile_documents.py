"""Hostile documents (issue 18): the build survives them — nothing false, nothing lost, linear
time, no internal error.

Every case the issue lists, and the text oddities of the genre (``/work/shared/reference/
genre-variation.md``: CRLF or LF, curly or straight quotes, NBSP, ``[1]``/``¹``/``[^1]`` markers,
a BOM), each asserting what a user sees:

* where the issue talks about exit codes, the real command (a subprocess): the exit code, the
  message (the file and the line, no traceback) and the output folder byte for byte as it was;
* where it talks about facts, the data graph of the build: the right facts, and none false.

Then linear time without a clock: the work a pattern costs (bytecodes of policykg executed,
characters handed to its regular expressions and copied into evidence: :class:`Work`) at n and 4n
repetitions must grow about 4 times, not 16 (``bench/growth.py`` times the same patterns at
5k-40k). The linear algorithms that replaced quadratic ones are checked against the ones they
replaced, on generated input. Last, hypothesis writes adversarial policy updates from the genre's
own vocabulary and builds them: a result or an :class:`InputError`, never anything else.
"""
from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from folders import tree
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

from policykg.pipeline import extract as extract_module
from policykg.pipeline import structure
from policykg import textutil
from policykg.pipeline.build import build
from policykg.pipeline.curate import Curation, curate
from policykg.errors import InputError
from policykg.pipeline.extract import DEFINITION, _HeadWords, _NameIndex, definitions, extract
from policykg.graphs import GRAPHS
from policykg.pipeline.lexicon import load_lexicon
from policykg.pipeline.mapping import map_records
from policykg.pipeline.provenance import BuildInfo
from policykg.pipeline.read import parse_document, read_document
from policykg.pipeline.readers import MAX_BYTES
from policykg.pipeline.recognisers.heads import class_by_head, head_words
from policykg.pipeline.reconcile import reconcile
from policykg.pipeline.review import collect_review
from policykg.textutil import MARKUP_REFERENCE, View, _markup_spans, normalise

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "policykg"
SEED = ROOT / "sources" / "2020-09-services-trade-pilot-areas-data.md"
SEED_TEXT = SEED.read_text(encoding="utf-8")
ID = "https://w3id.org/policykg/id/"
POL = "https://w3id.org/policykg/ontology#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"

sys.path.insert(0, str(ROOT / "bench"))
import growth
from growth import document as growth_document

# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------

def cli(*args: str, env: dict[str, str] | None = None, stdout=subprocess.PIPE,
        timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``policykg ARGS`` as a user runs it."""
    return subprocess.run([sys.executable, "-m", "policykg", *args], stdout=stdout, check=False,
                          stderr=subprocess.PIPE, text=True, timeout=timeout, cwd=ROOT,
                          stdin=subprocess.DEVNULL, env={**os.environ, **(env or {})})


def refused(proc: subprocess.CompletedProcess[str], source: Path, line: int | None, *words: str) -> None:
    """Exit 2, the file (and line) named, the words said, no traceback."""
    assert proc.returncode == 2, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    assert "Traceback" not in proc.stderr + (proc.stdout or "")
    where = f"{source}:{line}:" if line is not None else f"{source}"
    assert where in proc.stderr, proc.stderr
    for word in words:
        assert word in proc.stderr, proc.stderr


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding a good build of the seed in ``dist`` (and ``in/`` for sources)."""
    folder = tmp_path_factory.mktemp("hostile")
    assert build([SEED], folder / "dist").published
    (folder / "in").mkdir()
    return folder


def refused_untouched(good: Path, name: str, text: str | bytes, line: int | None, *words: str) -> None:
    """The command refuses the document (exit 2, file:line, the words), ``dist`` unchanged."""
    source = good / "in" / name
    source.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    before = tree(good)
    try:
        refused(cli("build", str(source), "--out", str(good / "dist")), source, line, *words)
        source.unlink()
        assert tree(good) == {k: v for k, v in before.items() if k != f"in/{name}"}
    finally:
        source.unlink(missing_ok=True)


def line_of(text: str, needle: str) -> int:
    return text[:text.index(needle)].count("\n") + 1


def facts(text: str | bytes, tmp: Path, name: str = "update.md", *more: tuple[str, str]):
    """Build ``text`` (and ``more`` (name, text) documents) in process: the result and the
    data graph as a set of (s, p, o) strings."""
    sources = []
    for n, t in ((name, text), *more):
        path = tmp / n
        path.write_bytes(t.encode("utf-8") if isinstance(t, str) else t)
        sources.append(path)
    result = build(sources, tmp / "dist")
    assert result.published, result.refusals
    data = {(str(q.subject), str(q.predicate), str(q.object))
            for q in result.store.quads_for_pattern(None, None, None, GRAPHS["data"])}
    return result, data


def objects(data: set, subject: str, predicate: str) -> set[str]:
    return {o for s, p, o in data if s == f"<{subject}>" and p == f"<{predicate}>"}


def guided(data: set, article: int) -> set[str]:
    """The agencies (their IRIs' last segment) that guide the measure numbered ``article``."""
    return {o.strip("<>").rsplit("/", 1)[1] for s, p, o in data
            if s.startswith(f"<{ID}measure/") and s.endswith(f"/{article}>") and p == f"<{POL}guidedBy>"}


def minted(result, kind: str) -> dict[str, str]:
    return {n.iri: n.label for n in result.new_entities if n.kind == kind}


# --------------------------------------------------------------------------------------------
# Invisible, bidirectional and combining characters; names of no ASCII letter
# --------------------------------------------------------------------------------------------

SEED_GUIDANCE = {75: {"miit"}, 76: {"cac"}, 79: {"ndrc", "cac", "miit", "hkmao"},
                 83: {"cac", "miit", "mofcom", "csrc"}}


def test_the_seed_is_guided_as_its_gold_says(tmp_path: Path) -> None:
    """The reference the cases below compare with."""
    _, data = facts(SEED_TEXT, tmp_path)
    for article, agencies in SEED_GUIDANCE.items():
        assert guided(data, article) == agencies, article


@pytest.mark.parametrize("before, after", [
    ("Cyberspace Administration of China (CAC)", "Cyber\u200bspace Administration of China (CAC)"),
    ("Cyberspace Administration of China (CAC)", "Cyber\u200dspace Admin\u2060istration of China (CAC)"),
    ("Ministry of Industry and Information Technology (MIIT)",
     "Ministry of Industry and In\u200dformation Technology (MIIT)"),
    ("Ministry of Industry and Information Technology (MIIT)",
     "Ministry of Industry and \u202eInformation\u202c Technology (\u200fMIIT)"),
    ("National Development and Reform Commission (NDRC)", "National Develop\u00adment and Reform Commission (NDRC)"),
], ids=["zero-width-space", "zero-width-joiner", "zwj-in-miit", "rtl-override", "soft-hyphen"])
def test_an_invisible_character_inside_a_name_splits_nothing(tmp_path: Path, before: str, after: str) -> None:
    assert before in SEED_TEXT
    result, data = facts(SEED_TEXT.replace(before, after), tmp_path)
    for article, agencies in SEED_GUIDANCE.items():
        assert guided(data, article) == agencies, article
    assert minted(result, "agency") == {}  # no "Administration of China", no "Ministry of In"
    labels = {o for s, p, o in data if p == f"<{RDFS_LABEL}>"}
    assert not any(c in label for label in labels for c in textutil.INVISIBLE)


def test_a_right_to_left_override_is_never_published_in_a_measures_text(tmp_path: Path) -> None:
    text = SEED_TEXT.replace("A dedicated Internet data channel", "A dedicated \u202eInternet\u202c data \u2067channel\u2069")
    _, data = facts(text, tmp_path)
    texts = [o for s, p, o in data if p == f"<{POL}measureText>"]
    assert any("A dedicated Internet data channel shall be opened" in t for t in texts)
    assert not any(c in t for t in texts for c in textutil.INVISIBLE)


def test_a_combining_accent_never_takes_the_lexicons_beijing(tmp_path: Path) -> None:
    """"Bei\u0301jing" (i + U+0301) is composed (NFC) to "Beíjing": not the lexicon's Beijing,
    so it gets an IRI of its own, and Beijing keeps its Chinese label and coordinates."""
    text = SEED_TEXT.replace("The full list entails Beijing, Tianjin", "The full list entails Bei\u0301jing, Tianjin")
    text = text.replace("including Beijing, Shanghai", "including Bei\u0301jing, Shanghai")
    result, data = facts(text, tmp_path)
    beijing = f"{ID}area/beijing"
    assert beijing not in minted(result, "area")
    assert objects(data, beijing, RDFS_LABEL) >= {'"Beijing"@en', '"北京市"@zh'}  # a forerunner still
    assert len({o for o in objects(data, beijing, RDFS_LABEL) if o.endswith("@en")}) == 1
    assert objects(data, beijing, "http://www.w3.org/2003/01/geo/wgs84_pos#lat")
    new = minted(result, "area")
    assert [unicodedata.normalize("NFC", n) for n in new.values()] == ["Beíjing"], new  # once, an IRI of its own
    assert all(re.fullmatch(rf"{ID}area/beijing-[0-9a-f]{{8}}", iri) for iri in new)
    assert any("would take the IRI" in w and "area/beijing>" in w for w in result.warnings)


def test_a_name_minted_from_a_list_is_published_composed(tmp_path: Path) -> None:
    text = SEED_TEXT.replace("The full list entails Beijing, Tianjin", "The full list entails Bei\u0301jing, Tianjin")
    text = text.replace("including Beijing, Shanghai", "including Bei\u0301jing, Shanghai")
    result, _ = facts(text, tmp_path)
    assert list(minted(result, "area").values()) == ["Beíjing"]


def _titled(title: str) -> str:
    return SEED_TEXT.replace("Innovative Development of Trade in Services in Pilot Areas", title, 1)


def test_titles_without_ascii_letters_are_two_updates_with_their_titles(tmp_path: Path) -> None:
    one, two = "服务贸易创新发展试点", "数据出境安全评估办法"
    _, data = facts(_titled(one), tmp_path, "a.md", ("b.md", _titled(two)))
    updates = {s for s, p, o in data if p == "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
               and o == f"<{POL}PolicyUpdate>"}
    assert len(updates) == 2, updates
    assert not any(u.endswith("/-2020-09>") or "document/-" in u for u in updates)
    labels = {o.rsplit("@", 1)[0] for u in updates for s, p, o in data if s == u and p == f"<{RDFS_LABEL}>"}
    assert labels == {f'"{one}"', f'"{two}"'}


def test_an_abbreviation_defined_for_two_names_is_a_warning_and_neither(tmp_path: Path) -> None:
    text = SEED_TEXT.replace("What are the most relevant",
                             "The Civil Aviation Commission (CAC) was not consulted.\n\nWhat are the most relevant")
    result, data = facts(text, tmp_path)
    assert guided(data, 83) == {"miit", "mofcom", "csrc"}  # "CAC" alone: neither guess
    assert guided(data, 79) == {"ndrc", "miit", "hkmao"}
    assert guided(data, 76) == {"cac"}  # the full name is written there
    assert any("'CAC' is defined for" in w and "left out" in w for w in result.warnings), result.warnings
    assert f"{ID}agency/cac" not in minted(result, "agency")


def test_an_undefined_abbreviation_is_a_warning_quoting_its_sentence(tmp_path: Path) -> None:
    text = SEED_TEXT.replace("The **Cyberspace Administration of China (CAC)** will guide",
                             "The **XYZA** will guide")
    result, data = facts(text, tmp_path)
    assert guided(data, 76) == set()
    assert any("'XYZA'" in w and "not defined" in w and "will guide" in w for w in result.warnings)


# --------------------------------------------------------------------------------------------
# Numbers: articles, measures, footnotes, dates
# --------------------------------------------------------------------------------------------

def test_article_10000_keeps_its_measure_and_guidance(tmp_path: Path) -> None:
    _, data = facts(SEED_TEXT.replace("**Article 75:**", "**Article 10000:**"), tmp_path)
    assert guided(data, 10000) == {"miit"}
    measures = {s for s, p, o in data if p == f"<{POL}articleNumber>"}
    assert len(measures) == 6


@pytest.mark.parametrize("written, shown", [
    ("-5", "-5"), ("0", "0"), ("100000", "100000"), ("1" + "0" * 30, "100000000000… (31 characters)"),
    ("9" * 5000, "999999999999… (5,000 characters)"),
], ids=["negative", "zero", "100000", "10^30", "5000-digits"])
def test_an_article_number_out_of_range_is_refused_with_its_line(good: Path, written: str, shown: str) -> None:
    text = SEED_TEXT.replace("**Article 79:**", f"**Article {written}:**")
    refused_untouched(good, "update.md", text, line_of(text, f"**Article {written}:**"),
                      f"article number {shown} is out of range", "1 to 99,999")


def test_20000_articles_are_20000_measures(tmp_path: Path) -> None:
    n = 20_000
    body = "".join(f"- **Article {k}:** Pilot areas shall open data channel {k}. The CAC will guide it.\n"
                   for k in range(1, n + 1))
    doc = parse_document(HEADER + body, tmp_path / "many.md")
    records = extract(doc, load_lexicon()).records
    numbers = sorted(r.get("number") for r in records if r.kind == "article")
    assert numbers == list(range(1, n + 1))
    assert sum(1 for r in records if r.kind == "guidance") == n


def test_more_than_50000_measures_are_refused_before_extraction(good: Path) -> None:
    body = "".join(f"- Article {k}: x\n" for k in range(1, structure.MAX_MEASURES + 2))
    text = HEADER + body
    refused_untouched(good, "huge.md", text, line_of(text, f"Article {structure.MAX_MEASURES + 1}:"),
                      "more than 50,000 numbered measures")


HEADER = ("# Many measures\n\nPolicy Update on Measures regarding Data | September 2020\n\n"
          "The notice is accompanied by a **Table**.\n\n- **Data Security**\n\n")


def test_a_trial_period_of_8000_years_is_refused_with_its_line(good: Path) -> None:
    text = SEED_TEXT.replace("with a trial period of three years", "with a trial period of 8000 years")
    refused_untouched(good, "update.md", text, line_of(text, "trial period of 8000"),
                      "trial period of 8000 years", "1 to 9999")


def test_a_date_line_of_december_9999_is_refused_where_its_trial_ends(good: Path) -> None:
    text = SEED_TEXT.replace("| September 2020", "| December 9999")
    refused_untouched(good, "update.md", text, line_of(text, "trial period of three"),
                      "from 9999-08-14", "1 to 9999")


def test_a_date_line_of_december_9999_without_a_trial_is_a_date(tmp_path: Path) -> None:
    text = SEED_TEXT.replace("| September 2020", "| December 9999").replace(", with a trial period of three years", "")
    _, data = facts(text, tmp_path)
    assert any(o.startswith('"9999-08-14"') for s, p, o in data if p == f"<{POL}issuedOn>")


def test_a_footnote_numbered_with_4301_superscript_digits_is_refused_with_its_line(good: Path) -> None:
    digits = "¹" * 4301
    text = SEED_TEXT.replace("¹ The full list entails", f"{digits} The full list entails")
    refused_untouched(good, "update.md", text, line_of(text, digits), "4,301 digits", "at most 6")


def test_a_marker_of_4301_superscript_digits_in_the_text_is_no_marker(tmp_path: Path) -> None:
    text = SEED_TEXT.replace("From the documents,", "From the documents" + "²" * 4301 + ",")
    _, data = facts(text, tmp_path)  # the footnotes and their lists are read as before
    assert guided(data, 75) == {"miit"}


# --------------------------------------------------------------------------------------------
# Bounded memory
# --------------------------------------------------------------------------------------------

def test_a_3_gb_sparse_file_is_refused_fast_without_reading_it(good: Path) -> None:
    source = good / "in" / "sparse.md"
    with open(source, "wb") as handle:
        handle.truncate(3 << 30)  # 3 GiB of nothing: no disk used
    before = tree(good / "dist")
    try:
        # Reading 3 GiB under a 2 GiB address-space limit fails (MemoryError, exit 3): exit 2 with
        # the size message proves the file was refused before it was read. (ru_maxrss cannot
        # tell: Linux carries the forking test process's peak across exec.)
        def two_gib() -> None:
            resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

        start = time.monotonic()
        proc = subprocess.run([sys.executable, "-m", "policykg", "build", str(source), "--out", str(good / "dist")],
                              capture_output=True, text=True, stdin=subprocess.DEVNULL, cwd=ROOT,
                              preexec_fn=two_gib, timeout=120)
        seconds = time.monotonic() - start
        stderr = proc.stderr
        assert proc.returncode == 2, stderr
        assert f"{source}: the file is 3,221,225,472 bytes, more than the {MAX_BYTES:,} bytes" in stderr
        assert "Traceback" not in stderr and "MemoryError" not in stderr
        assert seconds < 30, seconds
        assert tree(good / "dist") == before
    finally:
        source.unlink()


def test_the_largest_document_is_checked_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "big.md"
    source.write_bytes(SEED_TEXT.encode() + b" " * (MAX_BYTES + 1 - len(SEED_TEXT.encode())))
    with pytest.raises(InputError, match="more than the 10,485,760 bytes"):
        read_document(source)
    monkeypatch.setenv("POLICYKG_MAX_DOCUMENT_BYTES", str(MAX_BYTES + 1))
    assert read_document(source).blocks


# --------------------------------------------------------------------------------------------
# Printing: the exit code is decided before, and the locale cannot fail a message
# --------------------------------------------------------------------------------------------

CHINESE = _titled("服务贸易创新发展试点").replace("**Overall Plan**", "**Overall Plan for Café Pilots**")


def test_an_ascii_terminal_gets_escaped_names_and_exit_0(tmp_path: Path) -> None:
    source = tmp_path / "update.md"
    source.write_text(CHINESE, encoding="utf-8")
    proc = cli("build", str(source), "--out", str(tmp_path / "dist"), env={"PYTHONIOENCODING": "ascii"})
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "Caf\\xe9" in proc.stdout and "published to" in proc.stdout
    assert (tmp_path / "dist" / "SHA256SUMS").is_file()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_a_full_standard_output_after_publishing_is_still_exit_0(tmp_path: Path) -> None:
    source = tmp_path / "update.md"
    source.write_text(CHINESE, encoding="utf-8")
    with open("/dev/full", "w") as full:
        proc = cli("build", str(source), "--out", str(tmp_path / "dist"), stdout=full)
    assert proc.returncode == 0, proc.stderr  # published: a lost report is not a failed build
    assert "the report could not be written" in proc.stderr and "published to" in proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert (tmp_path / "dist" / "SHA256SUMS").is_file()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_a_full_standard_output_and_error_change_no_exit_code(good: Path) -> None:
    source = good / "in" / "update.md"
    source.write_text(SEED_TEXT.replace("trial period of three years", "trial period of 8000 years"))
    before = tree(good / "dist")
    try:
        with open("/dev/full", "w") as full:
            proc = subprocess.run([sys.executable, "-m", "policykg", "build", str(source), "--out",
                                   str(good / "dist")], stdout=full, stderr=full, cwd=ROOT, timeout=300,
                                  stdin=subprocess.DEVNULL, check=False)
        assert proc.returncode == 2
        assert tree(good / "dist") == before
        with open("/dev/full", "w") as full:
            proc = subprocess.run([sys.executable, "-m", "policykg", "build", str(SEED), "--out",
                                   str(good / "dist")], stdout=full, stderr=full, cwd=ROOT, timeout=300,
                                  stdin=subprocess.DEVNULL, check=False)
        assert proc.returncode == 0
    finally:
        source.unlink()


def test_a_closed_pipe_keeps_the_exit_code_of_the_build(good: Path) -> None:
    """``policykg build | head -c 1``: the reader goes away; a refused build still exits 1 (it
    once exited 0 for any build whose report met a closed pipe), a published one 0."""
    source = good / "in" / "small.md"
    source.write_text(HEADER + "- **Article 1:** Pilot areas shall open a data channel.\n")
    before = tree(good / "dist")
    try:
        for extra, expected in (((), 1), (("--out", str(good / "other")), 0)):
            args = " ".join(["build", str(source), "--out", str(good / "dist"), *extra])
            script = f"{sys.executable} -m policykg {args} | head -c 1 > /dev/null; exit ${{PIPESTATUS[0]}}"
            proc = subprocess.run(["bash", "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=300,
                                  check=False)
            assert proc.returncode == expected, proc.stderr
            assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
        assert tree(good / "dist") == before  # the refused build (fewer than half the facts) left it
    finally:
        source.unlink()


# --------------------------------------------------------------------------------------------
# The genre's text oddities: the same facts as the seed
# --------------------------------------------------------------------------------------------

_SUP = {"¹": "1", "²": "2", "³": "3"}


def _markdown_footnotes(text: str) -> str:
    text = re.sub(r"(?m)^([¹²³]) ", lambda m: f"[^{_SUP[m.group(1)]}]: ", text)
    return re.sub(r"[¹²³]", lambda m: f"[^{_SUP[m.group()]}]", text)


ODDITIES = {
    "crlf": lambda t: t.replace("\n", "\r\n"),
    "cr": lambda t: t.replace("\n", "\r"),
    "bom": lambda t: "\ufeff" + t,
    "bom-crlf": lambda t: "\ufeff" + t.replace("\n", "\r\n"),
    "straight-quotes": lambda t: t.replace("“", '"').replace("”", '"').replace("’", "'"),
    "curly-quotes": lambda t: re.sub(r"(?<=\w)'(?=\w)", "’", t).replace('"', "”"),
    "nbsp": lambda t: t.replace("Article 75:", "Article\u00a075:").replace(
        "Ministry of Industry and Information", "Ministry\u00a0of Industry\u00a0and Information").replace(
        "Beijing, Shanghai, Hainan", "Beijing,\u00a0Shanghai,\u00a0Hainan"),
    "bracket-markers": lambda t: re.sub(r"[¹²³]", lambda m: f"[{_SUP[m.group()]}]", t),
    "markdown-footnotes": _markdown_footnotes,
}


@pytest.fixture(scope="module")
def seed_facts(tmp_path_factory: pytest.TempPathFactory) -> set:
    return facts(SEED_TEXT, tmp_path_factory.mktemp("seed"))[1]


@pytest.mark.parametrize("oddity", sorted(ODDITIES))
def test_a_text_oddity_of_the_genre_gives_the_seeds_facts(oddity: str, tmp_path: Path, seed_facts: set) -> None:
    text = ODDITIES[oddity](SEED_TEXT)
    assert text != SEED_TEXT
    _, data = facts(text.encode("utf-8"), tmp_path)
    assert data == seed_facts, (sorted(seed_facts - data)[:5], sorted(data - seed_facts)[:5])


# --------------------------------------------------------------------------------------------
# Linear time, by counting work
# --------------------------------------------------------------------------------------------

class Work:
    """Counts the work of policykg's code: bytecodes executed (``sys.settrace``), characters handed
    to its regular expressions (its compiled patterns and the ``re`` functions it calls, wrapped
    while counting: a search that finds nothing counts every character it was given, one that
    finds something those up to its end, a match those it matched; a pattern given as a string
    its length), characters copied into evidence (a sentence quoted once per fact), and the
    characters of every string that a string method copying all of it is called on
    (``sys.setprofile``: ``text.splitlines()`` for each of n items is quadratic although it is
    one bytecode)."""

    #: the string methods that read the whole of their string, whatever their arguments
    WHOLE = frozenset({"splitlines", "split", "rsplit", "lower", "upper", "casefold", "replace", "strip",
                       "lstrip", "rstrip", "encode", "translate", "expandtabs", "title", "capitalize"})

    def __init__(self) -> None:
        self.lines = 0
        self.chars = 0

    @property
    def total(self) -> int:
        return self.lines + self.chars

    def _tracer(self, frame, event, arg):
        if frame.f_code.co_filename.startswith(str(SRC)):
            frame.f_trace_opcodes = True  # a comprehension's loop is one line: count its steps
            return self._step
        return None

    def _step(self, frame, event, arg):
        if event == "opcode":
            self.lines += 1
        return self._step

    def _profile(self, frame, event, arg):
        if event == "c_call" and isinstance(getattr(arg, "__self__", None), str) and \
                arg.__name__ in self.WHOLE and frame.f_code.co_filename.startswith(str(SRC)):
            self.chars += len(arg.__self__)

    def scanned(self, string: str, pos: int, endpos: int | None, until: int | None) -> None:
        end = len(string) if endpos is None else min(endpos, len(string))
        self.chars += max(1, (end if until is None else until) - pos)

    @contextmanager
    def counting(self, monkeypatch: pytest.MonkeyPatch) -> Iterator[Work]:
        for module in [m for name, m in sys.modules.items() if name.startswith("policykg") and m]:
            for name, value in list(vars(module).items()):
                if isinstance(value, re.Pattern):
                    monkeypatch.setattr(module, name, _Counting(value, self))
        for name in ("search", "match", "fullmatch", "finditer", "findall", "sub", "split"):
            monkeypatch.setattr(re, name, _counting_function(getattr(re, name), name, self))
        evidence = extract_module.Evidence

        def counted_evidence(*args, **kwargs):
            made = evidence(*args, **kwargs)
            self.chars += len(made.exact)
            return made

        monkeypatch.setattr(extract_module, "Evidence", counted_evidence)
        sys.settrace(self._tracer)
        sys.setprofile(self._profile)
        try:
            yield self
        finally:
            sys.setprofile(None)
            sys.settrace(None)
            monkeypatch.undo()


class _Counting:
    """A compiled pattern that tells :class:`Work` how much text it scans."""

    def __init__(self, pattern: re.Pattern[str], work: Work) -> None:
        self._pattern, self._work = pattern, work

    def __getattr__(self, name: str):
        return getattr(self._pattern, name)

    def search(self, string, pos=0, endpos=sys.maxsize):
        m = self._pattern.search(string, pos, endpos)
        self._work.scanned(string, pos, endpos, m.end() if m else None)
        return m

    def match(self, string, pos=0, endpos=sys.maxsize):
        m = self._pattern.match(string, pos, endpos)
        self._work.scanned(string, pos, endpos, m.end() if m else pos + 1)
        return m

    def fullmatch(self, string, pos=0, endpos=sys.maxsize):
        m = self._pattern.fullmatch(string, pos, endpos)
        self._work.scanned(string, pos, endpos, m.end() if m else pos + 1)
        return m

    def finditer(self, string, pos=0, endpos=sys.maxsize):
        last = pos
        for m in self._pattern.finditer(string, pos, endpos):
            self._work.scanned(string, last, endpos, max(m.end(), last + 1))
            last = max(m.end(), last + 1)
            yield m
        self._work.scanned(string, last, endpos, None)

    def findall(self, string, pos=0, endpos=sys.maxsize):
        self._work.scanned(string, pos, endpos, None)
        return self._pattern.findall(string, pos, endpos)

    def sub(self, repl, string, count=0):
        self._work.scanned(string, 0, None, None)
        return self._pattern.sub(repl, string, count)

    def split(self, string, maxsplit=0):
        self._work.scanned(string, 0, None, None)
        return self._pattern.split(string, maxsplit)


def _counting_function(function, name: str, work: Work):
    def counted(pattern, string, *args, **kwargs):
        if isinstance(pattern, _Counting):
            pattern = pattern._pattern
        elif isinstance(pattern, str):  # compiled (or found in re's cache) at each call
            work.chars += len(pattern)
        if isinstance(string, str):
            work.scanned(string, 0, None, None)
        return function(pattern, string, *args, **kwargs)

    counted.__name__ = name
    return counted


def pipeline(text: str, lexicon) -> None:
    """What a build does in Python around reasoning: read, extract, reconcile, map, curate and
    the review of what it found (which quotes a sentence for each of thousands of items)."""
    doc = parse_document(text, "/tmp/growth.md")
    extraction = extract(doc, lexicon)
    reconciled = reconcile([extraction])
    curated = curate(map_records(reconciled.records), Curation(None), build=_BUILD)
    warnings = doc.warnings + extraction.document.warnings + reconciled.warnings + curated.warnings
    collect_review([extraction], reconciled, curated, warnings)


_BUILD = BuildInfo("https://w3id.org/policykg/id/build/growth", "0", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z")


#: n and k·n for each pattern (k = 4 unless said): the seed, in bytes, 8 times over, so that a
#: path quadratic in its copies (a pass over every record for each base of each copy's list)
#: stands out from the linear work of reading and extracting each copy.
WORK_SIZES = {"seed": (40_000, 320_000),
              # the quadratic term (measures x paragraphs) only outgrows the linear work of
              # reading each measure past a few hundred measures
              "forerunner-paragraphs": (600, 2_400)}
SMALL = (150, 600)


@pytest.mark.parametrize("pattern", ["ministry", "ministry-of-commerce-and", "full-name-abbr",
                                     "bold-notices",
                                     "long-paragraph", "long-article", "footnote-areas", "agencies", "seed",
                                     "and-ministry-of", "undefined-abbreviations", "brackets", "trial-periods",
                                     "heads-in-a-row", "issued-without-end", "short-bold-lines",
                                     "forerunner-paragraphs", "called-names", "short-names", "possessive-names",
                                     "event-days"])
def test_work_grows_linearly(pattern: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The work of n and of k·n repetitions: k times as much (up to 1.25·k), never k²."""
    lexicon = load_lexicon()
    small, large = WORK_SIZES.get(pattern, SMALL)
    k = large / small
    texts = [_work_document(pattern, small), _work_document(pattern, large)]
    pipeline(texts[0], lexicon)  # caches warm: what is counted is the work, not the first call
    counts = []
    for text in texts:
        with Work().counting(monkeypatch) as work:
            pipeline(text, lexicon)
        counts.append(work)
    ratio = counts[1].total / counts[0].total
    assert ratio <= 1.25 * k, (f"{pattern}: work x{ratio:.1f} for {k:g}x the input (bytecodes {counts[0].lines} -> "
                               f"{counts[1].lines}, characters {counts[0].chars} -> {counts[1].chars})")


def _work_document(pattern: str, n: int) -> str:
    """The patterns of bench/growth.py, and a few more that once were quadratic."""
    head = growth.HEAD.format(name=pattern)
    if pattern == "and-ministry-of":  # a phrase whose class was computed on the whole phrase at each "and"
        return head + f"- **Article 1:** The Bar of Foo and {'Ministry of Trade and ' * n}Ministry of X will guide.\n"
    if pattern == "undefined-abbreviations":  # each warning quoted its sentence, found anew
        return head + "- **Article 1:** " + "".join(f"The QX{k:05d} will guide. " for k in range(n)) + "\n"
    if pattern == "brackets":  # a link's text and target looked up to 300 and 2,000 characters ahead
        return head + "- **Article 1:** " + "[[[(((" * n + "](" * n + " MIIT will guide.\n"
    if pattern == "heads-in-a-row":  # each head word walked over all the others, left and right
        return head + "- **Article 1:** The " + "Notice " * n + "will apply.\n"
    if pattern == "issued-without-end":  # each name looked for its end to the end of the text
        return head + "- **Article 1:** x.\n\nMOFCOM " + "issued a notice for trade " * n + "\n"
    if pattern == "short-bold-lines":  # each looked for the block after it among all that follow
        return head + "**Data Rules**\n\n" * n + "- **Article 1:** x.\n"
    if pattern == "forerunner-paragraphs":  # each paragraph after a measure indexed every measure anew
        return head + "".join(f"- **Article {k + 1}:** Pilot zones open data services.\n\n"
                              f"The measure above is first piloted in Beijing.\n\n" for k in range(n))
    if pattern == "called-names":  # each 'called the "X Measures"' looked back over every mention
        return head + "- **Article 1:** x.\n\n" + "".join(
            f'The **Notice on Trade {k}** is widely called the "Trade {k} Measures". ' for k in range(n)) + "\n"
    if pattern == "short-names":  # each new two-word name compared with every document named before
        return head + "- **Article 1:** x.\n\n" + "".join(f"The **{growth.word(k)} Measures** apply. " for k in range(n)) + "\n"
    if pattern == "possessive-names":  # each "its" looked for the sentence's subject again
        return head + "- **Article 1:** x.\n\nThe CAC issued " + ", ".join(
            f"its **Notice on {growth.word(k)}**" for k in range(n)) + ".\n"
    if pattern == "event-days":  # each day of an event looked for its document among all before
        return head + "- **Article 1:** x.\n\n" + " ".join(
            f"the **Notice on {growth.word(k)}** was published on 3 May 2020 and took effect on 4 May 2020,"
            for k in range(n)) + " all of them.\n"
    if pattern == "trial-periods":  # each trial period looked for its start among every record
        return head.replace("with a trial period of three years.", "with a trial period of three years. " * n) + \
            "- **Article 1:** Pilot areas shall open a data channel.\n"
    return growth_document(pattern, n)


# --------------------------------------------------------------------------------------------
# The linear algorithms give what the quadratic ones gave
# --------------------------------------------------------------------------------------------

SETTINGS = settings(max_examples=400, deadline=None, derandomize=True, database=None,
                    phases=[Phase.explicit, Phase.generate], suppress_health_check=[HealthCheck.too_slow])

_NAME_WORDS = ["Ministry", "of", "and", "the", "Commerce", "(CAC)", "(C)", "(AB)", "(Ab1)", "x", "aB", "(",
               ")", "CAC", "&", "M-x", "’", "In", "(MIIT)(X)", "((AB))", "in", "A", "B1", "Bureau", "for"]


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(_NAME_WORDS), st.sampled_from(["", " ", "  ", "\n"])), max_size=16))
def test_definitions_are_the_matches_of_DEFINITION(words: list[tuple[str, str]]) -> None:
    text = "".join(w + s for w, s in words)
    expected = [(m.span(), m.group("name"), m.group("abbr")) for m in DEFINITION.finditer(text)]
    assert [(m.span(), m.group("name"), m.group("abbr")) for m in definitions(text)] == expected


@SETTINGS
@given(st.text(alphabet=list("[]()*a b\n^1¹-\u200b:xA\t_"), max_size=40), st.integers(0, 40), st.integers(0, 40))
def test_the_markup_spans_are_the_matches_of_the_reference_expression(text: str, a: int, b: int) -> None:
    start, end = sorted((min(a, len(text)), min(b, len(text))))
    assert list(_markup_spans(text, start, end)) == [m.span() for m in MARKUP_REFERENCE.finditer(text, start, end)]


@pytest.mark.parametrize("text", [
    "[" + "a" * 300 + "](x)", "[" + "a" * 301 + "](x)", "](" + "a" * 2000 + ")", "](" + "a" * 2001 + ")",
    "[" + "a" * 299 + "](" + "b" * 1999 + ")", "[[[" * 500 + "](" * 500,
])
def test_long_link_texts_and_targets_are_markup_as_before(text: str) -> None:
    assert list(_markup_spans(text, 0, len(text))) == [m.span() for m in MARKUP_REFERENCE.finditer(text)]


@SETTINGS
@given(st.lists(st.lists(st.sampled_from(["foo", "bar", "Foo", "BAR", "baz", "of", "-", "'", ",", ".", "(x)", "a"]),
                         min_size=1, max_size=3), min_size=1, max_size=5),
       st.lists(st.tuples(st.sampled_from(["foo", "bar", "Foo", "BAR", "baz", "of", "-", "'", ",", ".", "(x)", "a"]),
                          st.sampled_from([" ", "", "  "])), max_size=14))
def test_the_name_index_finds_what_the_expression_of_every_name_found(names: list[list[str]],
                                                                       words: list[tuple[str, str]]) -> None:
    keys: dict[str, str] = {}
    for i, name in enumerate(names):
        keys.setdefault(normalise(" ".join(name)).casefold(), f"iri{i}")
    text = normalise("".join(w + s for w, s in words))
    pattern = "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))
    expected = [(m.start(), m.end(), keys[m.group(0).casefold()])
                for m in re.finditer(rf"(?<![\w'’-])(?:{pattern})(?![\w'’-])", text, re.IGNORECASE)]
    assert list(_NameIndex(keys).find(text)) == expected


_DOCUMENT_WORDS = ["Plan", "plan", "PLAN", "Table", "Overall", "overall", "Notice", "on", "Data", "(Trial)", "-", "'",
                   "s", ",", ".", "Plans", "x"]


@SETTINGS
@given(st.lists(st.lists(st.sampled_from(_DOCUMENT_WORDS), min_size=1, max_size=3), min_size=1, max_size=4),
       st.lists(st.tuples(st.sampled_from(_DOCUMENT_WORDS), st.sampled_from([" ", "", "  ", "\n"])), max_size=14))
def test_document_names_are_found_where_one_expression_per_name_found_them(names: list[list[str]],
                                                                           words: list[tuple[str, str]]) -> None:
    """extract._DocumentNames (one automaton) finds what one expression per name found."""
    pairs = sorted(((" ".join(n), i) for i, n in enumerate(names)), key=lambda x: -len(x[0]))
    text = "".join(w + s for w, s in words)
    expected = []
    for i, (short, _) in enumerate(pairs):
        flags = re.IGNORECASE if len(short.split()) > 1 else 0
        expected += [(i, m.start(), m.end()) for m in re.finditer(rf"(?<!\w){re.escape(short)}(?!\w)", text, flags)]
    assert extract_module._DocumentNames(pairs).find(text) == expected


_HEADS = sorted({w for hw in head_words() if hw.kind == "agency" for w in hw.head.split()})


@SETTINGS
@given(st.lists(st.lists(st.sampled_from(["of", "and", "the", "Foo", "Bar", "X", *_HEADS]), min_size=1, max_size=5),
                min_size=1, max_size=6))
def test_the_head_words_of_a_growing_name_give_its_class(parts: list[list[str]]) -> None:
    heads = _HeadWords()
    heads.add(" ".join(parts[0]))
    for part in parts[1:]:
        heads.add(" and " + " ".join(part))
    name = " and ".join(" ".join(p) for p in parts)
    assert class_by_head("agency", heads.name()) == class_by_head("agency", name)


def _trim_name_before(self, name: str) -> tuple[str, int]:
    skip = 0
    while True:
        m = re.match(r"^(?:(?:The|the|and|or)\s+)", name[skip:])
        if m:
            skip += m.end()
            continue
        known = [m for m in re.finditer(r"\s+(?:and|&)\s+", name[skip:])
                 if self._known_agency(name[skip:skip + m.start()])]
        if known:
            skip += known[-1].end()
            continue
        return name[skip:], skip


@pytest.fixture(scope="module")
def seed_extractor():
    x = extract_module._Extractor(read_document(SEED), load_lexicon())
    x.find_definitions()
    x.mint("agency", "Foo Bureau and Foo", x.evidence(0, 5))
    return x


_TRIM_WORDS = ["The", "the", "and", "or", "&", "Ministry", "of", "Commerce", "MIIT", "CAC", "Cyberspace",
               "Administration", "China", "Foo", "Bureau", "Science", "Technology", "Industry", "Information"]


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(_TRIM_WORDS), st.sampled_from([" ", " ", "  ", "\n"])), min_size=1,
                max_size=12))
def test_trimming_a_name_drops_what_it_dropped_before(seed_extractor, words: list[tuple[str, str]]) -> None:
    name = "".join(w + s for w, s in words).strip()
    assert seed_extractor._trim_name(name) == _trim_name_before(seed_extractor, name)


def _sentences_before(view: View) -> list[tuple[int, int]]:
    """textutil.sentences as it was: the look back for "No.", "e.g." ... from the start."""
    out, start = [], 0
    for match in textutil._SENTENCE_END.finditer(view.clean):
        if textutil._NO_BREAK_BEFORE.search(view.clean, 0, match.start()):
            continue
        out.append((start, match.start()))
        start = match.end()
    if start < len(view.clean) and view.clean[start:].strip():
        out.append((start, len(view.clean.rstrip())))
    return out


@SETTINGS
@given(st.lists(st.sampled_from(["See", "Art.", "No.", "Mr.", "e.g.", "i.e.", "approx.", "vs.", "St.", "5.", "X.",
                                 "it.", "(A", "“B", "*C", "!", "?", " ", "\n", "the", "xNo.", "Dr."]), max_size=20))
def test_sentences_split_where_they_did(words: list[str]) -> None:
    text = " ".join(words)
    view = View.of(text, 0, len(text))
    assert list(textutil.sentences(view)) == _sentences_before(view)


# --------------------------------------------------------------------------------------------
# Adversarial policy updates from the genre's vocabulary, through build()
# --------------------------------------------------------------------------------------------

VOCABULARY = [
    "Ministry of Commerce", "(MOFCOM)", "**MOFCOM**", "Cyberspace Administration of China", "(CAC)", "CAC", "MIIT",
    "National Development and Reform Commission", "(NDRC)", "State Council", "Ministry", "Bureau of", "Commission",
    "Administration", "and", "of", "the", ",", "&", "(", ")", "**", "*", "_", "[1]", "¹", "²", "[^1]", "[2](x)",
    "will guide and formulate the policy.", "shall support and guide", "issued", "co-released", "by the",
    "is responsible for", "under the guidance of", "Lead agencies:", "Responsible:", "**Notice on Data Pilots**",
    "notice", "Overall Plan", "Table", "the Measures", "Provisions on Data (Trial)", "Attached List", "Beijing",
    "Shanghai", "Xiong'an New Area", "Bei\u0301jing", "pilot areas", "28 provinces and cities/areas", "including",
    "on August 14", "on 2 April", "on December 31, 9999", "on 29 February 2021", "with a trial period of three years",
    "trial period of 8000 years", "trial period of 9999 months", "trial period of zero years", "Article 75:",
    "Article 0:", "Article -5:", "Article 99999:", "Article 100000:", "(75)", "No. 3", "第5条", "75.", "the two measures above",
    "as forerunners", "\u200b", "\u200d", "\u202e", "\u00a0", "\ufeff", "“", "”", "’", "\r\n", "\n", "国务院", "数据",
    "export bases are:", "Full names of the two documents:", "e.g.", "No.", "etc.", "1" * 40, "¹" * 10, "-\n",
]
MONTH_LINES = ["September 2020", "December 9999", "January 0001", "Sept. 2021", "", "13 2020", "February 2024"]


@st.composite
def adversarial_updates(draw) -> str:
    def paragraph(max_size: int = 14) -> str:
        parts = draw(st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=max_size))
        return "".join(p + draw(st.sampled_from([" ", "", " ", "\n"])) for p in parts).strip() or "x"

    title = draw(st.sampled_from(["Data Pilots", "数据出境", "Notice on **Data**", "Data Pilots", "Article 5: Title",
                                  "¹ Title", "Innovative Development of Trade in Services in Pilot Areas"]))
    lines = [f"# {title}", "", f"Policy Update on Measures regarding Data | {draw(st.sampled_from(MONTH_LINES))}", ""]
    for _ in range(draw(st.integers(0, 3))):
        lines += [paragraph(), ""]
    lines += [f"- **{paragraph(3)}**", ""]
    for k in draw(st.lists(st.integers(1, 120), min_size=1, max_size=4)):
        lines.append(f"- **Article {k}:** {paragraph()}")
    lines.append("")
    # the footnotes the markers of the vocabulary point at, mostly there (else: a marker with no
    # footnote, refused) and in any of the genre's forms
    for forms in (("¹", "[1]", "[^1]:"), ("²", "[2]", "[^2]:")):
        if draw(st.integers(0, 9)):
            lines += [f"{draw(st.sampled_from(forms))} {paragraph(10)}", ""]
    return "\n".join(lines)


@settings(max_examples=45, deadline=None, derandomize=True, database=None,
          phases=[Phase.explicit, Phase.generate], suppress_health_check=[HealthCheck.too_slow,
                                                                          HealthCheck.data_too_large])
@given(adversarial_updates())
def test_an_adversarial_update_is_a_result_or_an_input_error(text: str) -> None:
    note(text)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "update.md"
        source.write_text(text, encoding="utf-8")
        try:
            result = build([source], Path(tmp) / "dist")
        except InputError as exc:
            assert exc.path is not None and Path(exc.path).resolve() == source.resolve(), str(exc)
            assert str(exc).startswith(str(exc.path))
            return
        assert result.published or result.refusals
        if result.published:
            data = {(str(q.subject), str(q.predicate), str(q.object))
                    for q in result.store.quads_for_pattern(None, None, None, GRAPHS["data"])}
            assert not any(c in o for _, _, o in data for c in "\u200b\u200d\u202e\ufeff")

