"""Hypothesis strategies for the names a user can give (core/model's patterns), built fast from characters."""

from __future__ import annotations

from hypothesis import strategies as st

LETTERS = "abcdefghijklmnopqrstuvwxyz"
ALNUM = LETTERS + "0123456789"


def _name(min_body: int, max_body: int, *, end_alnum: bool = False) -> st.SearchStrategy[str]:
    body = st.text(alphabet=ALNUM + "-", min_size=min_body, max_size=max_body)
    end = st.sampled_from(ALNUM) if end_alnum else st.just("")
    return st.builds(lambda head, middle, tail: head + middle + tail, st.sampled_from(LETTERS), body, end)


projects = _name(1, 38, end_alnum=True)
"""`[a-z][a-z0-9-]{1,38}[a-z0-9]`"""
stages = _name(0, 15)
"""`[a-z][a-z0-9-]{0,15}`"""
functions = _name(0, 39)
"""`[a-z][a-z0-9-]{0,39}`"""
