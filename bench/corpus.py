"""A deterministic generator of policy updates in the genre of the seed, each with its gold facts.

    python bench/corpus.py N OUT_DIR [--seed S]

writes ``OUT_DIR/<name>.md`` (the update) and ``OUT_DIR/<name>.ttl`` (the facts the build must
produce from it, per tests/gold/README.md). The same (N, seed) gives byte-identical files: all
variety comes from ``random.Random(seed)``; names are unique across the corpus so that the
documents can be built together (titles, notices, plans, tables and lists get distinct IRIs).

Constructs the contract (tests/gold/README.md) is silent on are avoided: new entity names with
apostrophes (which apostrophe goes in the label?), hyphens inside document names (what is a
"word" of the slug?), "Full Name (ABBR)" definitions after a bare use of ABBR, a province item
written "Y Province" right after a city of Y in a list (read as one item "City, Y Province"),
and issue days after the 28th (trial end on a 29 February).
"""
from __future__ import annotations

import argparse
import calendar
import datetime as dt
import hashlib
import random
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

from policykg.pipeline.lexicon import Entry, Lexicon, load_lexicon  # noqa: E402
from policykg.pipeline.recognisers.agencies import PARTY_BODY  # noqa: E402

ID = "https://w3id.org/policykg/id/"
POL = "https://w3id.org/policykg/ontology#"
MONTHS = list(calendar.month_name)[1:]
NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
STOPWORDS = {"a", "an", "and", "the", "of", "for", "in", "on", "to"}
SUPERSCRIPT = {1: "¹", 2: "²", 3: "³"}


@dataclass(frozen=True)
class GeneratedDocument:
    name: str
    text: str
    gold: str


# ------------------------------------------------------------------------------ names, slugs

def slug(name: str) -> str:
    """mappings/README.md: ASCII letters and digits, lower case, apostrophes dropped, other runs '-'."""
    s = re.sub(r"['’]", "", name.lower())
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")


def doc_slug(name: str) -> str:
    """mappings/README.md: a document's content words; past eight, the first eight and a hash."""
    words = [w for w in slug(name).split("-") if w and w not in STOPWORDS]
    if len(words) <= 8:
        return "-".join(words)
    return "-".join(words[:8]) + "-" + hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()[:8]


def dated_slug(name: str, year: int) -> str:
    """A document's slug and its year (unless the slug has the year already)."""
    s = doc_slug(name)
    return s if str(year) in s.split("-") else f"{s}-{year}"


VERBS = ["Promoting", "Developing", "Piloting", "Strengthening", "Advancing", "Expanding", "Improving",
         "Regulating", "Supporting", "Building", "Deepening", "Accelerating"]
ADJECTIVES = ["Secure", "Trusted", "Open", "Industrial", "Public", "Digital", "Smart", "Green", "Rural",
              "Financial", "Medical", "Maritime", "Agricultural", "Urban"]
OBJECTS = ["Data Trading", "Data Sharing", "Cloud Computing", "Data Exchange", "Computing Power",
           "Data Labelling", "Data Asset", "Data Circulation", "Information Service", "Data Annotation"]
DOMAINS = ["Services", "Platforms", "Markets", "Infrastructure", "Exchanges", "Ecosystems", "Governance",
           "Networks"]
#: More words for topics, drawn from only once the topics of the words above are spent (1,680 of
#: them, spent at about 1,650 documents: the corpus of fewer documents is as it was). Each is a
#: word no recogniser reads as a name, an agency, a place or a kind of document; each object is
#: two words, so that the first four words of a topic (what the slugs of plans and tables keep)
#: still tell topics apart. 24 x 28 x 20 = 13,440 topics in all.
MORE_VERBS = ["Fostering", "Enhancing", "Optimising", "Coordinating", "Modernising", "Upgrading",
              "Consolidating", "Integrating", "Cultivating", "Facilitating", "Boosting", "Stimulating"]
MORE_ADJECTIVES = ["Inclusive", "Resilient", "Efficient", "Sustainable", "Coastal", "Creative", "Reliable",
                   "Connected", "Shared", "Unified", "Modern", "Robust", "Agile", "Scalable"]
MORE_OBJECTS = ["Data Quality", "Algorithm Service", "Platform Economy", "Software Service", "Data Storage",
                "Data Analytics", "Content Service", "Data Mining", "Data Brokerage", "Data Hosting"]
PLACES = ["in Pilot Areas", "in Pilot Cities", "in Selected Regions", ""]
PLAN_KINDS = ["Overall", "Work", "Implementation", "Action"]
TABLE_WORDS = ["Table", "Attached Table"]
NEW_CATEGORIES = ["Data Labelling Infrastructure", "Talent and Employment", "Public Data Authorisation",
                  "Data Trading Venues", "Computing Infrastructure", "Digital Trade Facilitation",
                  "Data Asset Registration", "Industrial Data Platforms"]
# (not "Central": "Central ... Commission" is how the Party names its own bodies, which the
# extractor leaves out as no government agency, by design)
AGENCY_PREFIXES = ["National", "State", "General"]
AGENCY_TOPICS = ["Data Standards", "Digital Economy", "Information Security", "Cloud Services",
                 "Data Exchange", "Smart Manufacturing", "Computing Power", "Open Data", "Digital Trade",
                 "Data Assets", "Network Infrastructure", "Data Governance", "Quantum Information",
                 "Satellite Data", "Geospatial Information"]
AGENCY_HEADS = [("Administration", "Administration"), ("Commission", "Commission"), ("Office", "Office"),
                ("Bureau", "GovernmentAgency")]
BASE_SUFFIXES = ["Digital Service Park", "Data Industry Park", "Digital Trade Zone", "Cloud Computing Park",
                 "Service Outsourcing Park", "Digital Content Base", "Software Innovation Park"]
LIST_ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"]
LIST_QUALIFIERS = ["", "national", "provincial", "pilot", "key", "demonstration", "specialised", "regional",
                   "innovative", "leading", "model", "new"]
ARTICLE_SENTENCES = [
    "A dedicated data channel shall be opened for enterprises in pilot areas",
    "Pilot areas will explore a classified supervision model for data flows",
    "Standard contract templates for the licensing of data products shall be drawn up",
    "Enterprises shall keep a record of each data transfer and review these records once a year",
    "A data security monitoring platform shall be built, covering the transfers of important data",
    "Pilot areas will develop services such as data collection, desensitisation and application",
    "Data handlers shall set up risk monitoring, early warning and emergency response mechanisms",
    "Public computing platforms shall be opened to small and medium-sized enterprises at cost",
    "Methods for valuing data assets shall be explored and tested by pilot enterprises",
    "Catalogues of important data shall be reported to the competent authorities and updated regularly",
]
ARTICLE_TAILS = [
    "",
    " The government encourages pilot areas to share typical cases and to train data officers.",
    " Pilot areas will strive for more comprehensive supervision and institutionalise the results.",
]
CLOSING = ("We hope you enjoyed reading this Policy Update and welcome your comments and suggestions. "
           "Your feedback to info@i40-china.org is highly appreciated. More policy products can be found "
           "in our [Download Area](#), more information about the Sino-German Industrie 4.0 Cooperation on "
           "our [Project Website](#).")


def _initials(name: str) -> str:
    return "".join(w[0] for w in name.split() if w not in STOPWORDS)


class _Pools:
    """What the lexicon offers, plus a fixed pool of agencies it does not know."""

    def __init__(self, lex: Lexicon) -> None:
        self.lex = lex
        # (the Party's bodies are no government agency: the extractor leaves them out)
        self.agencies = sorted((e for e in lex.of_kind("agency") if not PARTY_BODY.search(e.name_en)),
                               key=lambda e: e.id)
        self.areas = sorted(lex.of_kind("area"), key=lambda e: e.id)
        self.regions = sorted(lex.of_kind("region"), key=lambda e: e.id)
        self.bases = sorted(lex.of_kind("export_base"), key=lambda e: e.id)
        self.laws = sorted((e for e in lex.of_kind("document") if e.type == "Law"), key=lambda e: e.id)
        self.categories = sorted(lex.of_kind("category"), key=lambda e: e.id)
        known_abbrs = {a for e in self.agencies for a in e.abbreviations}
        known_abbrs |= {"NDA", "NBS", "MEE", "NFRA", "MOHRSS", "PIPL"}
        known_names = {n.lower() for e in self.agencies for n in (e.name_en, *e.aliases)}
        self.new_agencies: list[tuple[str, str, str]] = []  # (name, abbr, class)
        used: set[str] = set(known_abbrs)
        for head, cls in AGENCY_HEADS:
            for prefix in AGENCY_PREFIXES:
                for topic in AGENCY_TOPICS:
                    name = f"{prefix} {topic} {head}"
                    abbr = _initials(name)
                    if abbr in used or name.lower() in known_names:
                        continue
                    used.add(abbr)
                    self.new_agencies.append((name, abbr, cls))
        # cities and municipalities with simple names, for new bases and "City, Y Province" items
        self.base_cities = [a for a in self.areas if a.type in ("City", "Municipality") and "'" not in a.name_en]
        known_bases = {n.lower() for e in self.bases for n in (e.name_en, *e.aliases)}
        self.new_bases = [f"{c.name_en} {s}" for c in self.base_cities for s in BASE_SUFFIXES
                          if f"{c.name_en} {s}".lower() not in known_bases]

    def province_alias(self, area: Entry) -> str | None:
        """'Y Province' for the province directly containing a city, when the lexicon has that alias."""
        if not area.located_in or area.type != "City":
            return None
        parent = self.lex.get("area", area.located_in)
        if parent is None or parent.type != "Province":
            return None
        alias = f"{parent.name_en} Province"
        return alias if alias in parent.aliases else None


# ------------------------------------------------------------------------------ one document

class _Writer:
    def __init__(self, rng: random.Random, pools: _Pools, used: dict[str, set]) -> None:
        self.rng = rng
        self.p = pools
        self.used = used
        self.curly = rng.random() < 0.35
        self.bullet = rng.choice(["-", "*"])
        self.brackets = rng.random() < 0.3
        self.crlf = rng.random() < 0.2
        self.bold_articles = rng.random() < 0.75
        self.facts: set[tuple[str, str, str]] = set()  # (s, p, o) in Turtle syntax
        self.defined: set[str] = set()  # agency keys already introduced in the text

    # -- helpers
    def ap(self, s: str) -> str:
        return s.replace("'", "’") if self.curly else s

    def mark(self, n: int) -> str:
        return f"[{n}]" if self.brackets else SUPERSCRIPT[n]

    def q(self, s: str) -> str:
        return f"“{s}”" if self.curly else f"\"{s}\""

    def add(self, s: str, p: str, o: str) -> None:
        self.facts.add((s, p, o))

    @staticmethod
    def lit(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"@en'

    def label(self, iri: str, cls: str, text: str) -> None:
        self.add(iri, "rdf:type", f"pol:{cls}")
        self.add(iri, "rdfs:label", self.lit(text))

    def area(self, e: Entry) -> str:
        iri = f"<{e.iri}>"
        self.label(iri, e.type or "Area", e.name_en)
        if e.located_in:
            parent = self.p.lex.get("area", e.located_in)
            self.add(iri, "pol:locatedIn", self.area(parent))
        return iri

    def region(self, e: Entry) -> str:
        iri = f"<{e.iri}>"
        self.label(iri, "Region", e.name_en)
        for a in e.includes:
            self.add(iri, "pol:includesArea", self.area(self.p.lex.get("area", a)))
        return iri

    def agency_iri(self, ag) -> str:
        if isinstance(ag, Entry):
            iri = f"<{ag.iri}>"
            self.label(iri, ag.type or "GovernmentAgency", ag.name_en)
        else:
            name, abbr, cls = ag
            iri = f"<{ID}agency/{abbr.lower()}>"
            self.label(iri, cls, name)
        return iri

    def agency_text(self, ag, *, bold_parts: bool = False, full_only: bool = False) -> str:
        """How the text names an agency; the first mention of a new agency defines its abbreviation."""
        if isinstance(ag, Entry):
            key, abbr = ag.id, (ag.abbreviations[0] if ag.abbreviations else None)
            names = [ag.name_en, *[a for a in ag.aliases if not a.isupper()]]
            name = self.rng.choice(names)
            if full_only or abbr is None:
                return self.ap(name)
            form = self.rng.choice(["full", "abbr", "def"])
        else:
            name, abbr, _ = ag
            key = abbr
            if full_only:
                return name
            form = "def" if key not in self.defined else self.rng.choice(["full", "abbr", "def"])
        self.defined.add(key)
        if form == "full":
            return self.ap(name)
        if form == "abbr":
            return abbr
        return f"{self.ap(name)} (**{abbr}**)" if bold_parts else f"{self.ap(name)} ({abbr})"

    def pick_agencies(self, k: int) -> list:
        out: list = []
        while len(out) < k:
            if self.rng.random() < 0.12:
                ag = self.rng.choice(self.p.new_agencies)
            else:
                ag = self.rng.choice(self.p.agencies)
            if ag not in out:
                out.append(ag)
        return out

    @staticmethod
    def join(items: list[str], rng: random.Random) -> str:
        if len(items) == 1:
            return items[0]
        sep = rng.choice([", and ", " and "]) if len(items) > 2 else " and "
        return ", ".join(items[:-1]) + sep + items[-1]

    def order_areas(self, entries: list[Entry]) -> list[Entry]:
        """An item right after an area it contains would be read as one item ("Harbin, Heilongjiang"):
        when that would happen, containers go first."""
        lex = self.p.lex
        if any(b in lex.chain(a) for a, b in zip(entries, entries[1:])):
            return sorted(entries, key=lambda e: len(lex.chain(e)))
        return entries

    def area_list(self, entries: list[Entry], *, allow_pairs: bool) -> list[str]:
        """Written items; a 'Y Province' item never follows an area of Y (it would join it)."""
        items: list[str] = []
        prev: Entry | None = None
        for e in entries:
            prov = self.p.province_alias(e) if allow_pairs else None
            if prov and self.rng.random() < 0.25:
                text = f"{e.name_en}, {prov}"
            else:
                forms = [e.name_en, *e.aliases]
                if prev is not None:
                    chain_ids = {prev.id, *(c.id for c in self.p.lex.chain(prev))}
                    if e.id in chain_ids:
                        forms = [f for f in forms if not f.endswith("Province")] or [e.name_en]
                text = self.rng.choice(forms)
            items.append(self.ap(text))
            prev = e
        return items

    def unique(self, kind: str, make, more=None):
        """A value of ``make()`` not drawn before; after 1,000 draws in vain, ``None``, or with
        ``more`` (a wider ``make``) a value of ``more()``, from then on for every document."""
        spent = f"{kind} spent"
        if more is None or spent not in self.used:
            for _ in range(1000):
                value = make()
                if value not in self.used[kind]:
                    self.used[kind].add(value)
                    return value
            if more is None:
                return None
            self.used[spent] = set()
        for _ in range(1000):
            value = more()
            if value not in self.used[kind]:
                self.used[kind].add(value)
                return value
        return None

    # -- the document
    def write(self) -> tuple[str, str, str]:
        rng, p = self.rng, self.p
        year = rng.randint(2019, 2026)
        month = rng.randint(2, 12)
        # plan and table slugs keep the first four words of the topic: those must be unique
        key = self.unique("topic", lambda: (rng.choice(VERBS), rng.choice(ADJECTIVES), rng.choice(OBJECTS)),
                          lambda: (rng.choice(VERBS + MORE_VERBS), rng.choice(ADJECTIVES + MORE_ADJECTIVES),
                                   rng.choice(OBJECTS + MORE_OBJECTS)))
        if key is None:
            raise SystemExit("corpus: ran out of unique topics")
        topic = (*key, rng.choice(DOMAINS))
        place = rng.choice(PLACES)
        topic_text = " ".join(topic)
        title = f"{topic_text} {place}".strip()
        update = f"<{ID}document/{doc_slug(title)}-{year}-{month:02d}>"
        self.label(update, "PolicyUpdate", title)
        name = f"{year}-{month:02d}-{doc_slug(title)}"

        # notice, issuers, date, trial
        notice_name = f"notice on {topic_text.lower()} {place.lower()}".strip()
        issuers = self.pick_agencies(rng.choice([1, 1, 2]))
        issue_month = rng.randint(1, month)
        day = rng.randint(1, 28)
        issued = dt.date(year, issue_month, day)
        notice = f"<{ID}document/{dated_slug(notice_name, issued.year)}>"
        self.label(notice, "Notice", notice_name[0].upper() + notice_name[1:])
        self.add(update, "pol:reportsOn", notice)
        years = rng.randint(1, 5)
        end = dt.date(year + years, issue_month, day) - dt.timedelta(days=1)
        for ag in issuers:
            self.add(notice, "pol:issuedBy", self.agency_iri(ag))
        self.add(notice, "pol:issuedOn", f'"{issued.isoformat()}"^^xsd:date')
        self.add(notice, "pol:trialStart", f'"{issued.isoformat()}"^^xsd:date')
        self.add(notice, "pol:trialEnd", f'"{end.isoformat()}"^^xsd:date')
        issuer_texts = []
        for ag in issuers:
            t = self.agency_text(ag, bold_parts=True)
            issuer_texts.append(t)
        issuer_texts.sort(key=lambda t: "(" not in t)  # stable: definitions first
        issuer_phrase = "The " + " and the ".join(issuer_texts)
        verb = "jointly issued" if len(issuers) > 1 else "issued"
        date_text = (f"on {MONTHS[issue_month - 1]} {day}" if rng.random() < 0.5
                     else f"on {day} {MONTHS[issue_month - 1]}")
        trial_text = f"{NUMBER_WORDS[years]} year" + ("s" if years > 1 else "")

        # pilot areas
        k = rng.randint(3, 12)
        pilots = self.order_areas(rng.sample(p.areas, k))
        for e in pilots:
            self.add(notice, "pol:pilotArea", self.area(e))
        self.add(notice, "pol:statedPilotAreaCount", str(k))
        items = self.area_list(pilots, allow_pairs=True)
        intro_n = rng.randint(1, min(4, k))
        intro_items = items[:intro_n]
        count_word = rng.choice(["provinces and cities", "cities and areas", "pilot areas",
                                 "provinces and cities/areas"])

        # plan, table, law
        plan_kind = rng.choice(PLAN_KINDS)
        plan_full = f"{plan_kind} Plan for {topic_text}"
        table_word = rng.choice(TABLE_WORDS)
        table_full = f"Attached Table: {topic_text}, Key Tasks and Division of Responsibilities"
        plan = f"<{ID}document/{dated_slug(plan_full, year)}>"
        table = f"<{ID}document/{dated_slug(table_full, year)}>"
        self.label(plan, "Plan", plan_full)
        self.label(table, "MeasureTable", table_full)
        self.add(plan, "pol:partOf", notice)
        self.add(table, "pol:partOf", notice)
        self.add(update, "pol:reportsOn", plan)
        self.add(update, "pol:reportsOn", table)
        law = rng.choice(p.laws)
        law_iri = f"<{law.iri}>"
        self.label(law_iri, "Law", law.name_en)
        self.add(plan, "pol:refersTo", law_iri)
        self.add(update, "pol:reportsOn", law_iri)
        law_text = self.ap(rng.choice([law.name_en, *[a for a in law.aliases if not a.isupper()]]))

        # export-base list
        base_list = None
        if rng.random() < 0.4:
            lname = self.unique("list", lambda: (rng.choice(LIST_ORDINALS), rng.choice(LIST_QUALIFIERS)))
            if lname is not None:
                base_list = lname
        list_para = None
        if base_list:
            ordinal, qual = base_list
            lname = f"{ordinal} batch of {qual + ' ' if qual else ''}digital service export bases"
            liri = f"<{ID}document/{dated_slug(lname, year)}>"
            self.label(liri, "DesignationList", lname[0].upper() + lname[1:])
            self.add(update, "pol:reportsOn", liri)
            lissuers = rng.sample(p.agencies, rng.randint(1, 3))
            for ag in lissuers:
                self.add(liri, "pol:issuedBy", self.agency_iri(ag))
            lmonth, lday = rng.randint(1, 12), rng.randint(1, 28)
            self.add(liri, "pol:issuedOn", f'"{dt.date(year, lmonth, lday).isoformat()}"^^xsd:date')
            names = []
            for b in rng.sample(p.bases, rng.randint(0, 4)):
                biri = f"<{b.iri}>"
                self.label(biri, "ExportBase", b.name_en)
                self.add(biri, "pol:locatedIn", self.area(p.lex.get("area", b.located_in)))
                self.add(liri, "pol:lists", biri)
                names.append(self.ap(rng.choice([b.name_en, *b.aliases])))
            for bname in rng.sample(p.new_bases, rng.randint(1 if not names else 0, 3)):
                city = next(c for c in p.base_cities if bname.startswith(c.name_en + " "))
                biri = f"<{ID}export-base/{slug(bname)}>"
                self.label(biri, "ExportBase", bname)
                self.add(biri, "pol:locatedIn", self.area(city))
                self.add(liri, "pol:lists", biri)
                names.append(bname)
            rng.shuffle(names)
            ldate = f"on {lday} {MONTHS[lmonth - 1]}" if rng.random() < 0.5 else f"on {MONTHS[lmonth - 1]} {lday}"
            by = self.join([self.ap(a.name_en) for a in lissuers], rng)
            list_para = (f"{self.mark(3)} The **{lname}** are: {', '.join(names)}. The list was co-released "
                         f"{ldate} by the {by}. The official notice can be found [here](#).")

        # categories and articles
        n_cat = rng.randint(2, 4)
        cats: list[tuple[str, str]] = []
        pool = [(c.name_en, f"<{c.iri}>") for c in p.categories] + \
               [(c, f"<{ID}category/{slug(c)}>") for c in NEW_CATEGORIES]
        for cname, ciri in rng.sample(pool, n_cat):
            cats.append((cname, ciri))
            self.label(ciri, "MeasureCategory", cname)
            self.add(ciri, "skos:inScheme", f"<{ID}scheme/measure-categories>")
        n_art = rng.randint(max(3, n_cat), 8)
        # distribute articles over categories, each category at least one
        per_cat = [1] * n_cat
        for _ in range(n_art - n_cat):
            per_cat[rng.randrange(n_cat)] += 1
        number = rng.randint(1, 120)
        body: list[str] = []
        table_iri_path = dated_slug(table_full, year)
        since_forerunner: list[str] = []
        ref_index = rng.randrange(n_art) if base_list else -1
        index = 0
        indent_style = rng.choice(["flat", "indent"])
        for (cname, ciri), count in zip(cats, per_cat):
            body.append(f"{self.bullet} **{cname}**")
            if indent_style == "flat":
                body.append("")
            for _ in range(count):
                number += rng.randint(1, 15)
                m = f"<{ID}measure/{table_iri_path}/{number}>"
                self.label(m, "Measure", f"Article {number}")
                self.add(m, "pol:articleNumber", str(number))
                self.add(m, "pol:partOf", table)
                self.add(m, "pol:inCategory", ciri)
                sentence = rng.choice(ARTICLE_SENTENCES)
                if index == ref_index:
                    sentence = (f"At the **digital service export bases**{self.mark(3)}, "
                                + sentence[0].lower() + sentence[1:])
                index += 1
                text = sentence + "."
                if rng.random() < 0.3:
                    regs = rng.sample(p.regions, rng.randint(1, 2))
                    for r in regs:
                        self.add(m, "pol:concernsRegion", self.region(r))
                    rtexts = [rng.choice([r.name_en, *r.aliases]) for r in regs]
                    text += f" Pilot areas in the **{self.join(rtexts, rng)}** will share their experience."
                if rng.random() < 0.8:
                    ags = self.pick_agencies(rng.choice([1, 1, 2, 3]))
                    for ag in ags:
                        self.add(m, "pol:guidedBy", self.agency_iri(ag))
                    texts = [self.agency_text(ag) for ag in ags]
                    texts.sort(key=lambda t: "(" not in t)  # "A and B (ABBR)" would be one name
                    bold = rng.random() < 0.7
                    joined = self.join(texts, rng)
                    span = f"**{joined}**" if bold else joined
                    if rng.random() < 0.5:
                        text += f" The {span} {rng.choice(['will guide and formulate the policy', 'will guide and formulate this policy'])}."
                    else:
                        text += f" The {span} shall support and guide the implementation of pilot areas."
                else:
                    text += rng.choice(ARTICLE_TAILS[1:])
                head = f"**Article {number}:**" if self.bold_articles else f"Article {number}:"
                lead = "" if indent_style == "flat" else rng.choice([" ", "  "])
                body.append(f"{lead}{self.bullet} {head} {text}")
                since_forerunner.append(m)
            if since_forerunner and rng.random() < 0.4:
                nabove = rng.randint(1, min(3, len(since_forerunner)))
                fore = self.order_areas(rng.sample(pilots, rng.randint(1, min(3, len(pilots)))))
                for m in since_forerunner[-nabove:]:
                    for e in fore:
                        self.add(m, "pol:forerunner", f"<{e.iri}>")
                what = "the measure above" if nabove == 1 else f"the {NUMBER_WORDS[nabove]} measures above"
                ftexts = self.area_list(fore, allow_pairs=False)
                body.append("")
                body.append(f"Pilot areas are responsible for the implementation of {what}. "
                            f"**{self.join(ftexts, rng)}** are named as examples, estimated to be the forerunners.")
                since_forerunner = []
            body.append("")

        # assemble
        intro = (f"{issuer_phrase} {verb} a **{notice_name}** {date_text}, with a trial period of "
                 f"{trial_text}. The pilot areas consist of **{k} {count_word}** including "
                 f"{', '.join(intro_items)}, etc{self.mark(1)}. The notice entails {'an' if plan_kind[0] in 'AEIOU' else 'a'} **{plan_kind} Plan**, "
                 f"describing the tasks, and is accompanied by {'an' if table_word[0] in 'AEIOU' else 'a'} **{table_word}**{self.mark(2)}, specifying "
                 "practical measures and responsible entities. From the documents, the provisions "
                 "**regarding data** catch special attention.")
        plan_para = (f"The {plan_kind} Plan generally proposes pilot programs in pilot areas, describing that "
                     f"those areas should encompass {self.q('relatively better conditions')}. Such pilot programs "
                     f"align with the principles outlined in the **{law_text}**.")
        fn1 = f"{self.mark(1)} The full list entails {self.join(items, rng)}."
        fn2 = (f"{self.mark(2)} Full names of the two documents: *{plan_full}* and *{table_full}*. "
               "The official notice can be found [here](#).")
        early_notes = rng.random() < 0.4
        lines = [title, "", f"Policy Update on Measures regarding Data | {MONTHS[month - 1]} {year}", "", intro, ""]
        if early_notes:
            lines += [fn1, "", fn2, ""]
        lines += [self.ap("What's the connection to existing regulations?"), "", plan_para, "",
                  "What are the most relevant contents and implications?", "",
                  f"The **{table_word}** further puts forward **relevant measures**:", ""]
        lines += body
        lines += [CLOSING, ""]
        if not early_notes:
            lines += [fn1, "", fn2, ""]
        if list_para:
            lines += [list_para, ""]
        text = "\n".join(lines)
        text = text.replace("'", "’") if self.curly else text
        if self.crlf:
            text = text.replace("\n", "\r\n")
        return name, text, self.turtle(name)

    def turtle(self, name: str) -> str:
        out = [f"# Gold facts of {name}.md, generated by bench/corpus.py with the text (tests/gold/README.md).",
               "@prefix pol: <https://w3id.org/policykg/ontology#> .",
               "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .",
               "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
               "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
               "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .", "",
               f"<{ID}scheme/measure-categories> rdf:type skos:ConceptScheme .", ""]
        by_subject: dict[str, list[tuple[str, str]]] = {}
        for s, p_, o in self.facts:
            by_subject.setdefault(s, []).append((p_, o))
        for s in sorted(by_subject):
            pairs = sorted(by_subject[s])
            out.append(s)
            out.append(" ;\n".join(f"    {p_} {o}" for p_, o in pairs) + " .")
            out.append("")
        return "\n".join(out)


def generate(n: int, seed: int = 0) -> list[GeneratedDocument]:
    """``n`` policy updates and their gold facts, the same for the same (n, seed)."""
    rng = random.Random(seed)
    pools = _Pools(load_lexicon())
    used: dict[str, set] = {"topic": set(), "list": set()}
    docs = []
    for _ in range(n):
        name, text, gold = _Writer(rng, pools, used).write()
        docs.append(GeneratedDocument(name, text, gold))
    return docs


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    docs = generate(args.n, args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    for d in docs:
        (args.out / f"{d.name}.md").write_bytes(d.text.encode("utf-8"))
        (args.out / f"{d.name}.ttl").write_bytes(d.gold.encode("utf-8"))
    print(f"{len(docs)} documents in {args.out} ({time.perf_counter() - start:.2f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
