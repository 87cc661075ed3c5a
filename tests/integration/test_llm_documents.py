"""Document agents with an LLM served from a loopback server: used when honest, dropped when it invents,
accounted as llm events; and with no key the deterministic path says so."""

from __future__ import annotations

import json

from pydantic import SecretStr

from core import queue
from core.config import LLMSettings
from core.models import NewTask
from runners.runner import run_until_idle
from tests.support.doc_setup import make_application
from tests.support.llm_fakes import LoopbackLLM, error_body, reply

HONEST_BODY = {"paragraphs": [
    "I am excited to apply for the Senior Backend Engineer role at Acme Payments.",
    "At Razorpay I led the migration of the payment ledger to PostgreSQL, cutting p99 latency by 40%.",
    "I would be glad to bring my Go and Kubernetes experience to your team.",
]}
SNEAKY_BODY = {"paragraphs": [
    "I am excited to apply for the Senior Backend Engineer role at Acme Payments.",
    "Before Razorpay I spent 3 years as a Staff Engineer at Google building Kafka pipelines.",
]}


def llm_settings(settings, provider: str, url: str, **extra):
    key_field = {"openai": "openai_api_key", "sarvam": "sarvam_api_key", "gemini": "gemini_api_key",
                 "anthropic": "anthropic_api_key"}[provider]
    base = {"openai": f"{url}/v1", "sarvam": f"{url}/v1", "gemini": f"{url}/v1beta", "anthropic": url}[provider]
    cfg = LLMSettings(provider=provider, base_url=base, backoff_base_s=0.01, requests_per_minute=0,
                      input_usd_per_mtok=0.5, output_usd_per_mtok=1.5, **extra)
    return settings.model_copy(update={"llm": cfg, key_field: SecretStr("loopback-key")})


def run(settings, db, agent: str, aid: int):
    task, _ = queue.enqueue(db, NewTask(agent=agent, payload={"application_id": aid}, application_id=aid))
    run_until_idle(settings, db, agents=[agent], timeout_s=90)
    return queue.get_task(db, task.id)


def test_openai_compatible_cover_letter_is_used_when_it_passes_the_check(settings, db, tmp_path) -> None:
    aid, _, _ = make_application(settings, db, tmp_path)
    with LoopbackLLM(lambda path, h, body: (200, reply("openai", json.dumps(HONEST_BODY), 321, 88), {})) as srv:
        task = run(llm_settings(settings, "openai", srv.url), db, "cover_letter", aid)
    assert task.status == "succeeded", task.last_error
    assert task.result["source"] == "llm"
    assert srv.requests[0]["path"] == "/v1/chat/completions"
    assert srv.requests[0]["headers"]["authorization"] == "Bearer loopback-key"
    prompt = srv.requests[0]["body"]["messages"][-1]["content"]
    assert "Razorpay" in prompt and "Kafka" not in prompt.split("Job:")[0]  # only the candidate's facts
    docs = db.one("SELECT documents FROM applications WHERE id = %s", (aid,))["documents"]
    text = (settings.storage_path / docs["cover_letter_txt"]["path"]).read_text()
    assert "cutting p99 latency by 40%" in text and "Dear Hiring Team at Acme Payments," in text
    ev = db.one("SELECT * FROM events WHERE kind = 'llm' AND task_id = %s", (task.id,))
    assert ev["data"]["input_tokens"] == 321 and ev["data"]["output_tokens"] == 88
    assert ev["data"]["cost_usd"] == round(321 * 0.5 / 1e6 + 88 * 1.5 / 1e6, 6)
    assert ev["data"]["provider"] == "openai" and "loopback-key" not in json.dumps(ev["data"])


def test_llm_letter_that_invents_facts_is_dropped_for_the_rules(settings, db, tmp_path) -> None:
    aid, _, _ = make_application(settings, db, tmp_path)
    answer = lambda path, h, body: (200, reply("anthropic", json.dumps(SNEAKY_BODY)), {})  # noqa: E731
    with LoopbackLLM(answer) as srv:
        task = run(llm_settings(settings, "anthropic", srv.url), db, "cover_letter", aid)
    assert srv.requests[0]["path"] == "/v1/messages"
    assert task.status == "succeeded", task.last_error
    assert task.result["source"] == "rules"
    docs = db.one("SELECT documents FROM applications WHERE id = %s", (aid,))["documents"]
    text = (settings.storage_path / docs["cover_letter_txt"]["path"]).read_text()
    assert "Google" not in text and "Staff Engineer" not in text
    warn = db.one("SELECT * FROM events WHERE task_id = %s AND message LIKE %s", (task.id, "%fabrication check%"))
    assert warn["level"] == "warning" and "employer 'Google'" in warn["message"]


def test_gemini_summary_in_tailored_resume_over_a_real_socket(settings, db, tmp_path) -> None:
    aid, _, _ = make_application(settings, db, tmp_path)
    summary = {"summary": "Senior Software Engineer at Razorpay with Go, PostgreSQL and Kubernetes experience."}
    with LoopbackLLM(lambda path, h, body: (200, reply("gemini", json.dumps(summary)), {})) as srv:
        task = run(llm_settings(settings, "gemini", srv.url, model="gemini-2.5-flash"), db, "tailor", aid)
    assert task.status == "succeeded", task.last_error
    assert task.result["summary_source"] == "llm"
    req = srv.requests[0]
    assert req["path"] == "/v1beta/models/gemini-2.5-flash:generateContent"
    assert req["headers"]["x-goog-api-key"] == "loopback-key"
    assert req["body"]["generationConfig"]["responseMimeType"] == "application/json"
    diff = (settings.storage_path / task.result["documents"]["resume_diff"]["path"]).read_text()
    assert "+Senior Software Engineer at Razorpay with Go, PostgreSQL and Kubernetes experience." in diff


def test_sarvam_rate_limited_then_answers(settings, db, tmp_path) -> None:
    aid, _, _ = make_application(settings, db, tmp_path)
    calls = []

    def answer(path, headers, body):
        calls.append(path)
        if len(calls) == 1:
            return 429, error_body("sarvam", 429, "rate limited"), {"retry-after": "0"}
        return 200, reply("sarvam", json.dumps(HONEST_BODY)), {}

    with LoopbackLLM(answer) as srv:
        task = run(llm_settings(settings, "sarvam", srv.url), db, "cover_letter", aid)
    assert task.status == "succeeded" and task.result["source"] == "llm"
    assert srv.requests[1]["headers"]["api-subscription-key"] == "loopback-key"
    ev = db.one("SELECT data FROM events WHERE kind = 'llm' AND task_id = %s", (task.id,))
    assert ev["data"]["attempts"] == 2


def test_llm_down_falls_back_and_records_the_failure(settings, db, tmp_path) -> None:
    aid, _, _ = make_application(settings, db, tmp_path)
    with LoopbackLLM(lambda path, h, body: (503, error_body("openai", 503, "overloaded"), {})) as srv:
        task = run(llm_settings(settings, "openai", srv.url, max_retries=1), db, "cover_letter", aid)
    assert len(srv.requests) == 2
    assert task.status == "succeeded" and task.result["source"] == "rules"
    ev = db.one("SELECT * FROM events WHERE kind = 'llm' AND task_id = %s", (task.id,))
    assert ev["level"] == "warning" and ev["data"]["ok"] is False and "overloaded" in ev["data"]["error"]


def test_no_key_uses_the_deterministic_path_and_says_so(settings, db, tmp_path) -> None:
    aid, _, _ = make_application(settings, db, tmp_path)
    no_key = settings.model_copy(update={"llm": LLMSettings(provider="gemini"), "gemini_api_key": None})
    task = run(no_key, db, "cover_letter", aid)
    assert task.status == "succeeded" and task.result["source"] == "rules"
    line = db.one("SELECT * FROM events WHERE task_id = %s AND message LIKE %s", (task.id, "%deterministic%"))
    assert "GEMINI_API_KEY is not set" in line["message"]
