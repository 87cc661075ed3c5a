"""Outcomes an operator records, and calibrations fitted from them, on a real Postgres: what counts,
what it sets off, the versions kept under calibration/, shipping, refusing and rolling back."""

from __future__ import annotations

import importlib.util
import json
from datetime import UTC, datetime, timedelta

import pytest

from core.crypto import load_cipher
from core.errors import InvalidInput, NotFound, TalvixError
from core.outcomes import calibration as cal
from core.outcomes import records, synthetic
from core.storage import Storage
from tests.support.outcomes import add_application, add_candidate, add_job, seed_outcomes

NOW = datetime.now(UTC)


@pytest.fixture
def cipher(settings):
    return load_cipher(settings)


@pytest.fixture
def storage(settings):
    s = Storage(settings.storage_path)
    s.ensure()
    return s


@pytest.fixture
def app_id(db, cipher):
    with db.transaction() as conn:
        cid = add_candidate(conn, cipher, "Priya Sharma", "priya.sharma@example.in")
        jid = add_job(conn, "greenhouse:acme:1001", "Acme Payments", "Senior Backend Engineer",
                      "https://boards.greenhouse.io/acmepayments/jobs/1001", ats="greenhouse")
        return add_application(conn, cid, jid, submitted_at=NOW - timedelta(days=9))


# ------------------------------------------------------------------------------------------------
# Operator outcomes
# ------------------------------------------------------------------------------------------------
def test_an_interview_enqueues_interview_prep_and_a_notification(db, cipher, app_id):
    out = records.record_outcome(db, cipher, app_id, "interview", note="Call with Rahul on Monday", who="op@host")
    assert out["created"] and out["status"] == "confirmed"
    task = db.one("SELECT agent, payload, status, priority FROM tasks WHERE idempotency_key = %s",
                  (f"interview_prep:{app_id}:outcome:{out['id']}",))
    assert task == {"agent": "interview_prep", "payload": {"application_id": app_id}, "status": "queued", "priority": 5}
    if importlib.util.find_spec("core.notify") is not None:
        n = db.one("SELECT template FROM notifications WHERE application_id = %s", (app_id,))
        assert n is not None and n["template"] == "interview_invitation"
    else:
        assert db.one("SELECT 1 AS x FROM events WHERE application_id = %s AND message LIKE %s",
                      (app_id, "interview: no notification queued%"))
    audit = db.one("SELECT actor, action, target_ids FROM operator_actions WHERE action = 'record_outcome'")
    assert audit == {"actor": "op@host", "action": "record_outcome", "target_ids": [app_id]}


def test_the_package_entry_point_records_an_outcome_for_the_console(db, cipher, app_id):
    import core.outcomes

    out = core.outcomes.record_outcome(db, cipher, app_id, "rejected", note="Said no by phone", who="console:op")
    assert out["created"] and out["kind"] == "rejected" and out["status"] == "confirmed"
    row = db.one("SELECT kind, source, created_by, status FROM outcomes WHERE id = %s", (out["id"],))
    assert row == {"kind": "rejected", "source": "operator", "created_by": "console:op", "status": "confirmed"}
    assert core.outcomes.record_outcome(db, cipher, app_id, "rejected", who="console:op")["created"] is False
    with pytest.raises(InvalidInput, match="unknown outcome"):
        core.outcomes.record_outcome(db, cipher, app_id, "hired")


def test_the_same_outcome_twice_is_recorded_once(db, cipher, app_id):
    first = records.record_outcome(db, cipher, app_id, "interview")
    again = records.record_outcome(db, cipher, app_id, "interview")
    assert again == {**again, "id": first["id"], "created": False}
    assert db.one("SELECT count(*) AS n FROM tasks WHERE agent = 'interview_prep'")["n"] == 1
    records.record_outcome(db, cipher, app_id, "offer")
    assert [o["kind"] for o in records.list_outcomes(db, cipher, app_id)] == ["interview", "offer"]


def test_the_note_is_encrypted_at_rest(db, cipher, app_id):
    records.record_outcome(db, cipher, app_id, "rejected", note="Recruiter said: salary band too low")
    raw = db.one("SELECT note_enc FROM outcomes WHERE application_id = %s", (app_id,))["note_enc"]
    assert b"salary band" not in bytes(raw)
    assert records.list_outcomes(db, cipher, app_id)[0]["note"] == "Recruiter said: salary band too low"


def test_bad_outcomes_are_refused_in_one_line(db, cipher, app_id):
    with pytest.raises(InvalidInput, match="unknown outcome 'hired'; expected one of no_response, rejected"):
        records.record_outcome(db, cipher, app_id, "hired")
    with pytest.raises(NotFound, match="no application with id 999999"):
        records.record_outcome(db, cipher, 999_999, "rejected")
    with pytest.raises(InvalidInput, match="at most 2000"):
        records.record_outcome(db, cipher, app_id, "rejected", note="x" * 2001)
    db.execute("UPDATE applications SET status = 'ready' WHERE id = %s", (app_id,))
    with pytest.raises(InvalidInput, match="is 'ready', not submitted: only 'withdrawn'"):
        records.record_outcome(db, cipher, app_id, "interview")
    assert db.one("SELECT count(*) AS n FROM outcomes")["n"] == 0
    records.record_outcome(db, cipher, app_id, "withdrawn")
    assert db.one("SELECT status FROM applications WHERE id = %s", (app_id,))["status"] == "withdrawn"


# ------------------------------------------------------------------------------------------------
# Calibration
# ------------------------------------------------------------------------------------------------
def test_below_the_minimum_nothing_is_fitted_or_saved(db, cipher, storage, settings):
    seed_outcomes(db, cipher, synthetic.signal(49, seed=3))
    seed_outcomes(db, cipher, synthetic.signal(30, seed=4), status="pending")  # unconfirmed mail: not counted
    assert cal.confirmed_count(db) == 49
    with pytest.raises(cal.NotEnoughOutcomes, match="49 confirmed outcome"):
        cal.run(db, storage, settings)
    assert db.execute("SELECT * FROM calibrations") == []
    assert list((storage.root / "calibration").iterdir()) == []


def test_a_signal_ships_a_versioned_calibration_and_a_refit_is_judged_against_it(db, cipher, storage, settings):
    seed_outcomes(db, cipher, synthetic.signal(900, seed=8))
    first = cal.run(db, storage, settings, who="op@host")
    assert first["status"] == "shipped" and first["active"], first["reason"]
    assert first["path"] == "calibration/v0001.json"
    doc = json.loads((storage.root / first["path"]).read_text())
    assert doc["version"] == 1 and doc["against"] is None and doc["features"] == list(cal.FEATURES)
    assert doc["figures"]["calibrated"]["auc"] > doc["figures"]["current"]["auc"]
    assert {r["band"] for r in doc["figures"]["calibrated"]["reliability"]} >= {"0-10", "90-100"}
    model = cal.active_model(db, storage)
    assert model is not None and model.version == 1

    second = cal.run(db, storage, settings)  # the same outcomes again: not better than v1 beyond noise
    assert second["status"] == "rejected" and not second["active"]
    assert "calibration v1" in second["reason"]
    rows = cal.versions(db)
    assert [(r["version"], r["status"], r["active"]) for r in rows] == [(2, "rejected", False), (1, "shipped", True)]
    assert rows[0]["against"] == 1 and rows[0]["p_value"] >= settings.outcomes.ship_alpha
    with pytest.raises(TalvixError, match="v2 was rejected"):
        cal.rollback(db, to_version=2)

    back = cal.rollback(db, who="op@host")
    assert back == {"rolled_back": 1, "active": None, "message": "calibration rolled back from v1 to the raw fit"}
    assert cal.active_model(db, storage) is None
    assert db.one("SELECT status FROM calibrations WHERE version = 1")["status"] == "rolled_back"
    with pytest.raises(NotFound, match="no calibration is active"):
        cal.rollback(db)
    again = cal.rollback(db, to_version=1)
    assert again["active"] == 1 and cal.active_model(db, storage).version == 1


def test_noise_is_kept_but_marked_rejected(db, cipher, storage, settings):
    seed_outcomes(db, cipher, synthetic.noise(400, seed=9))
    out = cal.run(db, storage, settings)
    assert out["status"] == "rejected" and not out["active"]
    assert (storage.root / out["path"]).is_file()
    assert cal.active_model(db, storage) is None
    assert db.one("SELECT count(*) AS n FROM calibrations WHERE active")["n"] == 0


def test_scoring_uses_the_active_calibration_and_the_raw_fit_after_a_rollback(db, cipher, storage, settings):
    from core.scoring.run import weights_for

    assert weights_for(db, settings).calibration is None
    seed_outcomes(db, cipher, synthetic.signal(900, seed=8))
    shipped = cal.run(db, storage, settings)
    w = weights_for(db, settings)
    assert w.calibration is not None and w.calibration.version == shipped["version"]
    assert (w.apply_threshold, w.review_threshold) == (shipped["model"]["thresholds"]["apply"],
                                                       shipped["model"]["thresholds"]["review"])
    cal.rollback(db)
    w = weights_for(db, settings)
    assert w.calibration is None and w.apply_threshold == settings.score.apply_threshold
