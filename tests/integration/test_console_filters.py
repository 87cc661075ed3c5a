"""The filter language shared by the console's views: key:value terms, ``!`` negation, alternatives
with commas, a bare state word as that state, and one-line errors that say what to type."""

from __future__ import annotations

import pytest

from core import queue
from core.browse import filters, pages
from core.browse.filters import FilterError, parse_filter
from core.models import NewTask


def test_terms_negation_and_alternatives_parse():
    f = parse_filter("agent:apply !status:failed,dead site:lever err:timeout", filters.TASK_SPEC)
    assert [(t.key, t.values, t.negated) for t in f.terms] == [
        ("agent", ("apply",), False), ("status", ("failed", "dead"), True), ("site", ("lever",), False),
        ("err", ("timeout",), False)]


def test_a_bare_state_word_is_that_state_and_other_words_search_text():
    f = parse_filter("failed timeout", filters.TASK_SPEC)
    assert [(t.key, t.values) for t in f.terms] == [("status", ("failed",)), ("err", ("timeout",))]
    assert parse_filter("error", filters.EVENT_SPEC).terms[0].key == "level"


@pytest.mark.parametrize("text, message", [
    ("colour:red", "unknown filter key 'colour'; use one of:"),
    ("status:broken", "status: unknown value 'broken'; use one of: queued"),
    ("id:abc", "id: expects a number, got 'abc'"),
    ("agent:", "has no value; write it as key:value"),
    ('err:"open', "close the quote"),
])
def test_bad_filters_say_what_to_type(text, message):
    with pytest.raises(FilterError) as err:
        parse_filter(text, filters.TASK_SPEC)
    assert message in str(err.value)


def test_negated_terms_keep_rows_where_the_column_is_empty(db):
    queue.enqueue(db, NewTask("ping", {}, site="jobs.lever.co"))
    queue.enqueue(db, NewTask("ping", {}))
    queue.enqueue(db, NewTask("ping", {}, site="boards.greenhouse.io"))
    w = pages.task_window(db, parse_filter("!site:jobs.lever.co", filters.TASK_SPEC))
    assert sorted(r["site"] or "" for r in w.rows) == ["", "boards.greenhouse.io"]
    assert pages.task_count(db, parse_filter("site:jobs.lever.co,boards.greenhouse.io", filters.TASK_SPEC)) == 2


def test_like_terms_escape_wildcards(db):
    t1, _ = queue.enqueue(db, NewTask("ping", {}))
    t2, _ = queue.enqueue(db, NewTask("ping", {}))
    for _t, err in ((t1, "100% done"), (t2, "1000 done")):
        claimed = queue.claim(db, ["ping"], 1, "r", 60)[0]
        queue.fail(db, claimed, err, retry=False)
    rows = pages.task_window(db, parse_filter("err:100%", filters.TASK_SPEC)).rows
    assert len(rows) == 1 and "100%" in rows[0]["last_error"]
