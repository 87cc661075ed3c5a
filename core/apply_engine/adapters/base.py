"""What an ATS adapter does, with the behaviour that works on any well-made form.

An adapter knows four things about its ATS: how to reach the form from a posting page, which fields to
ignore or relabel (decoys, hidden templates), which button submits, and what success looks like. The
rest (finding fields, filling them, reading them back) is shared in :mod:`core.apply_engine.forms`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from selenium.common.exceptions import (
    StaleElementReferenceException,
    WebDriverException,
)

from core.apply_engine import forms, sites
from core.apply_engine.forms import FormField
from core.apply_engine.js import script
from core.apply_engine.settle import Settled

SUCCESS_TEXT = re.compile(
    r"thank(s| you) (you )?for (applying|your application|submitting|your interest)|application (has been |was )?"
    r"(submitted|received|sent)|we('ve| have) received your application|your application has been received|"
    r"successfully (submitted|applied)|thanks for submitting|your response has been recorded", re.I)
SUCCESS_URL = re.compile(r"/(thanks|thank-you|thankyou|confirmation|confirm|success|submitted|applied)(\b|/|$)", re.I)
APPLY_LINK = re.compile(r"^\s*(apply( now| for this (job|position|role))?|apply here|start (your )?application)\s*$", re.I)
SUBMIT_TEXT = re.compile(r"submit|send (my )?application|^apply$|apply now|finish|complete application", re.I)
NOT_SUBMIT = re.compile(r"autofill|linkedin|indeed|save (for later|draft)|cancel|back|upload|attach", re.I)
DECOY_TEXT = re.compile(r"autofill|auto-fill|parse (my|your) resume|apply with (linkedin|indeed|seek)", re.I)
#: The form's visible error messages, and for each the control it is about (``data-talvix-id``): the
#: control whose ``aria-describedby``/``aria-errormessage`` names it, an ``aria-invalid`` control itself,
#: else the one tagged control in the message's nearest box. ``{texts: [...], fields: [[key, message]]}``.
FIELD_ERRORS_JS = script("field_errors.js")
ERROR_JS = "return (function () {" + FIELD_ERRORS_JS + "})().texts;"


#: Elements matching a selector in the page and every open shadow root; the text drawn inside shadow roots.
DEEP_JS = r"""
const hostsOf = root => { const out = []; root.querySelectorAll('*').forEach(h => { if (h.shadowRoot) { out.push(h); out.push(...hostsOf(h.shadowRoot)); } }); return out; };
const HOSTS = hostsOf(document);
const deepQ = sel => { const out = Array.from(document.querySelectorAll(sel)); HOSTS.forEach(h => out.push(...h.shadowRoot.querySelectorAll(sel))); return out; };
const shadowText = () => HOSTS.map(h => Array.from(h.shadowRoot.children).map(c => c.innerText || '').join('\n')).join('\n');
"""

CONFIRM_JS = sites.VISIBLE_CHALLENGE_JS + DEEP_JS + r"""
const vis = e => { const r = e.getBoundingClientRect(); const cs = getComputedStyle(e);
                   return r.width > 0 && r.height > 0 && cs.display !== 'none' && cs.visibility !== 'hidden'; };
const hits = [];
for (const css of arguments[0]) { for (const e of deepQ(css)) { if (vis(e)) hits.push([css, e.innerText || '']); } }
const found = arguments[1] ? (function () {""" + FIELD_ERRORS_JS + r"""})() : {texts: [], fields: []};
const idle = window.__talvixIdle;
const bodyText = (document.body ? (document.body.innerText || '') : '') + (HOSTS.length ? '\n' + shadowText() : '');
return {url: location.href, text: bodyText.slice(0, 5000), hits: hits,
        errors: found.texts, field_errors: found.fields, challenge: arguments[1] ? visibleChallenge() : false,
        requests: idle ? idle.requests : 0};
"""

#: The posting's "Apply" link or button (visible, text matching APPLY_LINK), or null.
APPLY_LINK_JS = r"""
const re = new RegExp(arguments[0], 'i');
const vis = e => { const r = e.getBoundingClientRect(); const cs = getComputedStyle(e);
                   return r.width > 0 && r.height > 0 && cs.display !== 'none' && cs.visibility !== 'hidden'; };
for (const el of document.querySelectorAll('a, button')) { if (vis(el) && re.test(el.innerText || '')) return el; }
return null;
"""

#: The submit control: adapter selectors in order, else the last visible button whose text says submit.
SUBMIT_JS = DEEP_JS + r"""
const selectors = arguments[0], submit = new RegExp(arguments[1], 'i'), not = new RegExp(arguments[2], 'i');
const vis = e => { const r = e.getBoundingClientRect(); const cs = getComputedStyle(e);
                   return r.width > 0 && r.height > 0 && cs.display !== 'none' && cs.visibility !== 'hidden'; };
const text = e => ((e.innerText || '').trim() || e.getAttribute('value') || '').trim();
for (const css of selectors) {
  for (const el of deepQ(css)) { if (vis(el) && !not.test(text(el))) return el; }
}
const candidates = deepQ('button, input[type=button], [role=button]')
  .filter(el => vis(el) && submit.test(text(el)) && !not.test(text(el)));
return candidates.length ? candidates[candidates.length - 1] : null;
"""


@dataclass
class Confirmation:
    kind: str  # element | text | url
    detail: str
    url: str

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "detail": self.detail, "url": self.url}


class Adapter:
    """The generic adapter: a company's own careers form, or any ATS without a special one."""

    name = "generic"
    #: CSS of controls that must never be filled (decoy uploads, hidden templates).
    exclude: str | None = None
    #: CSS of the submit control, tried before the text heuristics.
    submit_selectors: tuple[str, ...] = ("button[type=submit]", "input[type=submit]")
    #: CSS of elements that only appear after a successful submission.
    success_selectors: tuple[str, ...] = (".success", "#confirmation", ".confirmation", "[data-qa=msg-submit-success]")
    option_selector: str = forms.OPTION_SELECTOR
    #: For a form embedded in an iframe: that iframe's index path. Only fields inside it are used, and
    #: submit and confirmation are looked for there (see :func:`core.apply_engine.adapters.adapter_for`).
    scope: list[int] | None = None
    #: What in the page showed the ATS (``fingerprint``), for the receipt.
    mark: str = ""
    #: After an unconfirmed submit: (field key, the page's message) for each error tied to a field.
    field_errors: list[tuple[str, str]] = []
    #: Requests the page still had in flight at the last look (its answer to the submit may be on its way).
    requests_pending: int = 0

    @classmethod
    def matches(cls, url: str) -> bool:
        return False

    # -- reaching the form -------------------------------------------------------------------------
    #: What :func:`forms.wait_for_fields` saw the last time (idle or not, how long, what was pending).
    settled: Settled | None = None

    def open_form(self, driver: Any, timeout_s: float, *, settle_s: float = 2.5,
                  before_change: Callable[[], None] | None = None) -> list[FormField]:
        """The fields of the form, following an "Apply" link first when the page is only a posting.

        The page is read once it is idle (:mod:`core.apply_engine.settle`): late questions injected by a
        timer or fetched over XHR are in by then. A posting page that is idle without a form is followed
        to its "Apply" link at once; a page with neither is given ``timeout_s`` for a form to appear.
        ``before_change`` is called before anything here changes the page (following a link, opening a
        dropdown), so the caller can collect a screenshot of the page as loaded.
        """
        before_change = before_change or (lambda: None)
        fields, self.settled = forms.wait_for_fields(driver, min(timeout_s, settle_s), exclude=self.exclude,
                                                     minimum=0, settle_s=settle_s)
        if not self._has_application_fields(fields):
            before_change()
            if self._click_apply_link(driver):
                fields, self.settled = forms.wait_for_fields(driver, timeout_s, exclude=self.exclude, minimum=2,
                                                             settle_s=settle_s)
            elif not fields:
                fields, self.settled = forms.wait_for_fields(driver, timeout_s, exclude=self.exclude,
                                                             settle_s=settle_s)
        before_change()
        return self.postprocess(driver, fields)

    @staticmethod
    def _has_application_fields(fields: list[FormField]) -> bool:
        return sum(1 for f in fields if f.type not in ("checkbox", "password")) >= 2

    def _click_apply_link(self, driver: Any) -> bool:
        """Click the posting's "Apply" link or button (found in one script), and wait for what it opens."""
        try:
            el = driver.execute_script(APPLY_LINK_JS, APPLY_LINK.pattern)
        except WebDriverException:
            return False
        if el is None:
            return False
        try:
            driver.execute_script("window.__talvixOld = true;")
            forms.click(driver, el)
        except (StaleElementReferenceException, WebDriverException):
            return False
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:  # a new document, or an in-page jump that never navigates
            try:
                if driver.execute_script("return window.__talvixOld ? 'old' : document.readyState;") in (
                        "interactive", "complete"):
                    break
            except WebDriverException:
                pass
            time.sleep(0.05)
        return True

    def postprocess(self, driver: Any, fields: list[FormField]) -> list[FormField]:
        """Mark decoys, read options of custom dropdowns, merge duplicate labels."""
        out = []
        if self.scope:
            fields = [f for f in fields if f.frame[:len(self.scope)] == self.scope]
        for f in fields:
            if f.type == "file" and DECOY_TEXT.search(f"{f.label} {f.hint}"):
                f.role = "decoy"
            if f.type == "password":
                continue
            out.append(f)
        self.read_combobox_options(driver, out)
        return out

    def read_combobox_options(self, driver: Any, fields: list[FormField]) -> None:
        """Options of custom dropdowns, read in the page in one call; a real click for any left empty."""
        forms.read_options(driver, fields, selector=self.option_selector)
        for f in fields:
            if f.type != "combobox" or f.options or f.input_type == "autocomplete":
                continue  # an autocomplete's suggestions appear only when it is typed into
            try:
                forms.switch_frame(driver, f.frame)
                el = forms.element(driver, f.key)
                if el.tag_name.lower() == "select":
                    continue
                f.options = forms.open_combobox_options(driver, el, selector=self.option_selector)
                if forms.visible_options(driver, self.option_selector):
                    forms.click(driver, el)  # a toggle-style dropdown that ignores Escape
            except (forms.FieldNotFound, WebDriverException):
                continue
            finally:
                driver.switch_to.default_content()

    # -- filling -----------------------------------------------------------------------------------
    def fill_many(self, driver: Any, items: list[tuple[FormField, Any]]) -> list[str | None]:
        """The fast path: every field in one script call per document (see :func:`forms.fill_many`)."""
        return forms.fill_many(driver, items, option_selector=self.option_selector)

    def fill(self, driver: Any, f: FormField, value: Any) -> None:
        """The careful path: real typing and clicks through WebDriver, for what the fast path did not keep."""
        forms.fill(driver, f, value, option_selector=self.option_selector)

    def read(self, driver: Any, f: FormField) -> str | None:
        return forms.read_value(driver, f)

    # -- submitting --------------------------------------------------------------------------------
    def submit_button(self, driver: Any) -> Any:
        """The submit control: the adapter's selectors first, else the last button that says "submit"."""
        if self.scope:
            forms.switch_frame(driver, self.scope)
        else:
            driver.switch_to.default_content()
        el = driver.execute_script(SUBMIT_JS, list(self.submit_selectors), SUBMIT_TEXT.pattern, NOT_SUBMIT.pattern)
        if el is None:
            driver.switch_to.default_content()
            raise LookupError("no submit button found on the form")
        return el

    def click_submit(self, driver: Any) -> None:
        """Press submit exactly once (see :func:`forms.press`); inside an embed's iframe, one script click
        (mouse coordinates there are the frame's, not the page's)."""
        el = self.submit_button(driver)
        if self.scope:
            try:
                driver.execute_script("setTimeout(() => arguments[0].click(), 0);", el)
            finally:
                driver.switch_to.default_content()
            return
        forms.press(driver, el)

    def confirmation(self, driver: Any, before_url: str) -> Confirmation | None:
        return self._look(driver, before_url, errors=False)[0]

    def _look(self, driver: Any, before_url: str, *, errors: bool = True) -> tuple[Confirmation | None, list[str]]:
        """Success element, thank-you text or a confirmation URL, and the form's errors, in one script call.

        Only ``execute_script`` is used while the submit response may still be pending: it honours the
        short script timeout, whereas chromedriver holds other commands until the navigation ends.
        """
        if self.scope:
            try:
                forms.switch_frame(driver, self.scope)
                seen = driver.execute_script(CONFIRM_JS, list(self.success_selectors), errors)
            except forms.FieldNotFound:
                seen = {}
            finally:
                driver.switch_to.default_content()
        else:
            seen = driver.execute_script(CONFIRM_JS, list(self.success_selectors), errors)
        url = seen.get("url") or ""
        strong = self.strong_selectors()
        for css, text in seen.get("hits") or []:
            if SUCCESS_TEXT.search(text or "") or css in strong:
                return Confirmation("element", forms.norm(text)[:300], url), []
        text = seen.get("text") or ""
        m = SUCCESS_TEXT.search(text)
        if m:
            return Confirmation("text", _around(text, m.start()), url), []
        if url.split("#")[0] != before_url.split("#")[0] and SUCCESS_URL.search(url.split("?")[0]) and text.strip():
            return Confirmation("url", url, url), []
        if seen.get("challenge"):
            return None, ["a captcha challenge appeared"]
        self.field_errors = [(str(k), forms.norm(str(m))) for k, m in seen.get("field_errors") or [] if k and m]
        self.requests_pending = int(seen.get("requests") or 0)
        return None, list(seen.get("errors") or [])

    def strong_selectors(self) -> tuple[str, ...]:
        """Success elements that count on their own, whatever their text (ATS-specific)."""
        return ()

    def form_errors(self, driver: Any) -> list[str]:
        try:
            return list(driver.execute_script(ERROR_JS) or [])
        except WebDriverException:
            return []

    def wait_confirmation(self, driver: Any, before_url: str, timeout_s: float, *,
                          error_grace_s: float = 3.0) -> tuple[Confirmation | None, list[str]]:
        """Poll for success; give up early when the form shows errors for a while (still no success) and
        has no request in flight (errors still shown from before the click, with the page's answer on its
        way, are not its answer)."""
        started = time.monotonic()
        deadline = started + timeout_s
        errors_since: float | None = None
        errors: list[str] = []
        while True:
            try:
                found, errors = self._look(driver, before_url)
                if found is not None:
                    return found, []
                if errors and errors[0].startswith("a captcha challenge"):
                    return None, errors  # a person's job: no point waiting for a confirmation
            except WebDriverException:
                errors = []
            now = time.monotonic()
            if errors and self.requests_pending and now - started < 10.0:
                errors_since = None  # the page is still talking to its server: wait (a while) for what it says
            elif errors:
                errors_since = errors_since or now
                if now - errors_since >= error_grace_s:
                    return None, errors
            else:
                errors_since = None
            if now > deadline:
                return None, errors
            time.sleep(0.05)


def _around(text: str, at: int, width: int = 160) -> str:
    start = max(0, at - 20)
    return forms.norm(text[start:start + width])
