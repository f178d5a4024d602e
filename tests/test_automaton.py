"""recognisers.automaton.TokenAutomaton gives every occurrence a brute-force search gives."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from policykg.pipeline.recognisers.automaton import TokenAutomaton

TOKENS = st.sampled_from(["a", "b", "c", " "])


@settings(max_examples=500, deadline=None, derandomize=True, database=None)
@given(st.lists(st.lists(TOKENS, min_size=1, max_size=4), min_size=1, max_size=6), st.lists(TOKENS, max_size=30))
def test_every_occurrence_and_no_other(names: list[list[str]], text: list[str]) -> None:
    automaton: TokenAutomaton[int] = TokenAutomaton()
    for i, name in enumerate(names):
        automaton.add(name, i)
    expected = {(s, s + len(name), i) for i, name in enumerate(names)
                for s in range(len(text) - len(name) + 1) if text[s:s + len(name)] == name}
    found = list(automaton.occurrences(text))
    assert len(found) == len(set(found))
    assert set(found) == expected
    assert [end for _, end, _ in found] == sorted(end for _, end, _ in found)


def test_a_long_name_over_a_long_run_costs_one_step_per_token_and_occurrence() -> None:
    """"Notice" n times against the names "Notice" and "Notice" x n: n + 1 occurrences."""
    n = 20_000
    automaton: TokenAutomaton[str] = TokenAutomaton()
    automaton.add(["Notice"], "short")
    automaton.add(["Notice"] * n, "long")
    found = list(automaton.occurrences(["Notice"] * n))
    assert len(found) == n + 1 and found[-2:] == [(0, n, "long"), (n - 1, n, "short")]  # longest first


def test_an_empty_sequence_is_refused() -> None:
    with pytest.raises(ValueError):
        TokenAutomaton().add([], 0)
