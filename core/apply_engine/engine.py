"""One application, start to finish: load, answer, fill, verify, (approve), mark, submit, confirm.

Exactly once: before the submit click the engine commits a *submit marker* on the application in a
transaction that first checks the task's lease (:func:`core.queue.assert_lease`); a runner that lost
its lease raises :class:`LeaseLost` there and never clicks. The marker update only succeeds while the
application has no marker, so two sessions racing one application produce one click. After the click,
a confirmation (success element, thank-you text, a confirmation URL) makes the application
``submitted``; anything else, including an exception, makes it ``unknown_outcome`` for a person. A
session that finds a marker without a confirmation never submits again. The one exception is within the
session that clicked: when the page, in the document that was filled, refuses named fields and every one
can be rewritten from the answer sheet as the page asks (:mod:`core.apply_engine.fixes`), they are
refilled, read back and submit is pressed once more, after :meth:`ApplyEngine._remark` re-checks the
lease and that the marker is still this session's on an application still ``applying``; never a third time.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from psycopg.types.json import Jsonb
from selenium.common.exceptions import TimeoutException, WebDriverException

from core.apply_engine import fixes, forms, sites
from core.apply_engine.adapters import Adapter, adapter_for, ats_of, fingerprint, wall_for
from core.apply_engine.adapters.base import FIELD_ERRORS_JS
from core.apply_engine.answers import Answer, AnswerSheet, Documents, build_sheet
from core.apply_engine.browser import Browser, BrowserConfig, Shot, check_memory_for_browser
from core.apply_engine.fixes import Fix
from core.apply_engine.receipts import Receipt, end_session, start_session
from core.apply_engine.settle import settle, settle_late
from core.config import Settings
from core.db import Database
from core.errors import LeaseLost
from core.models import Task
from core.queue import add_event, assert_lease
from core.safetext import clean
from core.storage import Storage

log = logging.getLogger("talvix.apply")

OUTCOMES = ("dry_run", "submitted", "needs_human", "awaiting_approval", "unknown_outcome", "failed", "already_applied")
POLICY_ORDER = {"never": 0, "when_uncertain": 1, "always": 2}


@dataclass
class ApplyRequest:
    application_id: int
    url: str
    profile: dict[str, Any]
    documents: Documents
    candidate_id: int | None = None
    job_id: int | None = None
    site: str | None = None
    submit: bool = True  # False: dry run (fill and verify, never click submit)
    policy: str = "when_uncertain"
    approved: bool = False
    edits: dict[str, Any] = field(default_factory=dict)
    #: Who gave each edit (field name or label -> source); an edit not named here is the operator's.
    edit_sources: dict[str, str] = field(default_factory=dict)
    task: Task | None = None  # None for the one-off CLI: same marker logic without the lease check
    runner_id: str | None = None
    screenshots_dir: Path | None = None
    check_budget: bool = True


@dataclass
class ApplyOutcome:
    outcome: str
    ats: str | None = None
    reason: str = ""
    sheet: AnswerSheet | None = None
    unanswered: list[str] = field(default_factory=list)
    screenshots: list[str] = field(default_factory=list)  # relative to the storage root
    screenshot_copies: list[str] = field(default_factory=list)
    receipt: str | None = None
    confirmation: dict[str, Any] | None = None
    blocked: sites.SoftBlock | None = None
    retry_after_s: float | None = None
    #: The page could not be reached (DNS, refused or reset connection, proxy down): a network error, retried
    #: as one by the agent; never "no application form found".
    network: bool = False
    timings: dict[str, float] = field(default_factory=dict)

    def fields(self) -> list[dict[str, Any]]:
        return self.sheet.fields() if self.sheet is not None else []

    def approval_data(self, documents: dict[str, Any] | None = None) -> dict[str, Any]:
        """The shape docs/architecture.md gives for an apply task waiting for a person."""
        return {"answer_sheet": {"fields": self.fields()}, "unanswered": self.unanswered,
                "screenshots": self.screenshots, "documents": documents or {}, "reason": self.reason,
                "ats": self.ats, "receipt": self.receipt}


def stricter(*policies: str | None) -> str:
    known = [p for p in policies if p in POLICY_ORDER]
    return max(known, key=lambda p: POLICY_ORDER[p]) if known else "when_uncertain"



def _log_line(message: str, level: str = "info") -> None:
    log.log(logging.getLevelName(level.upper()), message)

class ApplyEngine:
    """Runs one :class:`ApplyRequest` in a browser it is given or starts itself."""

    def __init__(self, settings: Settings, db: Database, storage: Storage, *, browser: Browser | None = None,
                 proxy: str | None = None, log_fn: Callable[[str, str], None] | None = None,
                 cancelled: Callable[[], bool] | None = None) -> None:
        self.settings = settings
        self.db = db
        self.storage = storage
        self._browser = browser
        self._proxy = proxy
        self._log: Callable[..., None] = log_fn or _log_line
        self._cancelled = cancelled or (lambda: False)

    # ---------------------------------------------------------------------------------------------
    def run(self, req: ApplyRequest) -> ApplyOutcome:
        ats = ats_of(req.url)
        state = self._application_state(req.application_id)
        if state["submitted_at"] is not None or state["status"] == "submitted":
            return ApplyOutcome("already_applied", ats, "this candidate already applied to this job",
                                receipt=state["receipt_path"])
        if state["submit_marker_at"] is not None:
            reason = ("a previous session pressed submit and saw no confirmation: check the employer's site; "
                      "Talvix never submits twice")
            self._set_status(req, "unknown_outcome", reason)
            return ApplyOutcome("unknown_outcome", ats, reason, receipt=state["receipt_path"])
        if self._browser is None:  # a session of our own: only with room for it (raises LowMemory)
            check_memory_for_browser(self.settings.apply.min_free_memory_mb, self.settings.apply.low_memory_retry_s)
        if req.check_budget and req.site:
            sites.reserve(self.db, self.settings, req.site, req.candidate_id)  # raises SiteBusy
        session_id = start_session(self.db, req.application_id, task_id=req.task.id if req.task else None,
                                   runner_id=req.runner_id, site=req.site, url=req.url)
        receipt = Receipt(self.storage, self.db, req.application_id, task_id=req.task.id if req.task else None,
                          candidate_id=req.candidate_id, job_id=req.job_id, session_id=session_id,
                          copy_to=req.screenshots_dir)
        receipt.data.update({"url": req.url, "ats": ats, "mode": "submit" if req.submit else "dry_run",
                             "policy": req.policy, "approved": req.approved, "task_id": req.task.id if req.task else None,
                             "runner_id": req.runner_id})
        own_browser = self._browser is None
        browser = self._browser
        outcome = ApplyOutcome("failed", ats, "the session ended unexpectedly")
        try:
            if own_browser:
                browser = Browser(BrowserConfig.from_settings(self.settings.apply), proxy=self._proxy).start()
            self._set_status(req, "applying", None)
            assert browser is not None  # ours, or the one the caller lent
            outcome = self._session(req, browser, receipt, ats)
        except LeaseLost:
            outcome = ApplyOutcome("failed", ats, "lease lost before submit: stopped without submitting")
            raise
        except Exception as exc:
            outcome = ApplyOutcome("failed", ats, clean(f"{type(exc).__name__}: {exc}")[:500])
            self._try_step(browser, receipt, "error", outcome.reason)
            self._set_status(req, "failed", outcome.reason)
            raise
        finally:
            outcome.screenshots = list(receipt.screenshots)
            outcome.screenshot_copies = list(receipt.copies)
            try:
                outcome.receipt = receipt.write(outcome.outcome, reason=outcome.reason,
                                                answers=outcome.fields(), unanswered=outcome.unanswered,
                                                confirmation=outcome.confirmation, timings=outcome.timings)
                self.db.execute("UPDATE applications SET receipt_path = %s, updated_at = now() WHERE id = %s",
                                (outcome.receipt, req.application_id))
            finally:
                end_session(self.db, session_id, outcome.outcome)
                if own_browser and browser is not None:
                    browser.close()
        return outcome

    # ---------------------------------------------------------------------------------------------
    def _session(self, req: ApplyRequest, browser: Browser, receipt: Receipt, ats: str) -> ApplyOutcome:
        t0 = time.monotonic()
        timings: dict[str, float] = {}
        driver = browser.driver
        neterr = None
        try:
            browser.open(req.url, self.settings.apply.page_timeout_s)
        except TimeoutException:
            pass  # a slow page: work with what has loaded, soft-block checks below still apply
        except WebDriverException as exc:
            neterr = network_error(str(getattr(exc, "msg", "") or exc))
            if neterr is None:
                raise
        timings["load_s"] = round(time.monotonic() - t0, 3)
        neterr = neterr or network_error(None, driver)
        if neterr is not None:
            return self._network_failure(req, ats, neterr, receipt, browser)
        # The "loaded" screenshot is painted while the page is read (nothing below changes it until the
        # adapter is about to open a dropdown or follow a link, which records the step first).
        shot = browser.capture()
        probe = self._probe(driver)
        loaded = _PendingStep(receipt, "loaded", shot, probe["url"] or self._url(driver))
        try:
            out = self._after_load(req, browser, receipt, ats, loaded, probe, timings, t0)
        except BaseException:
            try:  # keep the evidence, but never let it hide the error that is on its way out
                loaded.record()
            except Exception:
                pass
            raise
        loaded.record()  # paths that returned before reading the form (walls, blocks, closed postings)
        return out

    def _after_load(self, req: ApplyRequest, browser: Browser, receipt: Receipt, ats: str, loaded: _PendingStep,
                    probe: dict[str, Any], timings: dict[str, float], t0: float) -> ApplyOutcome:
        """The session after the page loaded, as named steps; the first that decides the outcome ends it."""
        run = _Run(req, browser, receipt, ats, loaded, probe, timings, t0)
        for step in (self._gate, self._read_form, self._answer, self._fill, self._hold_or_dry_run, self._submit):
            out = step(run)
            if out is not None:
                if not out.timings:
                    out.timings = run.timings
                return out
        raise AssertionError("the submit step always decides")  # pragma: no cover

    def _gate(self, run: _Run) -> ApplyOutcome | None:
        """Account walls, soft blocks and closed postings, from the page as loaded."""
        req, probe = run.req, run.probe
        status, text, url = probe["status"], probe["text"], probe["url"] or req.url
        wall = wall_for(url, text, has_password=probe["password"], has_form=probe["form"])
        if wall:
            run.loaded.record()
            return self._needs_human(req, run.ats, f"account wall: {wall}", run.receipt)
        block = sites.classify(status, text, title=probe["title"], has_form=probe["form"],
                               has_password=probe["password"], captcha_frame=probe["captcha"])
        if block is not None:
            run.loaded.record()
            return self._blocked(req, run.ats, block, url, run.receipt)
        if status == 404 or (status is None and not probe["form"] and _closed(text)) or _closed(text) and not probe["form"]:
            reason = "the posting is closed (no longer accepting applications)"
            self._set_status(req, "failed", reason)
            return ApplyOutcome("failed", run.ats, reason)
        return None

    def _read_form(self, run: _Run) -> ApplyOutcome | None:
        """The ATS (from the URL, else the page's markup), then the form's questions."""
        req, receipt, driver, cfg = run.req, run.receipt, run.driver, self.settings.apply
        url = run.probe["url"] or req.url
        adapter = run.adapter = adapter_for(url, fingerprint(driver) if run.ats == "generic" else None)
        if adapter.name != run.ats:
            run.ats = adapter.name
            receipt.data["ats"] = run.ats
            receipt.data["ats_mark"] = adapter.mark
        run.fields = adapter.open_form(driver, cfg.form_timeout_s, settle_s=cfg.settle_timeout_s,
                                       before_change=run.loaded.record)
        run.loaded.record()
        run.timings["discover_s"] = round(time.monotonic() - run.t0 - run.timings["load_s"], 3)
        if adapter.settled is not None:
            receipt.data["page_settle"] = adapter.settled.as_dict()
        if Adapter._has_application_fields(run.fields):
            return None
        probe = self._probe(driver)
        wall = wall_for(probe["url"] or url, probe["text"], has_password=probe["password"], has_form=probe["form"])
        if wall or probe["password"]:
            return self._needs_human(req, run.ats, f"account wall: {wall or 'the site asks to sign in'}", receipt)
        reason = "no application form found on the page"
        receipt.step("error", run.browser.screenshot_png(), url=driver.current_url, note=reason)
        self._set_status(req, "failed", reason)
        return ApplyOutcome("failed", run.ats, reason)

    def _answer(self, run: _Run) -> ApplyOutcome | None:
        """The answer sheet; a required question without a confident answer goes to a person."""
        req, receipt = run.req, run.receipt
        sheet = run.sheet = build_sheet(run.fields, req.profile, req.documents, edits=req.edits,
                                        min_confidence=self.settings.apply.min_confidence,
                                        edit_sources=req.edit_sources)
        for kind, path in (("resume", req.documents.resume), ("cover_letter", req.documents.cover_letter)):
            if path is not None and any(a.value == str(path) for a in sheet.answers):
                receipt.add_file(kind, path)
        self._save_sheet(req, sheet)
        return self._unanswered(run, "required question(s) without a confident answer: ")

    def _unanswered(self, run: _Run, why: str) -> ApplyOutcome | None:
        assert run.sheet is not None
        unanswered = run.sheet.unanswered()
        if not unanswered:
            return None
        reason = why + "; ".join(repr(u) for u in unanswered)
        out = self._needs_human(run.req, run.ats, reason, run.receipt, sheet=run.sheet, unanswered=unanswered, step=False)
        run.receipt.step("needs-human", run.browser.screenshot_png(), url=run.driver.current_url, note=reason)
        return out

    def _fill(self, run: _Run) -> ApplyOutcome | None:
        """Fill and read back; then the questions that appeared while filling; a value not kept goes to a person."""
        req, driver, cfg, sheet, adapter = run.req, run.driver, self.settings.apply, run.sheet, run.adapter
        assert sheet is not None and adapter is not None
        problems = self._fill_and_verify(adapter, driver, sheet)
        if not problems:  # questions that appeared while filling (a follow-up an answer revealed, a late one)
            slow: dict[str, Any] = {}
            late, problems = answer_late_questions(adapter, driver, sheet, req.profile, req.documents, edits=req.edits,
                                                   min_confidence=cfg.min_confidence, settle_s=cfg.settle_timeout_s,
                                                   edit_sources=req.edit_sources, late_s=cfg.late_render_s, late=slow)
            if slow.get("late"):
                run.receipt.data["late_render"] = slow
            if late:
                run.receipt.data["late_questions"] = [f.label or f.name for f in late]
                self._save_sheet(req, sheet)
                out = self._unanswered(run, "required question(s) that appeared while filling, without a confident "
                                            "answer: ")
                if out is not None:
                    return out
        run.timings["fill_s"] = round(time.monotonic() - run.t0 - run.timings["load_s"] - run.timings["discover_s"], 3)
        filled = run.browser.capture()
        run.filled_url = driver.current_url
        run.needs_approval = None if problems else self._needs_approval(req, sheet)
        # Read while Chromium paints: the snapshot only mirrors live values into attributes, which
        # changes nothing on screen (a dirty value or checkedness is not reset by its attribute).
        run.html = forms.dom_snapshot(driver) if req.submit and not problems and not run.needs_approval else None
        run.receipt.step("filled", filled.png(), url=run.filled_url)
        if problems:
            return self._needs_human(req, run.ats, "could not fill: " + "; ".join(problems), run.receipt, sheet=sheet,
                                     unanswered=[p.split(":")[0] for p in problems], step=False)
        return None

    def _hold_or_dry_run(self, run: _Run) -> ApplyOutcome | None:
        """Wait for an operator's approval (policy), or stop here on a dry run."""
        req = run.req
        if run.needs_approval and req.submit:
            self._set_status(req, "awaiting_approval", run.needs_approval)
            return ApplyOutcome("awaiting_approval", run.ats, run.needs_approval, sheet=run.sheet)
        if not req.submit:
            self._set_status(req, "ready", "dry run: filled and verified, not submitted")
            return ApplyOutcome("dry_run", run.ats, "filled and verified; not submitted (dry run)", sheet=run.sheet)
        return None

    def _submit(self, run: _Run) -> ApplyOutcome:
        """The irreversible part: the lease-fenced marker, one click, then what the page says."""
        req, receipt, driver, browser, adapter = run.req, run.receipt, run.driver, run.browser, run.adapter
        assert adapter is not None
        receipt.dom(run.html or forms.dom_snapshot(driver))
        try:  # a page with nothing to press (its form goes on over more pages: "Next") is a person's, unsent
            adapter.submit_button(driver)
        except LookupError:
            reason = ("no submit button on the page (the form goes on over more pages, or sends itself some other "
                      "way): nothing was sent; apply by hand on the employer's page")
            receipt.step("needs-human", browser.screenshot_png(), url=run.filled_url, note=reason)
            return self._needs_human(req, run.ats, reason, receipt, sheet=run.sheet, step=False)
        except WebDriverException:
            pass  # the press below meets it again, after the marker, as an unknown outcome
        finally:
            driver.switch_to.default_content()
        before = browser.capture()  # painted while the marker is committed; collected before the click
        try:
            if self._cancelled():
                raise LeaseLost("stopping before submit")
            marked = self._mark(req)
        finally:
            receipt.step("before-submit", before.png(), url=run.filled_url)
        if not marked:
            return ApplyOutcome("already_applied", run.ats, "another session holds the submit marker for this application",
                                sheet=run.sheet)
        t_submit = time.monotonic()
        confirmation, errors = self._press(run)
        run.timings["submit_s"] = round(time.monotonic() - t_submit, 3)
        run.timings["total_s"] = round(time.monotonic() - run.t0, 3)
        return self._after_submit(run, confirmation, errors)

    def _press(self, run: _Run) -> tuple[Any, list[str]]:
        """One click on submit, then the page's answer: a confirmation, or what it shows instead."""
        req, driver, browser, adapter = run.req, run.driver, run.browser, run.adapter
        assert adapter is not None
        before_url = run.filled_url or self._url(driver) or req.url
        adapter.field_errors, adapter.requests_pending = [], 0  # only what the page says to this click counts
        # While the submit response is pending, chromedriver holds every command until a timeout: keep
        # those short so the confirmation poll stays responsive, and stop a navigation that never ends.
        driver.set_script_timeout(1.5)
        driver.set_page_load_timeout(2.0)
        confirmation = None
        try:
            adapter.click_submit(driver)
            confirmation, errors = adapter.wait_confirmation(driver, before_url, self.settings.apply.confirm_timeout_s)
        except Exception as exc:  # after the marker every failure is an unknown outcome, never a retry
            errors = [clean(f"{type(exc).__name__}: {exc}".splitlines()[0])[:300]]
        finally:
            if confirmation is None:
                try:
                    driver.execute_cdp_cmd("Page.stopLoading", {})
                except Exception:
                    pass
            try:
                driver.set_script_timeout(browser.config.script_timeout_s)
                driver.set_page_load_timeout(browser.config.page_timeout_s)
            except Exception:
                pass
        return confirmation, errors

    def _after_submit(self, run: _Run, confirmation: Any, errors: list[str]) -> ApplyOutcome:
        """Confirmed; a challenge (a person, with its screenshot); fields the page refused (a person, naming
        them); else an unknown outcome that is never resubmitted."""
        req, receipt, driver, browser, sheet = run.req, run.receipt, run.driver, run.browser, run.sheet
        assert sheet is not None and run.adapter is not None
        if confirmation is not None:
            shot = browser.capture()
            self._confirm(req, confirmation.as_dict())
            receipt.step("confirmation", shot.png(), url=confirmation.url or self._url(driver))
            return ApplyOutcome("submitted", run.ats, f"confirmed by {confirmation.kind}: {confirmation.detail[:120]}",
                                sheet=sheet, confirmation=confirmation.as_dict())
        if self._probe(driver)["captcha"]:  # a challenge at submit: that application goes to a person
            shot = browser.capture()
            receipt.step("challenge", shot.png(), url=self._url(driver), note="captcha challenge after the submit click")
            out = self._blocked(req, run.ats, sites.SoftBlock("captcha", "a captcha challenge appeared", True),
                                self._url(driver), receipt, at_submit=True)
            out.sheet = sheet
            return out
        by_key = {a.key: a for a in sheet.answers}
        refused_answers = [(by_key[k], m) for k, m in run.adapter.field_errors if k in by_key]
        refused = [(a.label or a.name, m) for a, m in refused_answers]
        if refused:  # the page refused the application and says which fields
            shot = browser.capture()
            if not run.resubmitted:
                fixes = self._fixes(run, refused_answers)
                receipt.step("refused", shot.png(), url=self._url(driver),
                             note="the page refused: " + "; ".join(f"{q!r}: {m}" for q, m in refused))
                if fixes is not None:  # every refused field can be written the way the page asks
                    return self._resubmit(run, fixes)
                reason = ("the page did not accept the application: " + "; ".join(f"{q!r}: {m}" for q, m in refused)
                          + " (the answer sheet cannot write these the way the page asks: fix them on the employer's "
                            "site; Talvix presses submit again only after fixing every refused field itself)")
            else:
                reason = ("the page did not accept the application, also after Talvix fixed "
                          + ", ".join(repr(q) for q in run.resubmitted) + " and pressed submit a second time: "
                          + "; ".join(f"{q!r}: {m}" for q, m in refused)
                          + " (fix these on the employer's site; Talvix never presses submit a third time)")
                receipt.step("refused", shot.png(), url=self._url(driver), note=reason)
            return self._needs_human(req, run.ats, reason, receipt, sheet=sheet, unanswered=[q for q, _ in refused],
                                     step=False)
        if errors:
            redrawn = self._redrawn_form(run)  # the server answered with the same form and its messages
            if redrawn is not None:
                return redrawn
        detail = "; ".join(errors) if errors else "no confirmation before the timeout"
        reason = f"submit pressed but not confirmed ({detail}): check the employer's site; never resubmitted automatically"
        if run.resubmitted:
            reason = (f"submit pressed a second time after the page refused {', '.join(repr(q) for q in run.resubmitted)} "
                      f"and they were fixed, but not confirmed ({detail}): check the employer's site; never pressed again")
        shot = browser.capture()
        self._set_status(req, "unknown_outcome", reason)
        receipt.step("error", shot.png(), url=self._url(driver), note=reason)
        return ApplyOutcome("unknown_outcome", run.ats, clean(reason), sheet=sheet)

    def _fixes(self, run: _Run, refused: list[tuple[Answer, str]]) -> list[tuple[Answer, Fix]] | None:
        """For each field the page refused, the same fact written as the page's message asks; None unless all."""
        out = []
        for ans, message in refused:
            f = ans.field
            context = f"{ans.label} {f.hint} {f.placeholder}" if f is not None else ans.label
            got = fixes.fix(ans, message, run.req.profile, context=context)
            if got is None:
                return None
            out.append((ans, got))
        return out

    def _redrawn_form(self, run: _Run) -> ApplyOutcome | None:
        """The submit's answer is a new page drawing the same form again with messages on its fields (a
        server-side check on an older form): not accepted. The form is read again, every answer goes back
        into the control of the same name (uploads included, a new page has lost them), the refused fields
        are fixed as the page asks, or the application goes to a person naming them. None: not that case."""
        driver, adapter, sheet, cfg = run.driver, run.adapter, run.sheet, self.settings.apply
        assert adapter is not None and sheet is not None
        if adapter.scope:
            return None  # an embedded form: only the form's own document is looked at
        try:
            driver.switch_to.default_content()
            if driver.execute_script("return !!document.querySelector('[data-talvix-id]');"):
                return None  # the document that was filled: its messages were already read
            settle(driver, cfg.settle_timeout_s, cap_s=cfg.settle_timeout_s)
            fields = adapter.postprocess(driver, forms.discover(driver, exclude=adapter.exclude))
            seen = driver.execute_script("return (function () {" + FIELD_ERRORS_JS + "})();") or {}
        except WebDriverException:
            return None
        old = {a.name: a for a in sheet.answers if a.name}
        answered = {a.name for a in sheet.answers if a.name and a.answered}
        again = {f.name: f for f in fields if f.name in old and old[f.name].type == f.type}
        if not answered or len(answered & set(again)) < 0.8 * len(answered):
            return None  # not the same form
        by_key = {f.key: f for f in again.values()}
        refused = [(old[by_key[str(k)].name], forms.norm(str(m))) for k, m in seen.get("fields") or [] if str(k) in by_key and m]
        if not refused:
            return None
        if run.resubmitted:  # drawn again after the one second click too: a person's
            questions = [(a.label or a.name, m) for a, m in refused]
            reason = ("the page did not accept the application, also after Talvix fixed "
                      + ", ".join(repr(q) for q in run.resubmitted) + " and pressed submit a second time: "
                      + "; ".join(f"{q!r}: {m}" for q, m in questions)
                      + " (fix these on the employer's site; Talvix never presses submit a third time)")
            run.receipt.step("refused", run.browser.capture().png(), url=self._url(driver), note=reason)
            return self._needs_human(run.req, run.ats, reason, run.receipt, sheet=sheet,
                                     unanswered=[q for q, _ in questions], step=False)
        for name, f in again.items():  # the same answers, in the controls of the new page
            old[name].key, old[name].field = f.key, f
        for a in sheet.answers:
            if a.name not in again:
                a.field = None
        extra = build_sheet([f for f in fields if f.name not in old], run.req.profile, run.req.documents,
                            edits=run.req.edits, min_confidence=sheet.min_confidence,
                            edit_sources=run.req.edit_sources)
        sheet.answers.extend(extra.answers)
        run.receipt.data["redrawn_form"] = {"url": self._url(driver), "fields": len(fields)}
        shot = run.browser.capture()
        questions = [(a.label or a.name, m) for a, m in refused]
        fixes_ = self._fixes(run, refused)
        run.receipt.step("refused", shot.png(), url=self._url(driver),
                         note="the page drew the form again: " + "; ".join(f"{q!r}: {m}" for q, m in questions))
        missing = extra.unanswered()
        if fixes_ is None or missing:
            reason = ("the page did not accept the application and drew the form again: "
                      + "; ".join(f"{q!r}: {m}" for q, m in questions)
                      + (f"; new required question(s) without an answer: {', '.join(map(repr, missing))}" if missing else "")
                      + " (fix these on the employer's site; Talvix presses submit again only after fixing every "
                        "refused field itself)")
            return self._needs_human(run.req, run.ats, reason, run.receipt, sheet=sheet,
                                     unanswered=[q for q, _ in questions] + missing, step=False)
        return self._resubmit(run, fixes_, refill=[a for a in sheet.answers if a.field is not None])

    def _resubmit(self, run: _Run, fixed: list[tuple[Answer, Fix]], *, refill: list[Answer] | None = None) -> ApplyOutcome:
        """The page refused the first click and said why; every refused field is written as it asks, read
        back, and submit is pressed once more (see *Exactly once* in docs/apply-engine.md). ``refill``: every
        answer to fill again (a page drawn anew), not only the fixed ones."""
        req, receipt, driver, browser, sheet, adapter = run.req, run.receipt, run.driver, run.browser, run.sheet, run.adapter
        assert sheet is not None and adapter is not None
        run.resubmitted = [a.label or a.name for a, _ in fixed]
        notes = []
        for ans, fx in fixed:
            notes.append({"question": ans.label or ans.name, "was": ans.value, "now": fx.value, "how": fx.how})
            ans.value = fx.value
            ans.source = f"{ans.source} ({fx.how}, as the page asked)"
            ans.note = f"re-written after the page refused it: {fx.how}"
        receipt.data["fixed_after_refusal"] = notes
        self._save_sheet(req, sheet)
        problems = fill_and_verify(adapter, driver, AnswerSheet(refill if refill is not None else [a for a, _ in fixed],
                                                                sheet.min_confidence))
        run.filled_url = self._url(driver) or run.filled_url
        if problems:
            return self._needs_human(req, run.ats, "the page refused the application; the fixed value(s) were not "
                                     "kept: " + "; ".join(problems), receipt, sheet=sheet,
                                     unanswered=[p.split(":")[0] for p in problems])
        before = browser.capture()
        try:
            if self._cancelled():
                raise LeaseLost("stopping before the second submit")
            ours = self._remark(req, run.resubmitted)
        finally:
            receipt.step("before-resubmit", before.png(), url=run.filled_url)
        if not ours:
            reason = ("the page refused the first submit, but this session no longer holds the submit marker: "
                      "not pressed again; check the employer's site")
            self._set_status(req, "unknown_outcome", reason)
            return ApplyOutcome("unknown_outcome", run.ats, reason, sheet=sheet)
        t = time.monotonic()
        confirmation, errors = self._press(run)
        run.timings["resubmit_s"] = round(time.monotonic() - t, 3)
        run.timings["total_s"] = round(time.monotonic() - run.t0, 3)
        return self._after_submit(run, confirmation, errors)

    # ---------------------------------------------------------------------------------------------
    def _fill_and_verify(self, adapter: Adapter, driver: Any, sheet: AnswerSheet) -> list[str]:
        return fill_and_verify(adapter, driver, sheet)

    def _blocked(self, req: ApplyRequest, ats: str, block: sites.SoftBlock, url: str | None, receipt: Receipt, *,
                 at_submit: bool = False) -> ApplyOutcome:
        """A soft block: this application stops (a person, or a retry later for a 429 or a daily limit), the
        block is counted for the site, and the site pauses only once blocks repeat (:func:`sites.record_block`)."""
        cfg = self.settings.apply
        paused = False
        if req.site:
            paused = sites.record_block(self.db, self.settings, req.site, block, url=url,
                                        task_id=req.task.id if req.task else None, application_id=req.application_id,
                                        candidate_id=req.candidate_id, job_id=req.job_id)
        if at_submit:
            reason = (f"{block.reason} after the submit click: a person must complete it on the employer's site "
                      f"(Talvix never presses submit again)")
        elif paused:
            reason = f"site {req.site or ''} paused: {block.reason}".replace("  ", " ")
        else:
            reason = f"soft block on {req.site or 'the site'}: {block.reason}"
        retry = None if (block.until_resumed or at_submit) else cfg.block_pause_minutes * 60
        self._set_status(req, "ready" if retry else "needs_human", reason)
        return ApplyOutcome("needs_human", ats, clean(reason), blocked=block, retry_after_s=retry)

    def _network_failure(self, req: ApplyRequest, ats: str, code: str, receipt: Receipt, browser: Browser) -> ApplyOutcome:
        host = urlsplit(req.url).netloc
        via = " through the proxy" if self._proxy else ""
        reason = f"network error: {code} loading {host}{via}; will retry"
        self._try_step(browser, receipt, "error", reason)
        self._set_status(req, "ready", reason)
        return ApplyOutcome("failed", ats, reason, network=True, retry_after_s=60.0)

    def _needs_approval(self, req: ApplyRequest, sheet: AnswerSheet) -> str | None:
        if req.approved:
            return None
        # Fields the resume parser guessed (core.candidates.resume: to_confirm) are a person's to confirm before
        # anything is sent in the candidate's name, whatever the policy.
        guessed = [str(f) for f in (req.profile.get("to_confirm") or [])]
        if guessed:
            return ("the resume parser guessed these, confirm them before applying: " + ", ".join(guessed)
                    + " (approve as they are, or put the right values in the profile file)")
        if req.policy == "always":
            return "policy 'always': every application waits for an operator's approval"
        if req.policy == "when_uncertain":
            uncertain = sheet.uncertain(self.settings.apply.approval_confidence)
            if uncertain:
                return "uncertain answer(s) to approve: " + "; ".join(repr(u) for u in uncertain)
        return None

    def _needs_human(self, req: ApplyRequest, ats: str, reason: str, receipt: Receipt, *,
                     sheet: AnswerSheet | None = None, unanswered: list[str] | None = None,
                     step: bool = True) -> ApplyOutcome:
        if step:
            receipt.step("needs-human", None, note=reason)
        self._set_status(req, "needs_human", reason)
        return ApplyOutcome("needs_human", ats, clean(reason), sheet=sheet, unanswered=unanswered or [])

    def _probe(self, driver: Any) -> dict[str, Any]:
        return probe(driver)

    # ---------------------------------------------------------------------------------------------
    def _application_state(self, application_id: int) -> dict[str, Any]:
        row = self.db.one("SELECT status, submit_marker_at, submitted_at, receipt_path FROM applications WHERE id = %s",
                          (application_id,))
        if row is None:
            from core.errors import NotFound

            raise NotFound(f"no application with id {application_id}")
        return row

    def _mark(self, req: ApplyRequest) -> bool:
        """Commit the submit marker (lease-fenced for a queue task). False if another session has it."""
        with self.db.transaction() as conn:
            if req.task is not None:
                assert_lease(conn, req.task)  # raises LeaseLost: this runner must not press submit
            row = conn.execute(
                """UPDATE applications SET submit_marker_at = now(), submit_marker_task = %s, submit_marker_runner = %s,
                          status = 'applying', updated_at = now()
                    WHERE id = %s AND submit_marker_at IS NULL AND submitted_at IS NULL RETURNING id""",
                (req.task.id if req.task else None, req.runner_id or "cli", req.application_id),
            ).fetchone()
            if row is not None:
                add_event(conn, "submit marker committed; pressing submit", kind="state", agent="apply",
                          task_id=req.task.id if req.task else None, application_id=req.application_id,
                          candidate_id=req.candidate_id, job_id=req.job_id, runner_id=req.runner_id)
        return row is not None

    def _remark(self, req: ApplyRequest, fixed: list[str]) -> bool:
        """Before the one permitted second click: the lease is still ours (a queue task), and the marker is
        still this session's, on an application nothing else has touched since (still ``applying``, not
        submitted, not turned into ``unknown_outcome`` by the reaper). False: do not press again."""
        with self.db.transaction() as conn:
            if req.task is not None:
                assert_lease(conn, req.task)
            row = conn.execute(
                """UPDATE applications SET updated_at = now()
                    WHERE id = %s AND submit_marker_at IS NOT NULL AND submitted_at IS NULL AND status = 'applying'
                      AND submit_marker_task IS NOT DISTINCT FROM %s AND submit_marker_runner = %s RETURNING id""",
                (req.application_id, req.task.id if req.task else None, req.runner_id or "cli"),
            ).fetchone()
            if row is not None:
                add_event(conn, "the page refused the first submit; fixed " + ", ".join(repr(f) for f in fixed)
                          + " as it asked; pressing submit once more", kind="state", agent="apply",
                          task_id=req.task.id if req.task else None, application_id=req.application_id,
                          candidate_id=req.candidate_id, job_id=req.job_id, runner_id=req.runner_id)
        return row is not None

    def _confirm(self, req: ApplyRequest, confirmation: dict[str, Any]) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                """UPDATE applications SET status = 'submitted', submitted_at = now(), confirmation = %s, reason = NULL,
                          updated_at = now() WHERE id = %s""",
                (Jsonb(confirmation), req.application_id))
            add_event(conn, f"submitted: confirmed by {confirmation['kind']}", kind="state", agent="apply",
                      task_id=req.task.id if req.task else None, application_id=req.application_id,
                      candidate_id=req.candidate_id, job_id=req.job_id, runner_id=req.runner_id)

    def _set_status(self, req: ApplyRequest, status: str, reason: str | None) -> None:
        self.db.execute(
            """UPDATE applications SET status = %s, reason = %s, updated_at = now()
                WHERE id = %s AND status <> 'submitted'""",
            (status, clean(reason)[:1000] if reason else None, req.application_id))

    def _save_sheet(self, req: ApplyRequest, sheet: AnswerSheet) -> None:
        from core.crypto import load_cipher, seal_answer_sheets

        # every answer is personal data: the values are sealed at rest (docs/hardening.md)
        doc = seal_answer_sheets(load_cipher(self.settings), {"fields": sheet.fields(), "unanswered": sheet.unanswered()})
        self.db.execute("UPDATE applications SET answer_sheet = %s, updated_at = now() WHERE id = %s",
                        (Jsonb(doc), req.application_id))

    @staticmethod
    def _shot(browser: Browser) -> bytes | None:
        try:
            return browser.screenshot_png()
        except Exception:
            return None

    @staticmethod
    def _url(driver: Any) -> str | None:
        try:
            return driver.current_url
        except Exception:
            return None

    def _try_step(self, browser: Browser | None, receipt: Receipt, name: str, note: str) -> None:
        try:
            receipt.step(name, self._shot(browser) if browser is not None and browser.driver is not None else None,
                         note=note)
        except Exception:
            pass


def fill_and_verify(adapter: Adapter, driver: Any, sheet: AnswerSheet) -> list[str]:
    """Fill every answered field, read them all back in one pass, and re-fill the ones that differ.

    First pass: every field in one script call per document (:meth:`Adapter.fill_many`). Whatever the
    page did not keep is filled again the careful way, with real typing and clicks
    (:meth:`Adapter.fill`), and read back once more; only then is a field reported as not filled.
    """
    todo = [a for a in sheet.answers if a.answered and a.field is not None
            and not (a.type == "checkbox" and a.value is False)]
    errors: dict[int, str] = {}
    for attempt in range(2):
        if attempt == 0:
            try:
                results = adapter.fill_many(driver, [(a.field, a.value) for a in todo if a.field is not None])
            except WebDriverException as exc:
                results = [clean(type(exc).__name__)] * len(todo)
            for ans, problem in zip(todo, results):
                if problem:
                    errors[id(ans)] = clean(problem)[:200]
        else:
            for ans in todo:
                if ans.field is None:
                    continue
                try:
                    adapter.fill(driver, ans.field, ans.value)
                    errors.pop(id(ans), None)
                except (forms.FieldNotFound, ValueError, WebDriverException, LookupError) as exc:
                    errors[id(ans)] = clean(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)[:200]
        try:
            seen = forms.read_values(driver, [a.field for a in todo if a.field is not None])
        except WebDriverException as exc:
            seen = [None] * len(todo)
            errors.update({id(a): clean(type(exc).__name__) for a in todo})
        wrong = []
        for ans, got in zip(todo, seen):
            if _same(ans, got):
                errors.pop(id(ans), None)
                if ans.type == "combobox" and got and forms.norm(got) != forms.norm(str(ans.value)):
                    ans.value = forms.norm(got)  # the suggestion the page took, as the sheet's answer
            else:
                errors.setdefault(id(ans), f"read back {got!r}")
                wrong.append(ans)
        if not wrong:
            return []
        todo = wrong
    return [f"{a.label or a.name}: {errors.get(id(a), 'value not kept')}" for a in todo]


def answer_late_questions(adapter: Adapter, driver: Any, sheet: AnswerSheet, profile: dict[str, Any],
                          docs: Documents, *, edits: dict[str, Any] | None = None, min_confidence: float = 0.7,
                          settle_s: float = 2.5, found_cb: Callable[[list[forms.FormField]], None] | None = None,
                          edit_sources: dict[str, str] | None = None, late_s: float = 4.0,
                          late: dict[str, Any] | None = None) -> tuple[list[forms.FormField], list[str]]:
    """Questions the page added while it was being filled: answered and filled before submit.

    A country chosen reveals that country's questions, a "yes" reveals its follow-up, a single-page form
    renders its last question late. The page is let settle, read again, and every control not on the
    sheet yet is answered (the same rules), added to the sheet, filled and read back. A page still running
    a slow timer or a ``setInterval`` loop is first given until ``late_s`` after its load started
    (:func:`settle_late`; what it saw goes into ``late``). Returns the new fields and what could not be filled.
    """
    settle(driver, settle_s, cap_s=settle_s)
    if late_s > 0:
        seen = settle_late(driver, late_s)
        if late is not None:
            late.update(seen)
        if seen.get("late"):
            settle(driver, settle_s, cap_s=settle_s)  # what the late timers started (a fetch, a render)
    known = {a.key for a in sheet.answers}
    found = forms.discover(driver, exclude=adapter.exclude)
    new = [f for f in found if f.key not in known]
    if not new:
        return [], []
    new = adapter.postprocess(driver, new)
    if not new:
        return [], []
    if found_cb is not None:
        found_cb(new)
    extra = build_sheet(new, profile, docs, edits=edits, min_confidence=min_confidence, edit_sources=edit_sources)
    sheet.answers.extend(extra.answers)
    return new, fill_and_verify(adapter, driver, extra)


def probe(driver: Any) -> dict[str, Any]:
    """Everything the soft-block, wall and closed-posting checks read, in one script call: the HTTP
    status (Navigation Timing), URL, title, visible text, and whether there is a form, a password
    field or a captcha."""
    empty = {"form": False, "password": False, "captcha": False, "status": None, "url": None, "title": "",
             "text": ""}
    try:
        driver.switch_to.default_content()
        got = driver.execute_script(
            sites.VISIBLE_CHALLENGE_JS +
            "const vis = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };"
            "const sel = 'input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([type=password]):not([type=submit]):not([type=button]), textarea, select';"
            "const deep = (root, out) => { out.push(...root.querySelectorAll(sel));"  # open shadow roots too
            " root.querySelectorAll('*').forEach(e => { if (e.shadowRoot) deep(e.shadowRoot, out); }); return out; };"
            "let inputs = Array.from(document.querySelectorAll(sel)).filter(e => vis(e) || e.type === 'file');"
            "if (inputs.length < 2) inputs = deep(document, []).filter(e => vis(e) || e.type === 'file');"
            "const nav = performance.getEntriesByType('navigation')[0];"
            "return {form: inputs.length >= 2,"
            " password: Array.from(document.querySelectorAll('input[type=password]')).some(vis),"
            " captcha: visibleChallenge(),"
            " status: nav ? (nav.responseStatus || null) : null, url: location.href, title: document.title || '',"
            " text: document.body ? (document.body.innerText || '').slice(0, 20000) : ''};"
        )
    except WebDriverException:
        return empty
    out = {**empty, **(got or {})}
    out["status"] = int(out["status"]) if out.get("status") else None
    return out


_NET = re.compile(r"\b(?:net::)?(ERR_(?:NAME_NOT_RESOLVED|NAME_RESOLUTION_FAILED|CONNECTION_(?:REFUSED|RESET|CLOSED|FAILED|"
                  r"TIMED_OUT|ABORTED)|PROXY_CONNECTION_FAILED|TUNNEL_CONNECTION_FAILED|PROXY_AUTH_\w+|ADDRESS_UNREACHABLE|"
                  r"INTERNET_DISCONNECTED|NETWORK_CHANGED|TIMED_OUT|EMPTY_RESPONSE|SSL_PROTOCOL_ERROR|CERT_\w+|"
                  r"SOCKS_CONNECTION_FAILED|NO_SUPPORTED_PROXIES|MANDATORY_PROXY_CONFIGURATION_FAILED))\b")


def network_error(message: str | None, driver: Any = None) -> str | None:
    """The Chromium network error code (``ERR_NAME_NOT_RESOLVED``, ``ERR_PROXY_CONNECTION_FAILED``...) of a
    failed navigation: from WebDriver's message, or from Chromium's own error page; None otherwise."""
    if message:
        m = _NET.search(message)
        return m.group(1) if m else None
    if driver is None:
        return None
    try:
        driver.switch_to.default_content()
        got = driver.execute_script(
            "if (location.protocol !== 'chrome-error:' && !document.getElementById('main-frame-error')) return null;"
            "const c = document.querySelector('.error-code, #error-code');"
            "return (c && c.innerText) || (document.body ? document.body.innerText : '') || 'ERR_FAILED';")
    except WebDriverException:
        return None
    if not got:
        return None
    m = _NET.search(str(got)) or re.search(r"(ERR_\w+)", str(got))
    return m.group(1) if m else "ERR_FAILED"


def _closed(text: str) -> bool:
    import re

    return bool(re.search(r"no longer accepting applications|(job|position|posting) (has been |is )?(closed|filled)|"
                          r"no longer available", text[:3000], re.I))


def _same(ans: Any, got: str | None) -> bool:
    """Whether what the page shows is what we meant to put there."""
    if got is None:
        return False
    want = ans.value
    if ans.type == "checkbox":
        return (got == "true") == bool(want)
    if ans.type == "file":
        return Path(str(want)).name in got
    if isinstance(want, list):
        return all(forms.norm(w).lower() in forms.norm(got).lower() for w in want)
    w, g = forms.norm(str(want)).lower(), forms.norm(got).lower()
    if ans.type == "combobox" and ans.field is not None and not ans.field.options:
        query, prefer = forms.suggestion_query(want)  # an autocomplete: the suggestion chosen for the value
        return forms.pick_suggestion([got], query, prefer) is not None and (not prefer or forms.norm(prefer).lower() in g)
    if ans.type in ("combobox", "select", "radio"):
        return w == g or (w in g and len(g) < len(w) + 40)
    return w == g


def documents_json(docs: Documents) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if docs.resume:
        out["resume"] = {"name": docs.resume.name, "source": docs.resume_source}
    if docs.cover_letter:
        out["cover_letter"] = {"name": docs.cover_letter.name, "source": docs.cover_source}
    return json.loads(json.dumps(out))


def resolve_documents(storage: Storage, documents: dict[str, Any] | None, resume_path: str | None) -> Documents:
    """Files to upload: the tailored ones in ``applications.documents``, else the candidate's resume."""
    documents = documents or {}
    docs = Documents()

    def path_of(kind: str) -> Path | None:
        entry = documents.get(kind)
        rel = entry.get("path") if isinstance(entry, dict) else entry
        if not rel:
            return None
        p = storage.resolve(str(rel))
        return storage.plain(p) if p.is_file() else None  # an encrypted file: a private plaintext copy

    for kind in ("resume_pdf", "resume_docx"):
        if (p := path_of(kind)) is not None:
            docs.resume, docs.resume_source = p, f"documents.{kind}"
            break
    if docs.resume is None and resume_path:
        p = storage.resolve(resume_path)
        if p.is_file():
            docs.resume, docs.resume_source = storage.plain(p), "candidate.resume_path"
    for kind in ("cover_letter_pdf", "cover_letter_docx", "cover_letter_txt"):
        if (p := path_of(kind)) is not None:
            docs.cover_letter, docs.cover_source = p, f"documents.{kind}"
            break
    if (p := path_of("cover_letter_txt")) is not None:
        docs.cover_letter_text = p.read_text(encoding="utf-8", errors="replace")
    return docs


class _PendingStep:
    """A receipt step whose screenshot is still being painted: recorded once, on the first :meth:`record`."""

    def __init__(self, receipt: Receipt, name: str, shot: Shot, url: str | None) -> None:
        self.receipt, self.name, self.shot, self.url = receipt, name, shot, url
        self.done = False

    def record(self) -> None:
        if not self.done:
            self.done = True
            self.receipt.step(self.name, self.shot.png(), url=self.url)


@dataclass
class _Run:
    """What the steps of one session share (see :meth:`ApplyEngine._after_load`)."""

    req: ApplyRequest
    browser: Browser
    receipt: Receipt
    ats: str
    loaded: _PendingStep
    probe: dict[str, Any]
    timings: dict[str, float]
    t0: float
    adapter: Adapter | None = None
    fields: list[forms.FormField] = field(default_factory=list)
    sheet: AnswerSheet | None = None
    needs_approval: str | None = None
    filled_url: str | None = None
    html: str | None = None
    #: The questions fixed before the one second click, once it was decided (never a third).
    resubmitted: list[str] = field(default_factory=list)

    @property
    def driver(self) -> Any:
        return self.browser.driver
