"""Fuzzing the whole pipeline with mutated policy updates (hypothesis).

The promise (README, "Bad input"): whatever a source document looks like, ``policykg build``
either publishes a graph that passes the SHACL gate, or refuses it with a clear error — exit 1
with the gate's report, or exit 2 with ``file:line: message`` — and in both refusals the
output folder is exactly as it was. Never a traceback, a hang or a partial output.

The documents mutated are the real ones (``sources/*.md`` and ``tests/documents/*.md``), each
with 1-4 mutations: deleted and duplicated lines, shuffled bullets, truncation, random Unicode
(RTL and bidi controls, combining marks, emoji, NUL, U+2028, lone surrogates as invalid UTF-8
via ``surrogateescape``), binary noise, other line ends, footnote markers and footnotes
removed or duplicated, article numbers made duplicates.

Both properties are derandomized (the same examples on every run) and have no example
database, so CI sees the same inputs every time.
"""
from __future__ import annotations

import faulthandler
import hashlib
import re
import signal
import subprocess
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

from policykg.pipeline.build import build
from policykg.errors import InputError, PolicykgError

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "sources" / "2020-09-services-trade-pilot-areas-data.md"
DOCUMENTS = sorted(
    [p for p in (ROOT / "sources").glob("*.md") if p.name != "README.md"]
    + [p for p in (ROOT / "tests" / "documents").glob("*.md") if p.name != "README.md"])
ORIGINALS: dict[str, bytes] = {p.name: p.read_bytes() for p in DOCUMENTS}

BUILD_SECONDS = 20  # one in-process build of one mutated document (a good one takes < 1 s)
CLI_SECONDS = 60

# --------------------------------------------------------------------------------------------
# Mutations. Each takes hypothesis' ``draw`` and the document's bytes and returns new bytes and
# a note of what it did. Text-level mutations decode with ``surrogateescape``, so that any bytes
# (including invalid UTF-8 from earlier mutations) survive the round trip unchanged.
# --------------------------------------------------------------------------------------------

Mutation = Callable[[Callable, bytes], tuple[bytes, str]]


def _text(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def _lines(text: str) -> list[tuple[str, str]]:
    """(content, line end) of each line, as the document reader splits them (\\r\\n, \\r, \\n)."""
    out = []
    for match in re.finditer(r"([^\r\n]*)(\r\n|\r|\n|$)", text):
        if match.group(0) == "" and match.start() == len(text):
            break
        out.append((match.group(1), match.group(2)))
    return out


def _join(lines: list[tuple[str, str]]) -> str:
    return "".join(c + e for c, e in lines)


def _line_count(data: bytes) -> int:
    return len(re.findall(rb"\r\n|\r|\n", data)) + 1


def delete_lines(draw, data: bytes) -> tuple[bytes, str]:
    lines = _lines(_text(data))
    if not lines:
        return data, "delete: nothing"
    i = draw(st.integers(0, len(lines) - 1))
    n = draw(st.integers(1, 4))
    del lines[i:i + n]
    return _bytes(_join(lines)), f"delete lines {i + 1}-{i + n}"


def duplicate_lines(draw, data: bytes) -> tuple[bytes, str]:
    lines = _lines(_text(data))
    if not lines:
        return data, "duplicate: nothing"
    i = draw(st.integers(0, len(lines) - 1))
    n = draw(st.integers(1, 3))
    j = draw(st.integers(0, len(lines)))
    chunk = [(c, e or "\n") for c, e in lines[i:i + n]]
    lines[j:j] = chunk
    return _bytes(_join(lines)), f"duplicate lines {i + 1}-{i + n} before line {j + 1}"


BULLET_LINE = re.compile(r"^[ \t]*[-*•][ \t]+\S")


def shuffle_bullets(draw, data: bytes) -> tuple[bytes, str]:
    """Permute the bullets of one block (bullet lines separated by nothing but blank lines)."""
    lines = _lines(_text(data))
    groups: list[list[int]] = []
    current: list[int] = []
    for index, (content, _) in enumerate(lines):
        if BULLET_LINE.match(content):
            current.append(index)
        elif content.strip():
            if len(current) > 1:
                groups.append(current)
            current = []
    if len(current) > 1:
        groups.append(current)
    if not groups:
        return data, "shuffle: no bullets"
    group = draw(st.sampled_from(groups))
    order = draw(st.permutations(group))
    contents = [lines[i][0] for i in order]
    for index, content in zip(group, contents):
        lines[index] = (content, lines[index][1])
    return _bytes(_join(lines)), f"shuffle bullets of lines {[g + 1 for g in group]} as {[o + 1 for o in order]}"


def truncate(draw, data: bytes) -> tuple[bytes, str]:
    cut = draw(st.integers(0, len(data)))
    return data[:cut], f"truncate at byte {cut}"


SPECIAL_TEXT = [
    "\u200f", "\u200e", "\u202e", "\u202b", "\u2066", "\u2069",  # RTL marks, bidi overrides/isolates
    "\u0301", "\u0338", "\u20dd", "e\u0301\u0301\u0301",  # combining characters
    "😀", "👩‍👩‍👧", "🇨🇳", "\U0001f9ea",  # emoji, ZWJ sequence, flag
    "\x00", "\x07", "\x1b[31m", "\x7f", "\x85", "\u2028", "\u2029", "\x0b", "\x0c",  # controls
    "\ufeff", "\u200b", "\u00a0", "\u3000", "\ufffd",  # BOM, zero-width, odd spaces
    "\udc80", "\udcff", "\udcc3", "\udced\udca0\udc80",  # lone surrogates -> invalid UTF-8 bytes
    "\r", "\n", "\r\n", "\t", "  ",
    "¹", "²", "⁹", "¹²³", "[1]", "[^2]", "[7]:", "**", "*", "_", "：", "Article 75:", "Article 0:",
    "- ", "• ", "**Article 9999:** ", "(", ")", "(MIIT)", "(X)", "<>", "\"", "'", "\\", "#", "`",
    "中华人民共和国", "國務院", "العربية", "עברית", "Ω", "ℌ", "ﬁ", "Ａｒｔｉｃｌｅ",
]


@st.composite
def unicode_snippets(draw) -> str:
    parts = draw(st.lists(st.one_of(st.sampled_from(SPECIAL_TEXT), st.characters(codec="utf-8")),
                          min_size=1, max_size=12))
    return "".join(parts)


def insert_unicode(draw, data: bytes) -> tuple[bytes, str]:
    text = _text(data)
    snippet = draw(unicode_snippets())
    at = draw(st.integers(0, len(text)))
    return _bytes(text[:at] + snippet + text[at:]), f"insert {snippet!r} at character {at}"


SPECIAL_BYTES = [b"\x00", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf", b"\xc3", b"\xe4\xb8", b"\xed\xa0\x80",
                 b"\xf4\x90\x80\x80", b"\xc0\xaf", b"\x80", b"\x89PNG\r\n\x1a\n", b"PK\x03\x04", b"\x1f\x8b"]


def binary_noise(draw, data: bytes) -> tuple[bytes, str]:
    noise = draw(st.one_of(st.sampled_from(SPECIAL_BYTES), st.binary(min_size=1, max_size=32)))
    at = draw(st.integers(0, len(data)))
    overwrite = draw(st.booleans())
    end = at + (len(noise) if overwrite else 0)
    return data[:at] + noise + data[end:], f"{'overwrite' if overwrite else 'insert'} {noise!r} at byte {at}"


def line_endings(draw, data: bytes) -> tuple[bytes, str]:
    lines = _lines(_text(data))
    style = draw(st.sampled_from(["\r\n", "\r", "\n", "mixed", "none at end"]))
    if style == "none at end":
        return data.rstrip(b"\r\n"), "no line end at the end"
    if style == "mixed":
        ends = draw(st.lists(st.sampled_from(["\r\n", "\r", "\n"]), min_size=len(lines), max_size=len(lines)))
    else:
        ends = [style] * len(lines)
    lines = [(c, ends[i] if e else e) for i, (c, e) in enumerate(lines)]
    return _bytes(_join(lines)), f"line ends {style!r}"


MARKER_TEXT = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+|\[\^?\d{1,3}\](?![(:])")
FOOTNOTE_LINE = re.compile(r"^[ \t]*(?:[⁰¹²³⁴⁵⁶⁷⁸⁹]+|\[\^?\d{1,3}\]:?)[ \t]+\S")


def footnotes(draw, data: bytes) -> tuple[bytes, str]:
    text = _text(data)
    lines = _lines(text)
    defs = [i for i, (c, _) in enumerate(lines) if FOOTNOTE_LINE.match(c)]
    markers = [m for m in MARKER_TEXT.finditer(text)
               if not FOOTNOTE_LINE.match(text[text.rfind("\n", 0, m.start()) + 1:])]
    how = draw(st.sampled_from(["remove marker", "duplicate marker", "new marker",
                                "remove footnote", "duplicate footnote", "renumber footnote"]))
    if how in ("remove marker", "duplicate marker") and markers:
        m = draw(st.sampled_from(markers))
        if how == "remove marker":
            return _bytes(text[:m.start()] + text[m.end():]), f"remove marker {m.group()!r} at {m.start()}"
        at = draw(st.integers(0, len(text)))
        return _bytes(text[:at] + m.group() + text[at:]), f"copy marker {m.group()!r} to {at}"
    if how in ("remove footnote", "duplicate footnote", "renumber footnote") and defs:
        i = draw(st.sampled_from(defs))
        if how == "remove footnote":
            del lines[i]
            return _bytes(_join(lines)), f"remove footnote line {i + 1}"
        if how == "duplicate footnote":
            j = draw(st.integers(0, len(lines)))
            lines[j:j] = [("", "\n"), (lines[i][0], "\n"), ("", "\n")]
            return _bytes(_join(lines)), f"duplicate footnote line {i + 1} before line {j + 1}"
        label = draw(st.sampled_from(["¹", "²", "³", "⁹", "[1]", "[^1]:", "[2]", "[999]", "⁰"]))
        content = FOOTNOTE_LINE.sub(lambda m: label + " " + m.group()[-1], lines[i][0], count=1)
        lines[i] = (content, lines[i][1])
        return _bytes(_join(lines)), f"renumber footnote line {i + 1} as {label!r}"
    label = draw(st.sampled_from(["¹", "²", "³", "⁹", "[1]", "[^4]", "[12]", "⁰", "¹⁰"]))
    at = draw(st.integers(0, len(text)))
    return _bytes(text[:at] + label + text[at:]), f"insert marker {label!r} at {at}"


ARTICLE_NUMBER = re.compile(r"(Article\s+)(\d+)")


def article_numbers(draw, data: bytes) -> tuple[bytes, str]:
    text = _text(data)
    found = list(ARTICLE_NUMBER.finditer(text))
    if not found:
        return data, "articles: none"
    m = draw(st.sampled_from(found))
    numbers = sorted({f.group(2) for f in found})
    new = draw(st.one_of(st.sampled_from(numbers), st.sampled_from(["0", "00", "075", "9999", "10000", "1"])))
    return (_bytes(text[:m.start(2)] + new + text[m.end(2):]),
            f"article {m.group(2)} at {m.start()} renumbered {new}")


def bold_markup(draw, data: bytes) -> tuple[bytes, str]:
    text = _text(data)
    stars = [m.start() for m in re.finditer(r"\*\*", text)]
    if stars and draw(st.booleans()):
        at = draw(st.sampled_from(stars))
        return _bytes(text[:at] + text[at + 2:]), f"remove ** at {at}"
    at = draw(st.integers(0, len(text)))
    return _bytes(text[:at] + "**" + text[at:]), f"insert ** at {at}"


MUTATIONS: dict[str, Mutation] = {
    "delete_lines": delete_lines, "duplicate_lines": duplicate_lines, "shuffle_bullets": shuffle_bullets,
    "truncate": truncate, "insert_unicode": insert_unicode, "binary_noise": binary_noise,
    "line_endings": line_endings, "footnotes": footnotes, "article_numbers": article_numbers,
    "bold_markup": bold_markup,
}


@st.composite
def mutated_documents(draw) -> tuple[str, bytes, tuple[str, ...]]:
    """(file name, mutated bytes, what was done) for one real document and 1-4 mutations."""
    name = draw(st.sampled_from(sorted(ORIGINALS)))
    data = ORIGINALS[name]
    done = []
    for op in draw(st.lists(st.sampled_from(sorted(MUTATIONS)), min_size=1, max_size=4)):
        data, what = MUTATIONS[op](draw, data)
        done.append(f"{op}: {what}")
    return name, data, tuple(done)


# --------------------------------------------------------------------------------------------
# Helpers: snapshots of the output, a time limit.
# --------------------------------------------------------------------------------------------


def snapshot(out: Path) -> dict[str, object]:
    """Every file of ``out`` and ``out.prev`` with its digest, and the names beside ``out``."""
    files = {}
    for folder in (out, out.with_name(out.name + ".prev")):
        if folder.is_dir():
            for p in sorted(folder.rglob("*")):
                if p.is_file():
                    files[str(p.relative_to(out.parent))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return {"files": files, "beside": sorted(p.name for p in out.parent.iterdir())}


def check_published(out: Path) -> None:
    """A published build is complete: nt parses, the gate passed, SHA256SUMS holds."""
    triples = list(ox.parse(path=str(out / "policykg.nt"), format=ox.RdfFormat.N_TRIPLES))
    assert triples, "published policykg.nt is empty"
    quads = list(ox.parse(path=str(out / "policykg.nq"), format=ox.RdfFormat.N_QUADS))
    assert len(quads) >= len(triples), "published policykg.nq holds less than policykg.nt"
    gate_text = (out / "gate.txt").read_text(encoding="utf-8")
    assert gate_text.startswith("SHACL gate: PASSED"), gate_text[:500]
    assert "quality rules: PASSED" in gate_text, gate_text
    sums = (out / "SHA256SUMS").read_text(encoding="utf-8").split("\n")
    listed = set()
    for line in filter(None, sums):
        digest, name = line.split(maxsplit=1)
        name = name.lstrip("*")
        listed.add(name)
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest, name
    assert listed == {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()} - {"SHA256SUMS"}
    beside = {p.name for p in out.parent.iterdir()}
    assert beside <= {out.name, out.name + ".prev", out.name + ".history", f".{out.name}.lock", "in"}, f"left beside the build: {beside}"


class Hang(BaseException):
    """The build took longer than its time limit (BaseException: no ``except Exception`` eats it)."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    def alarm(_signum, _frame):
        raise Hang(f"the build took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    # a hang inside native code never returns to Python: then end the process, with stacks
    faulthandler.dump_traceback_later(seconds * 3, exit=True)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


#: Found by this file: U+0085, U+2028 or U+2029 inside a label ended up as a raw line break in
#: the published policykg.nt and policykg.nq (``str.splitlines`` in serialize._sorted_lines).
LINE_SEPARATOR_IN_TITLE = (
    SEED.name,
    ORIGINALS[SEED.name].replace(b"Innovative Development", "Innovative\u2028Development".encode(), 1),
    ("insert_unicode: insert '\\u2028' in the title",),
)

#: No shrinking: a failing example is reported as generated (its mutations are noted), and a
#: failing run stays as short as a passing one.
PHASES = [Phase.explicit, Phase.reuse, Phase.generate]


def _describe(name: str, data: bytes, done: tuple[str, ...]) -> str:
    return f"document {name}, mutations {list(done)}, {len(data)} bytes"


# --------------------------------------------------------------------------------------------
# Property 1: in process, many examples.
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def good_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An output folder holding a good build (of the seed document)."""
    out = tmp_path_factory.mktemp("fuzz") / "dist"
    result = build([SEED], out)
    assert result.published, result.report.to_text()
    (out.parent / "in").mkdir()
    return out


@settings(max_examples=150, deadline=None, derandomize=True, database=None, print_blob=True, phases=PHASES,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.large_base_example])
@given(doc=mutated_documents())
def test_a_mutated_document_is_published_whole_or_refused_cleanly(good_out: Path, doc) -> None:
    note(_describe(*doc))
    build_one(good_out, doc)


@pytest.mark.parametrize("doc", [LINE_SEPARATOR_IN_TITLE], ids=["line-separator-in-title"])
def test_inputs_found_by_fuzzing(good_out: Path, doc) -> None:
    """Examples the properties found once, kept so that they are tried on every run."""
    build_one(good_out, doc)


def build_one(good_out: Path, doc: tuple[str, bytes, tuple[str, ...]]) -> None:
    """Build one mutated document into ``good_out``: published whole, or refused cleanly."""
    name, data, done = doc
    source = good_out.parent / "in" / name
    for old in source.parent.iterdir():
        old.unlink()
    source.write_bytes(data)
    before = snapshot(good_out)
    try:
        with time_limit(BUILD_SECONDS):
            result = build([source], good_out)
    except Hang as exc:
        raise AssertionError(f"hang: {exc}; {_describe(name, data, done)}") from None
    except InputError as exc:
        assert exc.message and exc.message.strip(), repr(exc)
        assert exc.path is not None and Path(exc.path).resolve() == source.resolve(), \
            f"the error names {exc.path!r}, not the file {source}: {exc}"
        if exc.line is not None:
            assert 1 <= exc.line <= _line_count(data), f"line {exc.line} of a {_line_count(data)}-line file: {exc}"
        assert str(exc).startswith(str(exc.path)), str(exc)
        assert snapshot(good_out) == before, f"bad input changed the output: {exc}"
        return
    except PolicykgError as exc:
        assert str(exc).strip(), repr(exc)
        assert snapshot(good_out) == before, f"an error changed the output: {exc}"
        return
    except Exception as exc:  # anything else is a bug in policykg
        raise AssertionError(f"build() raised {type(exc).__name__}: {exc}\n"
                             f"{_describe(name, data, done)}\n{traceback.format_exc()}") from None
    if result.published:
        assert result.report.passed and (result.quality is None or result.quality.passed)
        check_published(good_out)
    else:
        assert result.report is not None and result.refusals  # refused, and saying why
        gate_failed = not (result.report.passed and (result.quality is None or result.quality.passed))
        shrank = any("fewer than the last good build" in r or "empty" in r for r in result.refusals)
        assert gate_failed or shrank, result.refusals
        assert result.report.to_text().strip()
        assert snapshot(good_out) == before, "a refused build changed the output"


# --------------------------------------------------------------------------------------------
# Property 2: the real command, fewer examples.
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cli_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fuzz-cli") / "dist"
    assert build([SEED], out).published
    (out.parent / "in").mkdir()
    return out


@settings(max_examples=15, deadline=None, derandomize=True, database=None, print_blob=True, phases=PHASES,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.large_base_example])
@given(doc=mutated_documents())
def test_the_command_exits_0_1_or_2_without_a_traceback(cli_out: Path, doc) -> None:
    name, data, done = doc
    note(_describe(name, data, done))
    source = cli_out.parent / "in" / name
    for old in source.parent.iterdir():
        old.unlink()
    source.write_bytes(data)
    before = snapshot(cli_out)
    try:
        proc = subprocess.run([sys.executable, "-m", "policykg", "build", str(source), "--out", str(cli_out)],
                              capture_output=True, timeout=CLI_SECONDS, stdin=subprocess.DEVNULL, cwd=ROOT)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"policykg build hung (> {CLI_SECONDS} s): {_describe(name, data, done)}") from None
    stderr = proc.stderr.decode("utf-8", "replace")
    stdout = proc.stdout.decode("utf-8", "replace")
    assert proc.returncode in (0, 1, 2), f"exit {proc.returncode}\n{stderr}\n{_describe(name, data, done)}"
    assert "Traceback" not in stderr and "Traceback" not in stdout, stderr
    if proc.returncode == 2:
        assert str(source) in stderr, f"exit 2 without the file's name: {stderr}"
    if proc.returncode == 0:
        check_published(cli_out)
    else:
        assert snapshot(cli_out) == before, f"exit {proc.returncode} changed the output: {stderr}"
