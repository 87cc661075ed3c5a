"""Bad input is refused at the door (issue 11): one specific line, exit 2, nothing written.

The commands run as real subprocesses against a real Postgres; each case used to be accepted (or to end in a
generic "unexpected ..." line) before this module existed.
"""

from __future__ import annotations

import pytest


def assert_refused(out, *needles: str) -> str:
    """Exit 2 and exactly one ``talvix: error:`` line on stderr that names every needle."""
    assert out.returncode == 2, (out.returncode, out.stdout, out.stderr)
    assert out.stderr.startswith("talvix: error: ") and out.stderr.count("\n") == 1, out.stderr
    assert "Traceback" not in out.stderr and "unexpected" not in out.stderr, out.stderr
    for needle in needles:
        assert needle in out.stderr, (needle, out.stderr)
    return out.stderr


def task_count(db) -> int:
    return db.one("SELECT count(*) AS n FROM tasks")["n"]


# ------------------------------------------------------------------------------------------------
# enqueue
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("args", "needles"), [
    (["nosuchagent"], ["unknown agent 'nosuchagent'", "known agents:", "ping"]),
    (["ping", "--payload", '{"ms": "abc"}'], ["field 'ms'", "valid integer", "'abc'"]),
    (["ping", "--payload", '{"ms": -5}'], ["field 'ms'", "greater than or equal to 0"]),
    (["ping", "--payload", '{"ms": 5, "mss": 1}'], ["unknown key 'mss'", "its keys: fail, ms"]),
    # A pre-set approval would skip the operator's approval step: only `talvix approve` sets it.
    (["apply", "--payload", '{"application_id": 1, "approval": {"by": "me"}}'], ["unknown key 'approval'"]),
    (["apply", "--payload", "{}"], ["field 'application_id' is required"]),
    (["score", "--payload", '{"candidate_id": 1, "job_id": 2}'], ["exactly one of candidate_id or job_id"]),
    (["maintenance", "--payload", '{"action": "drop_everything"}'], ["field 'action'", "'purge_events'"]),
    (["discover", "--payload", '{"source": "greenhouse:a\\u0000b"}'], ["field 'source'", "NUL"]),
    (["ping", "--payload", '{"ms": NaN}'], ["--payload is not valid JSON", "NaN"]),
    (["ping", "--max-attempts", "0"], ["--max-attempts must be between 1 and 100", "got 0"]),
    (["ping", "--max-attempts", "-1"], ["--max-attempts", "got -1"]),
    (["ping", "--priority", "99999999999"], ["--priority must be between -2147483648 and 2147483647"]),
    (["ping", "--priority", "-99999999999"], ["--priority", "got -99999999999"]),
    (["ping", "--payload", "{}", "--from-file", "x.jsonl"], ["--payload or --from-file, not both"]),
])
def test_enqueue_refuses_bad_input_and_adds_nothing(run_talvix, db, args, needles) -> None:
    assert_refused(run_talvix("enqueue", *args), *needles)
    assert task_count(db) == 0


@pytest.mark.parametrize(("content", "needles"), [
    ('{"ms": 1}\n{"ms": "x"}\n', [":2: field 'ms'", "valid integer"]),
    ('{"ms": 1}\n\n{"ms": 2, "colour": "red"}\n', [":3: unknown key 'colour'"]),
    (b'{"ms": 1}\n\xff\xfe\x00\x01\n', [":2 is not UTF-8 text"]),
])
def test_enqueue_from_file_checks_every_line_first(run_talvix, db, tmp_path, content, needles) -> None:
    path = tmp_path / "tasks.jsonl"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    assert_refused(run_talvix("enqueue", "ping", "--from-file", str(path)), "tasks.jsonl", *needles)
    assert task_count(db) == 0


def test_enqueue_from_a_folder_names_it(run_talvix, db, tmp_path) -> None:
    assert_refused(run_talvix("enqueue", "ping", "--from-file", str(tmp_path)), "is a folder")
    assert task_count(db) == 0


def test_the_queue_itself_refuses_max_attempts_below_one(db) -> None:
    from core import queue
    from core.errors import InvalidInput
    from core.models import NewTask

    for bad in (0, -1):
        with pytest.raises(InvalidInput, match="at least 1"):
            queue.enqueue(db, NewTask("ping", max_attempts=bad))
        with pytest.raises(InvalidInput, match="at least 1"):
            queue.enqueue_many(db, [NewTask("ping"), NewTask("ping", max_attempts=bad)])
    assert task_count(db) == 0


# ------------------------------------------------------------------------------------------------
# pause, resume, cap, tasks
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("args", [["pause", "nosuchagent"], ["cap", "nosuchagent", "3"]])
def test_controls_of_an_unknown_agent_are_refused(run_talvix, db, args) -> None:
    assert_refused(run_talvix(*args), "unknown agent 'nosuchagent'", "known agents:")
    assert db.execute("SELECT * FROM agent_controls") == []
    assert db.execute("SELECT * FROM operator_actions") == []


def test_resume_refuses_an_unknown_agent_but_clears_a_retired_agents_pause(run_talvix, db) -> None:
    assert_refused(run_talvix("resume", "nosuchagent"), "unknown agent 'nosuchagent'")
    # An agent paused by another build (or before it was retired) can still be resumed, so the pause can go.
    db.execute("INSERT INTO agent_controls (agent, paused) VALUES ('retired_agent', true)")
    out = run_talvix("resume", "retired_agent")
    assert out.returncode == 0, out.stderr
    assert db.execute("SELECT agent, paused FROM agent_controls") == [{"agent": "retired_agent", "paused": False}]


def test_a_negative_cap_is_refused(run_talvix, db) -> None:
    assert_refused(run_talvix("cap", "ping", "-1"), "cap N must be between 0 and", "got -1")
    assert db.execute("SELECT * FROM agent_controls") == []


@pytest.mark.parametrize("limit", ["-1", "0", "99999999999999999999"])
def test_tasks_limit_out_of_range_is_refused(run_talvix, db, limit) -> None:
    assert_refused(run_talvix("tasks", "--limit", limit), "--limit must be between 1 and", f"got {limit}")


# ------------------------------------------------------------------------------------------------
# candidates add: the profile file
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("toml", "needles"), [
    ('[identity]\nemail = "not-an-email"\n', ["'identity.email'", "not an email address"]),
    ('[identity]\nphone = "call me maybe"\n', ["'identity.phone'", "not a valid phone number", "country code"]),
    ('[identity]\nphone = "12345"\n', ["'identity.phone'", "not a valid phone number"]),
    ('[identity]\nfirst_nmae = "Priya"\n', ["unknown key 'identity.first_nmae'", "known keys in [identity]:",
                                            "first_name"]),
    ('[work]\nnotice_days = 30\n', ["unknown key 'work.notice_days'", "notice_period_days"]),
    ('favourite_colour = "red"\n', ["unknown key 'favourite_colour'", "known keys:", "identity"]),
    ('[identty]\nemail = "priya@example.com"\n', ["unknown key 'identty'"]),
    ('[[experience]]\nemployer = "Acme"\ncompany = "Acme"\n', ["unknown key 'experience[0].company'", "employer"]),
    ('[links]\nblog = 3\n', ["'links'", "link 'blog' must be text"]),
    ('apply_policy = "sometimes"\n', ["'apply_policy'", "'when_uncertain'"]),
])
def test_candidates_add_refuses_a_bad_profile_file_naming_the_key(run_talvix, settings, db, tmp_path, toml,
                                                                  needles) -> None:
    from tests.support import resume_samples as rs

    profile = tmp_path / "profile.toml"
    profile.write_text(toml)
    out = run_talvix("candidates", "add", "--resume", str(rs.write_text(tmp_path)), "--profile", str(profile))
    assert_refused(out, "profile.toml", *needles)
    assert db.one("SELECT count(*) AS n FROM candidates")["n"] == 0
    assert task_count(db) == 0
    stored = settings.storage_path / "parsed-resumes"
    assert not stored.exists() or not any(p.is_file() for p in stored.rglob("*"))


def test_a_typo_is_refused_and_every_documented_section_is_accepted(run_talvix, db, tmp_path) -> None:
    from tests.support import resume_samples as rs

    resume = str(rs.write_text(tmp_path))
    good = (
        'apply_policy = "always"\nsummary = "Backend engineer."\nskills = ["Python"]\n'
        '[identity]\nfirst_name = "Priya"\nemail = "priya.s+jobs@example.co.in"\nphone = "+1 202 555 0143"\n'
        '[links]\nlinkedin = "https://www.linkedin.com/in/p"\nblog = "https://p.dev"\n'
        '[work]\nnotice_period_days = 30\nrelocate_to = ["Pune"]\n[skills_years]\nPython = 6\n'
        '[answers]\n"Why us?" = "The product."\n[eeo]\ngender = "Female"\n'
        '[preferences]\nremote = true\n[[experience]]\nemployer = "Acme"\ntitle = "Engineer"\n'
        '[[education]]\ninstitution = "IIT"\ndegree = "B.Tech"\n')
    profile = tmp_path / "profile.toml"
    profile.write_text(good.replace("relocate_to", "relocate"))
    assert_refused(run_talvix("candidates", "add", "--resume", resume, "--profile", str(profile)),
                   "unknown key 'work.relocate'")
    profile.write_text(good)
    out = run_talvix("candidates", "add", "--resume", resume, "--profile", str(profile))
    assert out.returncode == 0, out.stderr
    assert db.one("SELECT apply_policy FROM candidates")["apply_policy"] == "always"
