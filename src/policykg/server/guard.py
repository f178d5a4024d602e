"""What a query asks for, before anything runs it: its form, and whether it is allowed.

Door: :func:`inspect_query`. A small SPARQL tokenizer (comments, strings and IRIs are skipped as
units, so a keyword inside them never counts) finds the query form and every keyword the
public endpoint refuses:

* updates (``INSERT``, ``DELETE``, ``LOAD``, ``CLEAR``, ``DROP``, ``CREATE``, ``ADD``, ``MOVE``,
  ``COPY``, ``WITH``): the endpoint is read-only;
* ``SERVICE``, with a constant or a variable endpoint: it would make the server open
  connections. pyoxigraph's HTTP client is native code, so this must be refused before the
  query reaches it;
* nesting deeper than :data:`MAX_DEPTH` brackets: refused before a parser recurses on it;
* more than :data:`MAX_TOKENS` tokens: long flat chains (``1+1+...``, ``{} UNION {} ...``,
  ``MINUS {} MINUS {} ...``, a long collection) nest just as deep in pyoxigraph's algebra, and
  overflow its stack (a crash, not an error) a few thousand links in on an 8 MiB stack; the
  worker evaluates on a 256 MiB stack, which this cap keeps well clear of.

The tokenizer errs on the side of refusing: pyoxigraph's parser matches keywords without word
boundaries (``SERVICE:e``, ``SERVICESILENT<x>`` and ``trueSERVICE<x>`` all call a service), so
any word or prefix that contains ``SERVICE`` counts; ``<`` starts an IRI only when what follows
could not be a less-than operator closing its expression (``FILTER(1<2)SERVICE:e#>`` hides
nothing); and a backslash escape in a prefixed name (``ex:a\\#``) stays inside the name.
A quote that opens no complete string makes the query unparseable, and is refused at once.

The tokenizer takes time linear in the query (it runs in the server's event loop): a run of
name characters (``a.b-c...``) is read once, whether or not a ``:`` ends it; it stops at the
first cap exceeded.

``FROM`` and ``FROM NAMED`` are allowed: pyoxigraph resolves them against the graphs of the
store and never fetches them, so ``FROM <file:///etc/passwd>`` names an empty graph.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

MAX_DEPTH = 128
MAX_TOKENS = 50_000

_TOKEN = re.compile(
    r"""(?P<ws>\s+)
      | (?P<comment>\#[^\n\r]*)
      | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
      | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
      | (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
      | (?P<name>[A-Za-z\u00C0-\uFFFF][\w.\-\u00B7\u00C0-\uFFFF]*(?::(?:[\w.\-:%\u00B7\u00C0-\uFFFF]|\\.)*)?
               |:(?:[\w.\-:%\u00B7\u00C0-\uFFFF]|\\.)*)
      | (?P<number>[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)
      | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<other>.)""",
    re.VERBOSE | re.DOTALL,
)
#: The next token after any whitespace and comments (skipped atomically, never given back): one
#: match a token, where :data:`_TOKEN` takes two or three; the same tokens, in the same order.
_NEXT = re.compile(
    r"""(?>(?:\s+|\#[^\n\r]*)*)(?:"""
    + _TOKEN.pattern.split("| (?P<string>", 1)[0].split("(?P<ws>", 1)[0]  # (nothing before ws)
    + "(?P<string>" + _TOKEN.pattern.split("| (?P<string>", 1)[1] + ")",
    re.VERBOSE | re.DOTALL,
)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: Queries up to this length are remembered by :func:`inspect_query` (longer ones would let a
#: client fill the server's memory with distinct megabyte queries).
CACHED_LENGTH = 4096

UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}


@dataclass(frozen=True)
class QueryInfo:
    """The outcome of :func:`inspect_query`."""

    form: str | None  # SELECT, ASK, CONSTRUCT, DESCRIBE; None for an update or garbage
    is_update: bool
    refusal: str | None  # why the query may not run, or None
    has_dataset: bool = False  # the query names its own dataset (FROM / FROM NAMED)

    @property
    def returns_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")


def _iri_or_less_than(body: str) -> bool:
    """True when ``<body>`` is read as an IRI; False when its ``<`` may be a less-than operator
    whose right side closes the expression's bracket (then the text is tokenized as code)."""
    depth = 0
    for ch in body:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0 and not ("'" in body and ("(" in body or ")" in body))


def inspect_query(text: str) -> QueryInfo:
    """Find the form of a SPARQL query and whether the public endpoint refuses it."""
    return _inspect_cached(text) if len(text) <= CACHED_LENGTH else _inspect(text)


@lru_cache(maxsize=4096)
def _inspect_cached(text: str) -> QueryInfo:
    return _inspect(text)


def _inspect(text: str) -> QueryInfo:
    form: str | None = None
    update = False
    depth = deepest = 0
    service = False
    dataset = False
    unterminated = False
    tokens = 0
    pos, end = 0, len(text)
    match_next = _NEXT.match
    while pos < end and tokens <= MAX_TOKENS and deepest <= MAX_DEPTH:
        match = match_next(text, pos)
        if match is None:  # only whitespace and comments were left
            break
        kind = match.lastgroup
        pos = match.end()
        if kind == "iri":
            body = match.group(kind)
            if ("(" in body or ")" in body) and not _iri_or_less_than(body[1:-1]):
                kind, pos = "other", match.start(kind) + 1
        tokens += 1
        if kind == "other":
            ch = text[pos - 1]
            if ch in "({[":
                depth += 1
                deepest = max(deepest, depth)
            elif ch in ")}]":
                depth -= 1
            elif ch in "'\"":
                unterminated = True
                break
            continue
        if kind == "word":
            words = [match.group(kind)]
        elif kind == "name":
            name = match.group(kind)
            if ":" in name:  # a prefixed name: SERVICE:e is the keyword SERVICE to pyoxigraph
                if "SERVICE" in name.partition(":")[0].upper():
                    service = True
                continue
            words = _WORD.findall(name)  # a run of names and dots or dashes: the words in it
            tokens += max(0, 2 * len(words) - 2)
        else:
            continue
        for word in words:
            word = word.upper()
            if word in FORMS and form is None and not update:
                form = word
            elif word in UPDATE_KEYWORDS and form is None:
                update = True
            elif word.startswith("FROM"):
                dataset = True
            if "SERVICE" in word:
                service = True
    return _outcome(form, update, tokens, deepest, unterminated, service, dataset)


def _outcome(form: str | None, update: bool, tokens: int, deepest: int, unterminated: bool, service: bool,
             dataset: bool) -> QueryInfo:
    if update:
        return QueryInfo(None, True, "this endpoint is read-only: SPARQL Update is refused")
    if tokens > MAX_TOKENS:
        return QueryInfo(form, False, f"the query has more than {MAX_TOKENS} tokens", dataset)
    if deepest > MAX_DEPTH:
        return QueryInfo(form, False, f"the query nests brackets more than {MAX_DEPTH} deep", dataset)
    if unterminated:
        return QueryInfo(form, False, "SPARQL syntax error: a string literal is not closed", dataset)
    if service:
        return QueryInfo(form, False, "SERVICE is not allowed: this endpoint makes no outgoing connections",
                         dataset)
    return QueryInfo(form, False, None, dataset)


__all__ = ["CACHED_LENGTH", "MAX_DEPTH", "MAX_TOKENS", "QueryInfo", "inspect_query"]
