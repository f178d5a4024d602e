"""How the build's time grows with one pathological pattern repeated N times (issue 18).

Each pattern is one policy update that repeats something the genre has — a run of "Ministry",
"Ministry of Commerce and ...", "Full Name (ABBR)", bold notice names, one huge paragraph or
article, a footnote list of areas, the seed itself — N times (5k, 10k, 20k and 40k; the seed
to 1, 2, 4 and 8 MB). Each size is built by a fresh process (:func:`policykg.pipeline.build.build`, the
whole pipeline: read, extract, map, reason, gate, write) under a time limit; the table gives
the wall time of that build, its slowest stage, and time(40k) / time(5k): 8 is linear, the
target is at most 10. A quadratic path gives 64.

    python bench/growth.py [--patterns NAME ...] [--sizes 5000 10000 20000 40000]
                           [--time-limit 120] [--write bench/RESULTS.md]

The patterns are written by :func:`document` (also used by tests/test_hostile_documents.py,
which counts work instead of timing it). Benchmarks report; they do not assert.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "sources" / "2020-09-services-trade-pilot-areas-data.md"
SIZES = (5_000, 10_000, 20_000, 40_000)
MB = 1024 * 1024

HEAD = """# Growth of {name}

Policy Update on Measures regarding Data | September 2020

The Ministry of Commerce of the People's Republic of China (**MOFCOM**) issued a **Notice on Growth Pilots** on August 14, with a trial period of three years. The notice is accompanied by a **Table**, specifying practical measures.

- **Data Security Management**

"""

_CONSONANTS = "bdfgklmnprstvz"
_VOWELS = "aeiou"


def word(k: int, syllables: int = 3) -> str:
    """A made-up capitalised word, distinct for each ``k`` (``Babeba`` ...): names no lexicon knows."""
    out = []
    for _ in range(syllables):
        k, r = divmod(k, len(_CONSONANTS) * len(_VOWELS))
        out.append(_CONSONANTS[r // len(_VOWELS)] + _VOWELS[r % len(_VOWELS)])
    return "".join(out).capitalize()


def letters(k: int, width: int = 4) -> str:
    """``AAAA``, ``AAAB``, ...: an abbreviation's tail, distinct for each ``k``."""
    out = []
    for _ in range(width):
        k, r = divmod(k, 26)
        out.append(chr(ord("A") + r))
    return "".join(reversed(out))


def _superscript(number: int) -> str:
    return str(number).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def _article(body: str, number: int = 1) -> str:
    return f"- **Article {number}:** {body}\n"


def document(pattern: str, n: int) -> str:
    """The policy update of ``pattern`` with ``n`` repetitions (for ``seed``: ``n`` bytes)."""
    head = HEAD.format(name=pattern)
    if pattern == "ministry":  # "Ministry Ministry Ministry ... will guide"
        return head + _article("Pilot areas will open a data channel. The " + "Ministry " * n
                               + "will guide and formulate the policy.")
    if pattern == "ministry-of-commerce-and":
        return head + _article("Pilot areas will open a data channel. The " + "Ministry of Commerce and " * n
                               + "the Ministry of Finance will guide and formulate the policy.")
    if pattern == "full-name-abbr":  # N agencies defined in one sentence, all guiding
        names = ", ".join(f"{word(k)} Data Bureau (DB{letters(k)})" for k in range(n))
        return head + _article(f"Pilot areas will open a data channel. The {names} will guide and "
                               "formulate the policy.")
    if pattern == "bold-notices":  # N distinct bold document names in one paragraph
        names = ", ".join(f"the **Notice on {word(k)} Pilots**" for k in range(n))
        return head.replace("with a trial period", "with a trial period", 1) + \
            f"The documents are {names}.\n\n" + _article("A data channel shall be opened in pilot areas.")
    if pattern == "long-paragraph":  # one paragraph of n sentences
        sentence = "The pilot areas will explore data flows in Beijing and Shanghai with the CAC. "
        return head.replace("- **Data Security", sentence * n + "\n\n- **Data Security", 1) + \
            _article("A data channel shall be opened in pilot areas.")
    if pattern == "long-article":  # one measure of n sentences
        sentence = ("The Ministry of Industry and Information Technology (MIIT) will guide the pilot "
                    "areas in Beijing. ")
        return head + _article(sentence * n)
    if pattern == "footnote-areas":  # a footnote listing n new areas (the gate's label shapes)
        names = ", ".join(f"{word(k)} New Area" for k in range(n))
        text = head.replace("with a trial period of three years.",
                            f"with a trial period of three years. The pilot areas consist of "
                            f"**{n + 1} provinces and cities/areas** including Beijing¹.", 1)
        return text + _article("A data channel shall be opened in pilot areas.") + \
            f"\n¹ The full list entails {names}, and Beijing.\n"
    if pattern == "agencies":  # n agencies with distinct names, one measure each (the gate)
        rows = "".join(_article(f"Pilot areas will open data channel {k}. The {word(k)} Data Bureau "
                                "will guide and formulate the policy.", k + 1) for k in range(n))
        return head + rows
    if pattern == "seed":  # the seed repeated to n bytes: its measures and footnotes renumbered
        seed = SEED.read_text(encoding="utf-8")
        body = "What are the most relevant" + seed.split("What are the most relevant", 1)[1]
        out = [seed]
        size = len(seed.encode("utf-8"))
        k = 0
        while size < n:
            k += 1
            copy = re.sub(r"[¹²³]", lambda m, k=k: _superscript(3 * k + 1 + "¹²³".index(m.group())), body)
            copy = re.sub(r"Article (\d+)",
                          lambda m, k=k: f"Article {200 + 10 * k + _SEED_ARTICLES.index(int(m.group(1)))}", copy)
            out.append("\n\n" + copy)
            size += len(out[-1].encode("utf-8"))
        return "".join(out)
    raise ValueError(f"unknown pattern {pattern!r}")


_SEED_ARTICLES = [75, 76, 79, 83, 115, 116]

PATTERNS = ("ministry", "ministry-of-commerce-and", "full-name-abbr", "bold-notices", "long-paragraph",
            "long-article", "footnote-areas", "agencies", "seed")
SEED_SIZES = (1 * MB, 2 * MB, 4 * MB, 8 * MB)

#: Run in the child: build one document, print the timings as one JSON line.
CHILD = r"""
import json, sys, time, resource
from pathlib import Path
from policykg.pipeline.build import build
from policykg.errors import PolicykgError
start, cpu = time.perf_counter(), time.process_time()
try:
    result = build([sys.argv[1]], sys.argv[2])
    out = {"published": result.published, "timings": result.timings, "refusals": list(result.refusals),
           "triples": result.triples.get("data", 0)}
except PolicykgError as exc:
    out = {"error": str(exc)[:200]}
out["seconds"] = time.perf_counter() - start
out["cpu"] = time.process_time() - cpu
out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def measure(pattern: str, n: int, limit: float, src: Path = ROOT / "src") -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / f"{pattern}.md"
        source.write_text(document(pattern, n), encoding="utf-8")
        size = source.stat().st_size
        env = dict(os.environ, PYTHONPATH=str(src), POLICYKG_MAX_DOCUMENT_BYTES=str(64 * MB))
        start = time.perf_counter()
        try:
            proc = subprocess.run([sys.executable, "-c", CHILD, str(source), str(Path(tmp) / "dist")],
                                  capture_output=True, text=True, timeout=limit, env=env, cwd=ROOT, check=False)
        except subprocess.TimeoutExpired:
            return {"n": n, "bytes": size, "seconds": None, "timeout": limit}
        wall = time.perf_counter() - start
        try:
            out = json.loads(proc.stdout.strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError):
            lines = (proc.stderr or proc.stdout or "").strip().splitlines()
            out = {"error": f"exit {proc.returncode}: " + (lines[-1] if lines else "no output")}
        out.update(n=n, bytes=size, wall=wall)
        return out


def _cell(run: dict) -> str:
    if "timeout" in run:
        return f"> {run['timeout']:g} s"
    if run.get("seconds") is None:
        return f"failed ({str(run.get('error'))[:60]})"
    timings = run.get("timings") or {}
    slowest = max(timings, key=timings.get) if timings else None
    text = f"{run['seconds']:.2f} s"
    if slowest and timings[slowest] > 0.4 * run["seconds"]:
        text += f" ({slowest} {timings[slowest]:.1f})"
    if "error" in run:
        text += " (exit 2)"
    elif run.get("published") is False:
        text += " (not published)"
    return text


def _ratio(runs: list[dict], key: str = "seconds") -> str:
    first, last = runs[0], runs[-1]
    if first.get(key) is None:
        return "—"
    if "timeout" in last:
        return f"> {last['timeout'] / first[key]:.0f}" if key == "seconds" else "—"
    if last.get(key) is None:
        return "—"
    return f"{last[key] / first[key]:.1f}"


def _stages(everything: dict[str, list[dict]]) -> list[str]:
    """Per pattern and stage of the build: seconds at the first and the last size, and their
    ratio (where the growth beyond linear lies)."""
    stages: list[str] = []
    for runs in everything.values():
        for run in runs:
            stages += [k for k in (run.get("timings") or {}) if k not in stages]
    stages = [k for k in stages if any((r.get("timings") or {}).get(k, 0) >= 0.05
                                       for runs in everything.values() for r in runs)]
    if not stages:
        return []
    rows = [f"| pattern | {' | '.join(stages)} |", "|---" * (len(stages) + 1) + "|"]
    for pattern, runs in everything.items():
        first, last = runs[0].get("timings"), runs[-1].get("timings")
        if not first or not last:
            continue
        cells = []
        for k in stages:
            a, b = first.get(k), last.get(k)
            if a is None or b is None:
                cells.append("")
            elif a >= 0.05:
                cells.append(f"{a:.2f} → {b:.2f} (x{b / a:.1f})")
            else:
                cells.append(f"{a:.2f} → {b:.2f}")
        label = "seed repeated" if pattern == "seed" else pattern
        rows.append(f"| {label} | " + " | ".join(cells) + " |")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patterns", nargs="+", default=list(PATTERNS), choices=PATTERNS)
    parser.add_argument("--sizes", nargs="+", type=int, default=list(SIZES))
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--title", default="")
    parser.add_argument("--write", metavar="FILE", help="append the table to FILE (bench/RESULTS.md)")
    parser.add_argument("--json", metavar="FILE", help="write every run as JSON")
    parser.add_argument("--src", metavar="DIR", type=Path, default=ROOT / "src",
                        help="the policykg to measure (default: this tree's src/; e.g. an older "
                             "checkout's, from `git archive`, for before/after figures)")
    args = parser.parse_args(argv)

    rows = []
    everything = {}
    for pattern in args.patterns:
        sizes = SEED_SIZES if pattern == "seed" else args.sizes
        runs = []
        for n in sizes:
            run = measure(pattern, n, args.time_limit, args.src)
            runs.append(run)
            print(f"{pattern:26} {n:>9,} {_cell(run)}", file=sys.stderr, flush=True)
            if "timeout" in run:  # larger sizes would time out too
                runs += [{"n": m, "seconds": None, "timeout": args.time_limit} for m in sizes[len(runs):]]
                break
        everything[pattern] = runs
        label = "seed repeated (1/2/4/8 MB)" if pattern == "seed" else pattern
        rows.append(f"| {label} | " + " | ".join(_cell(r) for r in runs)
                    + f" | {_ratio(runs)} | {_ratio(runs, 'cpu')} |")
    header = " | ".join(f"{n // 1000}k" for n in args.sizes)
    last_first = f"{args.sizes[-1] // 1000}k/{args.sizes[0] // 1000}k"
    table = [f"| pattern | {header} | {last_first} | CPU {last_first} |", "|---" * (len(args.sizes) + 3) + "|",
             *rows]
    machine = f"{os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"
    text = (f"### Growth: one pattern repeated N times (`python bench/growth.py`, {dt.date.today()})"
            f"{' — ' + args.title if args.title else ''}\n\n"
            f"Machine: {machine}. Each cell: one fresh `build()` of one document (read, extract, map, "
            f"reason, gate, write), its wall time and, where one stage took most of it, that stage; "
            f"time limit {args.time_limit:g} s. Target: time(40k)/time(5k) ≤ 10 (linear is 8). The "
            f"last column is the same ratio of the build's CPU time (its process's), which other "
            f"work on the machine disturbs less.\n\n"
            + "\n".join(table) + "\n")
    stages = _stages(everything)
    if stages:
        text += (f"\nPer stage (`BuildResult.timings`, seconds): {args.sizes[0] // 1000}k → "
                 f"{args.sizes[-1] // 1000}k (the seed 1 → 8 MB), and the ratio where the first is "
                 "at least 0.05 s:\n\n" + "\n".join(stages) + "\n")
    print(text)
    if args.write:
        with open(args.write, "a", encoding="utf-8") as handle:
            handle.write("\n" + text)
    if args.json:
        Path(args.json).write_text(json.dumps(everything, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
