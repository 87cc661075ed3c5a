"""Demo data for ``talvix demo``: a small, believable Talvix installation in a separate data directory.

Everything is written through the real core APIs (records, queue, storage), so the console shows what
real work looks like: candidates, jobs, applications, tasks in every state with their events, runners on
several hosts, an apply session with screenshots, approvals with answer sheets, a paused agent and a
paused site, and operator actions in the audit log. No network is used. As the pipeline's agents land,
parts of :func:`seed_demo` can be replaced by running the real pipeline against the sandbox job board.
"""

from __future__ import annotations

import io
from typing import Any

from psycopg.types.json import Jsonb

from core import applications, queue
from core.candidates import store as candidates
from core.config import Settings
from core.crypto import load_cipher, seal_answer_sheets
from core.db import Database
from core.jobs import store as jobs
from core.models import NewTask, Task
from core.storage import Storage, record_artifact

WHO = "demo@talvix"
RUNNERS = (
    ("worker-1.talvix:4123", "worker-1.talvix", 4123, ["discover", "jd_parse", "score", "tailor", "cover_letter"], 4),
    ("apply-1.talvix:5210", "apply-1.talvix", 5210, ["apply"], 2),
    ("worker-2.talvix:3301", "worker-2.talvix", 3301, ["notify", "follow_up"], 2),
)

CANDIDATES = (
    ("Asha", "Rao", "Bengaluru", ["Python", "PostgreSQL", "Django", "AWS"], 6.0, "when_uncertain"),
    ("Vikram", "Singh", "Pune", ["Go", "Kubernetes", "gRPC"], 8.5, "always"),
    ("Meera", "Iyer", "Chennai", ["React", "TypeScript", "Node.js"], 4.0, "when_uncertain"),
    ("Rahul", "Mehta", "Remote", ["Data Engineering", "Spark", "Airflow", "Python"], 7.0, "never"),
    ("Priya", "Nair", "Hyderabad", ["Java", "Spring", "Kafka"], 5.5, "when_uncertain"),
)

JOBS = (
    ("greenhouse", "acme", "Acme Robotics", "Senior Backend Engineer", "Bengaluru", "hybrid"),
    ("greenhouse", "acme", "Acme Robotics", "Platform Engineer", "Remote", "remote"),
    ("lever", "zentri", "Zentri", "Go Developer", "Pune", "onsite"),
    ("lever", "zentri", "Zentri", "Site Reliability Engineer", "Pune", "hybrid"),
    ("ashby", "orbital", "Orbital Labs", "Frontend Engineer (React)", "Chennai", "remote"),
    ("ashby", "orbital", "Orbital Labs", "Data Engineer", "Remote", "remote"),
    ("greenhouse", "nimbus", "Nimbus Pay", "Java Backend Developer", "Hyderabad", "onsite"),
    ("lever", "kitekite", "KiteKite", "Full Stack Engineer", "Bengaluru", "hybrid"),
    ("greenhouse", "nimbus", "Nimbus Pay", "Staff Data Engineer", "Remote", "remote"),
    ("ashby", "orbital", "Orbital Labs", "Engineering Manager", "Chennai", "onsite"),
)
SITES = {"greenhouse": "boards.greenhouse.io", "lever": "jobs.lever.co", "ashby": "jobs.ashbyhq.com"}


def _answer_sheet(first: str, last: str, *, uncertain: str | None = None) -> dict[str, Any]:
    fields = [
        {"label": "First name", "name": "first_name", "type": "text", "required": True, "value": first,
         "source": "profile:identity.first_name", "confidence": 1.0},
        {"label": "Last name", "name": "last_name", "type": "text", "required": True, "value": last,
         "source": "profile:identity.last_name", "confidence": 1.0},
        {"label": "Resume/CV", "name": "resume", "type": "file", "required": True, "value": "tailored/resume.pdf",
         "source": "documents:resume_pdf", "confidence": 1.0},
        {"label": "Notice period", "name": "notice_period", "type": "select", "required": True, "value": "30 days",
         "source": "answer_bank:notice_period_days", "confidence": 0.9},
        {"label": "Expected CTC (LPA)", "name": "expected_ctc", "type": "text", "required": False, "value": "32",
         "source": "profile:work.expected_ctc_lpa", "confidence": 0.8},
        {"label": "Gender", "name": "eeo_gender", "type": "select", "required": False, "value": "Decline to self-identify",
         "source": "policy:eeo_decline", "confidence": 1.0},
    ]
    if uncertain:
        fields.append({"label": uncertain, "name": "q_custom_1", "type": "textarea", "required": True, "value": "",
                       "source": "none", "confidence": 0.2})
    return {"fields": fields}


def screenshot_png(title: str, company: str, step: str, filled: bool) -> bytes:
    """A plausible screenshot of an application form (drawn with Pillow, no browser needed)."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (640, 400), (246, 247, 249))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, 640, 56), fill=(31, 64, 140))
    d.text((20, 12), company, fill=(255, 255, 255))
    d.text((20, 32), title, fill=(200, 215, 255))
    labels = ["First name", "Last name", "Email", "Resume/CV", "Notice period"]
    values = ["Asha", "Rao", "asha@example.com", "resume.pdf", "30 days"]
    for i, (label, value) in enumerate(zip(labels, values)):
        y = 76 + i * 52
        d.text((24, y), label, fill=(60, 60, 60))
        d.rectangle((24, y + 16, 420, y + 40), outline=(150, 150, 160), fill=(255, 255, 255))
        if filled:
            d.text((32, y + 22), value, fill=(20, 20, 20))
    d.rectangle((460, 330, 610, 370), fill=(34, 139, 84) if filled else (160, 160, 160))
    d.text((490, 342), "Submit application", fill=(255, 255, 255))
    d.text((460, 76), f"step: {step}", fill=(120, 120, 120))
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=False)
    return buf.getvalue()


class _Seeder:
    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings = settings
        self.db = db
        self.storage = Storage.from_settings(settings)
        self.storage.ensure()

    # -- queue helpers: each task goes through enqueue -> claim -> complete/fail/park like real work
    def enqueue(self, agent: str, payload: dict[str, Any], **kw: Any) -> Task:
        task, _ = queue.enqueue(self.db, NewTask(agent, payload, **kw))
        return task

    def claim(self, agent: str, runner: str) -> Task:
        got = queue.claim(self.db, [agent], 1, runner, 3600)
        assert got, f"demo: nothing to claim for {agent}"
        return got[0]

    def run(self, agent: str, payload: dict[str, Any], runner: str, outcome: str = "succeeded",
            result: dict[str, Any] | None = None, error: str = "", logs: tuple[tuple[str, str], ...] = (),
            **kw: Any) -> Task:
        self.enqueue(agent, payload, **kw)
        task = self.claim(agent, runner)
        with self.db.connection() as conn:
            for level, message in logs:
                queue.add_event(conn, message, level=level, agent=agent, task_id=task.id,
                                candidate_id=task.candidate_id, job_id=task.job_id,
                                application_id=task.application_id, runner_id=runner)
        if outcome == "succeeded":
            queue.complete(self.db, task, result or {"ok": True})
        elif outcome == "failed":
            queue.fail(self.db, task, error, delay_s=1800)
        elif outcome == "dead":
            queue.fail(self.db, task, error, retry=False)
        elif outcome in ("needs_human", "awaiting_approval"):
            queue.park(self.db, task, outcome, error, result=result)
        elif outcome != "running":
            raise ValueError(outcome)
        return task

    def seed(self) -> dict[str, int]:
        db = self.db
        cipher = load_cipher(self.settings)
        for rid, host, pid, agents, conc in RUNNERS:
            db.execute(
                """INSERT INTO runners (id, host, pid, agents, concurrency, version, mode, status, info)
                   VALUES (%s, %s, %s, %s, %s, '0.1.0', 'headless', 'running', %s) ON CONFLICT (id) DO NOTHING""",
                (rid, host, pid, agents, conc, Jsonb({"demo": True})))
        db.execute("""INSERT INTO runners (id, host, pid, agents, concurrency, version, mode, status, stopped_at)
                      VALUES ('worker-0.talvix:999', 'worker-0.talvix', 999, '{ping}', 1, '0.1.0', 'headless', 'gone', now())
                      ON CONFLICT (id) DO NOTHING""")
        w1, ap1, w2 = (r[0] for r in RUNNERS)

        cand_ids = []
        for first, last, loc, skills, years, policy in CANDIDATES:
            profile = {"identity": {"first_name": first, "last_name": last, "location": loc,
                                    "email": f"{first.lower()}.{last.lower()}@example.com", "phone": "+91 98450 00000"},
                       "skills": skills, "work": {"years_experience": years, "notice_period_days": 30}}
            cid, _ = candidates.save_candidate(db, cipher, profile, apply_policy=policy,
                                            resume_path=f"parsed-resumes/{first.lower()}.json")
            cand_ids.append(cid)
            self.run("resume_parse", {"candidate_id": cid}, w1, candidate_id=cid, key=f"resume_parse:candidate:{cid}",
                     logs=(("info", f"parsed resume: {len(skills)} skills, {years} years"),))

        job_ids = []
        with db.transaction() as conn:
            for i, (ats, board, company, title, loc, workplace) in enumerate(JOBS):
                site = SITES[ats]
                url = f"https://{site}/{board}/jobs/{1000 + i}"
                jid, _ = jobs.upsert_job(conn, {
                    "canonical_key": f"{ats}:{board}:{1000 + i}", "source": f"{ats}:{board}", "company": company,
                    "title": title, "location": loc, "workplace": workplace, "url": url, "apply_url": url,
                    "ats": ats, "site": site,
                    "description": f"{company} is hiring a {title} in {loc}. You will build and run production systems.",
                })
                job_ids.append(jid)
            jobs.close_missing_jobs(conn, "ashby:orbital", [f"ashby:orbital:{1000 + i}" for i in (4, 5)])

        for board in ("greenhouse:acme", "lever:zentri", "ashby:orbital", "greenhouse:nimbus", "lever:kitekite"):
            self.run("discover", {"source": board}, w1, key=f"discover:{board}:demo",
                     result={"new": 2, "changed": 0, "closed": 0},
                     logs=(("info", f"listed {board}: 2 new postings"),))
        for jid in job_ids[:8]:
            self.run("jd_parse", {"job_id": jid}, w1, job_id=jid, key=f"jd_parse:job:{jid}")
        self.run("jd_parse", {"job_id": job_ids[8]}, w1, "failed", job_id=job_ids[8], error="TimeoutError: read timeout after 30s",
                 logs=(("warning", "job board answered slowly"),))
        self.run("jd_parse", {"job_id": job_ids[9]}, w1, "dead", job_id=job_ids[9],
                 error="PermanentError: posting closed (404)", logs=(("error", "GET posting: 404 Not Found"),))

        # Applications in the states of design.md, each with the tasks that brought it there.
        pairs = [(0, 0), (1, 2), (2, 4), (3, 5), (4, 6), (0, 7), (1, 3), (3, 8), (2, 1), (4, 7)]
        app_ids = []
        with db.transaction() as conn:
            for ci, ji in pairs:
                aid, _ = applications.create_application(conn, cand_ids[ci], job_ids[ji], score=70 + (ci * 7 + ji * 3) % 25,
                                                    decision="apply")
                app_ids.append(aid)
        for ci, ji in pairs[:6]:
            self.run("score", {"candidate_id": cand_ids[ci]}, w1, candidate_id=cand_ids[ci], job_id=job_ids[ji],
                     key=f"score:{cand_ids[ci]}:{job_ids[ji]}", result={"score": 80})
        for aid in app_ids[:6]:
            self.run("tailor", {"application_id": aid}, w1, application_id=aid, key=f"tailor:{aid}",
                     logs=(("info", "tailored resume: 4 bullets reordered, 0 invented"),))
        self.run("tailor", {"application_id": app_ids[6]}, w1, "running", application_id=app_ids[6], key=f"tailor:{app_ids[6]}")
        for aid in app_ids[:5]:
            self.run("cover_letter", {"application_id": aid}, w1, application_id=aid, key=f"cover_letter:{aid}")

        def app_task(i: int, outcome: str, **kw: Any) -> Task:
            aid = app_ids[i]
            ci, ji = pairs[i]
            return self.run("apply", {"application_id": aid}, ap1, outcome, application_id=aid,
                            candidate_id=cand_ids[ci], job_id=job_ids[ji], key=f"apply:{aid}",
                            site=SITES[JOBS[ji][0]], **kw)

        # 0: submitted, with an ended session and screenshots.
        app_task(0, "succeeded", result={"outcome": "submitted"},
                 logs=(("info", "loaded form: 9 fields"), ("info", "filled 9 of 9 fields"), ("info", "submitted; confirmation seen")))
        db.execute("UPDATE applications SET status = 'submitted', submitted_at = now(), submit_marker_at = now() WHERE id = %s",
                   (app_ids[0],))
        shots0 = self.screens(app_ids[0], JOBS[0], ("01-loaded", "02-filled", "03-before-submit", "04-confirmation"))
        db.execute("""INSERT INTO apply_sessions (application_id, task_id, runner_id, site, step, url, last_screenshot,
                                                  ended_at, outcome)
                      VALUES (%s, NULL, %s, %s, 'confirmation', %s, %s, now(), 'submitted')""",
                   (app_ids[0], ap1, SITES["greenhouse"], f"https://{SITES['greenhouse']}/acme/jobs/1000", shots0[-1]))

        # 1 and 2: awaiting approval with answer sheets (one with an uncertain answer).
        for i, unsure in ((1, None), (2, "Why do you want to work at Orbital Labs?")):
            ci, ji = pairs[i]
            first, last = CANDIDATES[ci][:2]
            shots = self.screens(app_ids[i], JOBS[ji], ("01-loaded", "02-filled"))
            sheet = seal_answer_sheets(cipher, _answer_sheet(first, last, uncertain=unsure))
            data = {"answer_sheet": sheet, "unanswered": [unsure] if unsure else [], "screenshots": shots,
                    "documents": {"resume_pdf": {"path": f"tailored/{app_ids[i]}/resume.pdf", "sha256": "0" * 64},
                                  "cover_letter_txt": {"path": f"cover-letters/{app_ids[i]}/letter.txt", "sha256": "1" * 64}}}
            app_task(i, "awaiting_approval", result=data,
                     error="policy when_uncertain: 1 answer below confidence 0.5" if unsure else "policy: always ask before submitting",
                     logs=(("info", "filled 7 of 7 fields"),))
            db.execute("UPDATE applications SET status = 'awaiting_approval', answer_sheet = %s, documents = %s WHERE id = %s",
                       (Jsonb(sheet), Jsonb(data["documents"]), app_ids[i]))
        # 3: needs a human (knock-out question).
        app_task(3, "needs_human", error="required question without a confident answer: 'Do you hold a valid US work visa?'",
                 result={"answer_sheet": seal_answer_sheets(cipher, _answer_sheet("Rahul", "Mehta", uncertain="Do you hold a valid US work visa?")),
                         "unanswered": ["Do you hold a valid US work visa?"]})
        db.execute("UPDATE applications SET status = 'needs_human' WHERE id = %s", (app_ids[3],))
        # 4: unknown outcome (runner lost after the submit marker) - no task waiting.
        app_task(4, "dead", error="lease expired after the submit marker",
                 logs=(("error", "browser crashed after pressing submit"),))
        db.execute("""UPDATE applications SET status = 'unknown_outcome', submit_marker_at = now(),
                             reason = 'runner lost after the submit marker: check the employer site' WHERE id = %s""",
                   (app_ids[4],))
        # 5: applying now: a live session.
        t5 = app_task(5, "running", logs=(("info", "loaded form: 11 fields"), ("info", "uploading resume")))
        db.execute("UPDATE applications SET status = 'applying' WHERE id = %s", (app_ids[5],))
        shots5 = self.screens(app_ids[5], JOBS[pairs[5][1]], ("01-loaded", "02-filled"))
        db.execute("""INSERT INTO apply_sessions (application_id, task_id, runner_id, site, step, url, last_screenshot)
                      VALUES (%s, %s, %s, %s, 'filling', %s, %s)""",
                   (app_ids[5], t5.id, ap1, SITES["lever"], f"https://{SITES['lever']}/kitekite/jobs/1007", shots5[-1]))
        # 7: failed (will retry), 8: dead after a soft block.
        app_task(7, "failed", error="TimeoutError: page did not finish loading in 30s",
                 logs=(("warning", "slow page load: 30.0s"),))
        app_task(8, "dead", error="site blocked: HTTP 403 on apply page (soft block, site paused)",
                 logs=(("error", "403 Forbidden from jobs.lever.co"),))
        db.execute("UPDATE applications SET status = 'failed', reason = 'HTTP 403' WHERE id = %s", (app_ids[8],))
        db.execute("""INSERT INTO sites (site, paused, pause_reason) VALUES ('jobs.lever.co', true, '403 soft block')
                      ON CONFLICT (site) DO UPDATE SET paused = true, pause_reason = EXCLUDED.pause_reason""")

        # Waiting work, and an operator's day: a cancel, a retry, a paused agent.
        for ci in range(len(cand_ids)):
            self.enqueue("score", {"candidate_id": cand_ids[ci]}, candidate_id=cand_ids[ci], key=f"score:candidate:{cand_ids[ci]}")
        self.enqueue("cover_letter", {"application_id": app_ids[5]}, application_id=app_ids[5], key=f"cover_letter:{app_ids[5]}x")
        for n in range(3):
            self.enqueue("notify", {"application_id": app_ids[0], "channel": "whatsapp", "n": n}, key=f"notify:{app_ids[0]}:{n}")
        stale = self.enqueue("follow_up", {"application_id": app_ids[0]}, key=f"follow_up:{app_ids[0]}")
        queue.cancel(db, [stale.id], who=WHO, reason="candidate asked for no follow-ups")
        retried = self.run("jd_parse", {"job_id": job_ids[0], "refresh": True}, w1, "dead", job_id=job_ids[0],
                           error="ValueError: description empty", key="jd_parse:refresh:demo")
        queue.retry(db, [retried.id], who=WHO)
        for n in range(4):
            self.enqueue("ping", {"ms": 50}, key=f"ping:demo:{n}")
        queue.set_agent_paused(db, "notify", True, "WhatsApp template awaiting review", who=WHO)
        with db.connection() as conn:
            queue.add_event(conn, "discovery sweep scheduled for 09:00", agent="discover", kind="log")
            queue.add_event(conn, "site jobs.lever.co paused: 403 soft block", level="warning", kind="site", agent="apply")
        return {"candidates": len(cand_ids), "jobs": len(job_ids), "applications": len(app_ids)}

    def screens(self, application_id: int, job: tuple[str, ...], steps: tuple[str, ...]) -> list[str]:
        out = []
        for step in steps:
            png = screenshot_png(job[3], job[2], step.split("-", 1)[1], filled=step != "01-loaded")
            stored = self.storage.write("screenshots", application_id, f"{step}.png", data=png)
            with self.db.connection() as conn:
                record_artifact(conn, "screenshot", stored, mime="image/png", application_id=application_id)
            out.append(stored.relpath)
        return out


def seed_demo(settings: Settings, db: Database) -> dict[str, int]:
    """Fill an empty database with the demo data set (does nothing if candidates already exist)."""
    row = db.one("SELECT count(*) AS n FROM candidates")
    if row and row["n"]:
        return {"candidates": int(row["n"]), "seeded": 0}
    out = _Seeder(settings, db).seed()
    out["seeded"] = 1
    return out
