"""Every discovery request has a total deadline and a size limit (issue 11: bounded resources).

Real servers on loopback: one that trickles a byte at a time (httpx's per-read timeout never fires), one
that accepts and never answers, one that answers more than the size limit.
"""

from __future__ import annotations

import pytest

from core.jobs.discovery import discover
from core.jobs.sources import SourceError
from sandbox import raw
from sandbox.raw import RawServer

trickle = raw.trickle(0.05)
silent = raw.silent(30)
huge = raw.huge(b"", b" " * 65536, 64)  # 4 MB


@pytest.fixture
def quick(settings):
    return settings.model_copy(update={"discovery": settings.discovery.model_copy(
        update={"timeout_s": 1.0, "retries": 2, "backoff_s": 0.0, "max_response_mb": 1.0})})


def _run(server_behaviour, quick, db) -> tuple[RawServer, SourceError]:
    with RawServer(server_behaviour) as server:
        with pytest.raises(SourceError) as err:
            discover(db, quick, "greenhouse:acme", base_url=server.url)
    return server, err.value


def test_a_server_that_trickles_fails_at_the_total_deadline(quick, db) -> None:
    server, err = _run(trickle, quick, db)
    assert "did not finish within 1 s" in str(err)
    assert server.connections == 1
    assert db.one("SELECT count(*) AS n FROM jobs")["n"] == 0


def test_a_server_that_never_answers_fails_in_one_timeout_not_three(quick, db) -> None:
    server, err = _run(silent, quick, db)
    assert "did not answer within 1 s" in str(err)
    assert server.connections == 1


def test_an_answer_past_the_size_limit_is_refused(quick, db) -> None:
    server, err = _run(huge, quick, db)
    assert "larger than 1 MB" in str(err)
    assert server.connections == 1
