"""Each injected fault does what the real sites do, and submissions are recorded (or refused) exactly."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator

import httpx
import pytest

from sandbox import SandboxServer

LEGACY_OK = {
    "job_application[first_name]": "Asha", "job_application[last_name]": "Rao",
    "job_application[email]": "asha@example.com", "job_application[phone]": "9845012345",
    "job_application[answers_attributes][1][boolean_value]": "1",
    "job_application[answers_attributes][2][answer_selected_options_attributes][0][question_option_id]": "7022",
    "job_application[answers_attributes][4][boolean_value]": "0",
}
RESUME = b"%PDF-1.4 resume bytes"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxServer]:
    with SandboxServer(port=0, data_dir=tmp_path_factory.mktemp("sbdata")) as sb:
        yield sb


@pytest.fixture
def sb(server: SandboxServer) -> SandboxServer:
    server.reset()
    return server


@pytest.fixture
def client(sb: SandboxServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sb.url, timeout=10) as c:
        yield c


def submit_legacy(client: httpx.Client, sb: SandboxServer, key: str = "gh-backend", query: str = "",
                  data: dict[str, str] | None = None) -> httpx.Response:
    path = sb.page_url(key).removeprefix(sb.url) + "/application" + query
    return client.post(path, data=data if data is not None else LEGACY_OK,
                       files={"job_application[resume]": ("cv.pdf", RESUME, "application/pdf")})


def test_submission_is_recorded_with_file_hash_and_written_to_jsonl(client: httpx.Client, sb: SandboxServer) -> None:
    r = submit_legacy(client, sb)
    assert r.status_code == 303 and r.headers["location"].endswith("/confirmation")
    [sub] = client.get("/_sandbox/submissions").json()
    assert sub["job"] == "gh-backend" and sub["ats"] == "greenhouse"
    assert sub["files"][0] == {"field": "job_application[resume]", "filename": "cv.pdf", "size": len(RESUME),
                               "content_type": "application/pdf", "sha256": hashlib.sha256(RESUME).hexdigest()}
    assert sub["answers"]["What is your notice period?"] == "30 days"
    assert sub["user_agent"].startswith("python-httpx") and sub["received_at"].endswith("+00:00")
    lines = (sb.state.data_dir / "submissions.jsonl").read_text().splitlines()
    assert json.loads(lines[-1])["id"] == sub["id"]


def test_missing_required_answer_is_refused_and_not_counted(client: httpx.Client, sb: SandboxServer) -> None:
    data = {k: v for k, v in LEGACY_OK.items() if "boolean_value" not in k}
    r = submit_legacy(client, sb, data=data)
    assert r.status_code == 422 and "Are you legally authorized to work in India?" in r.text
    assert sb.submissions() == []
    assert sb.submissions(rejected=True)[0]["missing"] == ["Are you legally authorized to work in India?",
                                                           "Are you willing to relocate?"]


def test_reset_forgets_submissions_and_faults(client: httpx.Client, sb: SandboxServer) -> None:
    submit_legacy(client, sb)
    client.post("/_sandbox/faults", json={"kind": "captcha"})
    assert client.post("/_sandbox/reset").json() == {"ok": True}
    assert client.get("/_sandbox/submissions").json() == [] and client.get("/_sandbox/faults").json() == []


def test_429_has_retry_after_and_ends_after_its_times(client: httpx.Client, sb: SandboxServer) -> None:
    r = client.post("/_sandbox/faults", json={"kind": "429", "job": "gh-backend", "times": 1, "retry_after": 7})
    assert r.status_code == 201
    page = client.get(sb.page_url("gh-backend"))
    assert page.status_code == 429 and page.headers["retry-after"] == "7" and "Too Many Requests" in page.text
    assert client.get(sb.page_url("gh-backend")).status_code == 200
    assert client.get("/_sandbox/faults").json() == []


def test_board_wide_429_hits_the_api_with_json(client: httpx.Client, sb: SandboxServer) -> None:
    sb.add_fault("429", board="kitebyte")
    r = client.get("/v0/postings/kitebyte")
    assert r.status_code == 429 and r.json()["status"] == 429 and r.headers["retry-after"] == "30"
    assert client.get("/v1/boards/acmepay/jobs").status_code == 200  # other boards unaffected


def test_a_job_fault_leaves_other_jobs_alone(client: httpx.Client, sb: SandboxServer) -> None:
    sb.add_fault("403", job="gh-backend")
    assert client.get(sb.page_url("gh-backend")).status_code == 403
    assert "you have been blocked" in client.get(sb.page_url("gh-backend")).text
    assert client.get(sb.page_url("gh-data")).status_code == 200


def test_slow_load_delays_then_serves(client: httpx.Client, sb: SandboxServer) -> None:
    sb.add_fault("slow", job="lever-ml", delay_ms=400)
    started = time.monotonic()
    r = client.get(sb.apply_url("lever-ml"))
    assert r.status_code == 200 and time.monotonic() - started >= 0.4
    assert "application-form" in r.text


def test_closed_posting_leaves_lists_and_shows_no_longer_accepting(client: httpx.Client, sb: SandboxServer) -> None:
    job = sb.job("gh-data")
    sb.add_fault("closed", job="gh-data")
    ids = [j["id"] for j in client.get("/v1/boards/acmepay/jobs").json()["jobs"]]
    assert int(job.native_id) not in ids and len(ids) == 2
    assert client.get(f"/v1/boards/acmepay/jobs/{job.native_id}").status_code == 404
    page = client.get(sb.apply_url("gh-data"))
    assert page.status_code == 404 and "no longer accepting applications" in page.text
    assert submit_legacy(client, sb, "gh-data").status_code == 404
    assert sb.submissions() == []


def test_closed_ashby_and_lever_jobs_leave_their_boards(client: httpx.Client, sb: SandboxServer) -> None:
    sb.add_fault("closed", job="ashby-ds")
    sb.add_fault("closed", job="lever-ml")
    assert "Data Scientist" not in [j["title"] for j in client.get("/posting-api/job-board/nimbuslabs").json()["jobs"]]
    assert sb.job("lever-ml").native_id not in [p["id"] for p in client.get("/v0/postings/kitebyte").json()]


def test_captcha_and_daily_limit_pages(client: httpx.Client, sb: SandboxServer) -> None:
    sb.add_fault("captcha", job="ashby-product")
    r = client.get(sb.apply_url("ashby-product"))
    assert r.status_code == 200 and "Verify you are human" in r.text and "_systemfield_name" not in r.text
    sb.add_fault("daily_limit", ats="lever")
    r = client.get(sb.apply_url("lever-fullstack"))
    assert "daily limit of applications" in r.text


def test_query_parameter_fault_applies_to_one_request(client: httpx.Client, sb: SandboxServer) -> None:
    assert "Verify you are human" in client.get(sb.apply_url("gh-backend") + "?fault=captcha").text
    assert client.get(sb.apply_url("gh-backend") + "?fault=429&retry_after=3").headers["retry-after"] == "3"
    assert "application_form" in client.get(sb.apply_url("gh-backend")).text


def test_dropped_submit_records_then_closes_the_connection(client: httpx.Client, sb: SandboxServer) -> None:
    sb.add_fault("drop_submit", job="gh-backend")
    with pytest.raises(httpx.RemoteProtocolError):
        submit_legacy(client, sb)
    assert len(sb.submissions("gh-backend")) == 1


def test_dropped_submit_by_query_parameter_reaches_the_form_action(client: httpx.Client, sb: SandboxServer) -> None:
    form = client.get(sb.apply_url("lever-fullstack") + "?fault=drop_submit&mode=blank").text
    assert 'action="/jobs.lever.co/kitebyte/' in form and '/apply?fault=drop_submit&amp;mode=blank"' in form
    r = submit_legacy(client, sb, query="?fault=drop_submit&mode=blank")
    assert r.status_code == 200 and r.content == b""
    assert len(sb.submissions()) == 1


def test_fault_requests_with_mistakes_get_a_clear_400(client: httpx.Client) -> None:
    r = client.post("/_sandbox/faults", json={"kind": "teapot"})
    assert r.status_code == 400 and "use one of" in r.json()["error"]
    assert client.post("/_sandbox/faults", json={"kind": "429", "colour": "red"}).status_code == 400
    assert client.post("/_sandbox/faults", content=b"not json").status_code == 400
    assert client.get("/anything?fault=teapot").status_code == 404


def test_faults_can_be_listed_and_cleared_one_by_one(client: httpx.Client) -> None:
    added = client.post("/_sandbox/faults", json=[{"kind": "429"}, {"kind": "slow", "delay_ms": 10}]).json()
    assert [f["kind"] for f in client.get("/_sandbox/faults").json()] == ["429", "slow"]
    assert client.delete(f"/_sandbox/faults/{added[0]['id']}").json() == {"removed": 1}
    assert [f["kind"] for f in client.get("/_sandbox/faults").json()] == ["slow"]
    assert client.delete("/_sandbox/faults").json() == {"removed": 1}



def test_malformed_request_gets_400_and_a_clean_log_line() -> None:
    import socket

    lines: list[str] = []
    with SandboxServer(port=0, log=lines.append) as sb:
        with socket.create_connection(("127.0.0.1", sb.port)) as s:
            s.sendall(b"\x16\x03\x01\x1b[31mgarbage\r\n\r\n")
            assert b"Bad request" in s.makefile("rb").read()
        with socket.create_connection(("127.0.0.1", sb.port)) as s:
            s.sendall(b"GET /%1b%5b31mred HTTP/1.0\r\n\r\n")
            assert s.makefile("rb").read().startswith(b"HTTP/1.1 404")
    assert len(lines) >= 2 and not any("\x1b" in line for line in lines)
