"""Lexicon matching: policykg's own phrase matcher against spaCy's PhraseMatcher (issue 13).

The question was whether the recognisers should move to spaCy's rule matchers (a blank English
pipeline, no model: ``PhraseMatcher`` for the lexicon's names). This measures the part where the
two do the same job — finding every lexicon name in the text, case-insensitively, on word
boundaries — on the text of generated policy updates (``bench/corpus.py``), in one run, and
checks that they find the same mentions.

spaCy is not a dependency of policykg; run this with a Python that has both::

    python -m venv /tmp/spacy && /tmp/spacy/bin/pip install spacy==3.8.18
    PYTHONPATH=src /tmp/spacy/bin/python bench/matchers.py [--documents 300]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=300)
    args = parser.parse_args(argv)

    import corpus
    import spacy
    from spacy.matcher import PhraseMatcher

    from policykg.pipeline.lexicon import load_lexicon

    lexicon = load_lexicon()
    texts = [d.text for d in corpus.generate(args.documents, seed=3)]
    characters = sum(map(len, texts))

    t = time.perf_counter()
    ours = [[(m.start, m.end) for m in lexicon.find_all(text)] for text in texts]
    ours_s = time.perf_counter() - t

    t = time.perf_counter()
    nlp = spacy.blank("en")
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    names = sorted({n for e in lexicon for n in (e.name_en, *e.aliases, *e.abbreviations) if n})
    matcher.add("LEXICON", list(nlp.tokenizer.pipe(names)))
    setup_s = time.perf_counter() - t
    t = time.perf_counter()
    theirs = []
    for doc in nlp.tokenizer.pipe(texts):
        spans = spacy.util.filter_spans([doc[s:e] for _, s, e in matcher(doc)])  # leftmost-longest
        theirs.append([(span.start_char, span.end_char) for span in spans])
    theirs_s = time.perf_counter() - t

    same = sum(a == b for a, b in zip(ours, theirs))
    print(f"| matcher | seconds ({args.documents} documents, {characters:,} characters) | ratio |")
    print("|---|---|---|")
    print(f"| policykg.pipeline.lexicon.find_all | {ours_s:.3f} | 1.00 |")
    print(f"| spaCy blank('en') tokenizer + PhraseMatcher(LOWER) | {theirs_s:.3f} (+ {setup_s:.3f} setup) "
          f"| {theirs_s / ours_s:.2f} |")
    print(f"\nthe same mentions in {same} of {len(texts)} documents")


if __name__ == "__main__":
    main()
