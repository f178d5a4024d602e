"""Extraction quality: `policykg eval --build` over the hand-written gold, as Markdown for bench/RESULTS.md.

Evaluates every gold file of each set against a build of its own document (the whole pipeline,
one document at a time) and prints, per set, the figures per kind of fact (micro-averaged over
the set) and per document. Only figures: the missed and wrong facts are not printed, so the
output can be recorded without showing the gold of unseen documents.

Sets, in this order:

    blind     tests/documents/blind/*.facts    written blind; figures recorded before development on them
    heldout   tests/eval/heldout/*.facts   only with --heldout: measured last, once (spent in session 4)
    heldout-2 tests/eval/heldout-2/*.facts only with --heldout-2: written in session 4, measured once in session 5
    heldout-3 tests/eval/heldout-3/*.facts only with --heldout-3: written in session 6, measured once at its end
    heldout-4 tests/eval/heldout-4/*.facts only with --heldout-4: written in session 7, measured once at its end (spent)
    heldout-5 tests/eval/heldout-5/*.facts only with --heldout-5: written in session 8, measured once at its end (spent)
    heldout-6 tests/eval/heldout-6/*.facts only with --heldout-6: written blind in session 9, measured once at its end (spent)
    gold      tests/gold/*.ttl             the development documents, compared by IRI

    python bench/eval.py [--heldout] [--heldout-2] ... [--heldout-6] [--write bench/RESULTS.md]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The held-out sets, each measured once, last, and spent since (tests/eval/README.md): the
#: name, and what a reader of its option should know.
HELDOUT = {
    "heldout": "measured last, once, in session 4 (spent)",
    "heldout-2": "written in session 4; measured once, in session 5 (spent)",
    "heldout-3": "written in session 6; measured once, at its end (spent)",
    "heldout-4": "written in session 7; measured once, at its end (spent)",
    "heldout-5": "written blind at the start of session 8; measured once, at its end (spent)",
    "heldout-6": "written blind at the start of session 9; measured once, at its end (spent)",
}
SETS = {
    "blind": (ROOT / "tests" / "documents" / "blind", "*.facts"),
    **{name: (ROOT / "tests" / "eval" / name, "*.facts") for name in HELDOUT},
    "gold": (ROOT / "tests" / "gold", "*.ttl"),
}
HEADER = "| {} | gold | built | tp | fp | fn | precision | recall | F1 |"
RULE = "|---|---:|---:|---:|---:|---:|---:|---:|---:|"


def fig(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def row(name: str, s: dict) -> str:
    return (f"| {name} | {s['gold']} | {s['built']} | {s['tp']} | {s['fp']} | {s['fn']} | "
            f"{fig(s['precision'])} | {fig(s['recall'])} | {fig(s['f1'])} |")


def evaluate_set(golds: list[Path]) -> dict:
    """Run `policykg eval --build --format json` on the gold files; its JSON (errors included)."""
    proc = subprocess.run([sys.executable, "-m", "policykg", "eval", "--build", "--format", "json",
                           *map(str, golds)], capture_output=True, text=True, cwd=ROOT)
    if proc.returncode not in (0, 2) or not proc.stdout.strip():
        raise SystemExit(f"policykg eval failed (exit {proc.returncode}):\n{proc.stderr}")
    return json.loads(proc.stdout)


def relative(path: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return path


def markdown(name: str, folder: Path, result: dict | None) -> list[str]:
    lines = ["", f"### {name}: `{relative(str(folder))}`", ""]
    if result is None:
        return lines + ["No gold files yet."]
    evaluations, errors = result["evaluations"], result["errors"]
    overall = result["overall"]
    lines += [f"{len(evaluations)} document(s) evaluated"
              + (f", {len(errors)} could not be" if errors else "")
              + f": precision {fig(overall['precision'])}, recall {fig(overall['recall'])}, "
                f"F1 {fig(overall['f1'])} over {overall['gold']} gold facts.", ""]
    lines += ["Per kind of fact (summed over the documents):", "", HEADER.format("kind"), RULE]
    lines += [row(f"`{kind}`", s) for kind, s in result["kinds"].items()]
    lines += [row("**overall**", overall), "", "Per document:", "",
              HEADER.format("document") + " duplicates | note |", RULE + "---:|---|"]
    for e in evaluations:
        note = "build refused by the gate; its unpublished graph evaluated" if e["refused"] else ""
        lines.append(row(f"`{Path(e['gold']).stem}`", e["overall"]) + f" {len(e['duplicates'])} | {note} |")
    for err in errors:
        lines.append(f"| `{Path(err['gold']).stem}` | | | | | | | | | | could not be evaluated "
                     f"(`policykg eval --build {relative(err['gold'])}` says why) |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name, what in HELDOUT.items():
        parser.add_argument(f"--{name}", action="store_true", dest=name.replace("-", "_"),
                            help=f"also evaluate tests/eval/{name} ({what})")
    parser.add_argument("--write", type=Path, help="append the Markdown to this file (e.g. bench/RESULTS.md)")
    args = parser.parse_args()
    version = subprocess.run([sys.executable, "-m", "policykg", "--version"], capture_output=True,
                             text=True, cwd=ROOT).stdout.strip()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=ROOT).stdout.strip() or "unknown"
    lines = [f"## Extraction quality: `policykg eval --build` ({dt.date.today().isoformat()})", "",
             f"{version}, commit {commit}. Each document built alone through the whole pipeline and "
             "compared with its hand-written gold (`tests/eval/README.md`; `tests/gold` by IRI). "
             "Figures only: `policykg eval --build GOLD` lists the missed and wrong facts."]
    for name, (folder, pattern) in SETS.items():
        if name in HELDOUT and not getattr(args, name.replace("-", "_")):
            continue
        golds = sorted(folder.glob(pattern)) if folder.is_dir() else []
        lines += markdown(name, folder, evaluate_set(golds) if golds else None)
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if args.write:
        with args.write.open("a", encoding="utf-8") as out:
            out.write("\n" + text)


if __name__ == "__main__":
    main()
