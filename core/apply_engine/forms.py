"""Reading and filling form controls in a live page: the part every adapter shares.

Selenium round trips are the slow part of browser work, so each job here is one script per document.
Discovery tags every control with ``data-talvix-id`` and returns its label, type, required flag and
options, for the page and its same-origin iframes at once (only cross-origin frames need a WebDriver
switch). Labels come, in order, from ``aria-labelledby``, ``<label for>`` or a wrapping label,
``aria-label``, nearby text (previous siblings and parents' own text), then placeholder or title. Radios
and checkboxes sharing a name are one question. Discovery runs once the page is idle
(:mod:`core.apply_engine.settle`), so content that appears after load is not missed.

Filling has two paths: :func:`fill_many` (one script per document, events as frameworks expect them)
and :func:`fill` (real typing and clicks through WebDriver), which the engine uses for whatever the first
did not keep. :func:`read_values` reads everything back in one call.
"""

from __future__ import annotations

import re
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from selenium.common.exceptions import (
    ElementClickInterceptedException,
    ElementNotInteractableException,
    NoSuchElementException,
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from core.apply_engine.js import script
from core.apply_engine.settle import Settled, settle

TEXT_TYPES = ("text", "email", "tel", "url", "number", "date", "textarea", "password")
CHOICE_TYPES = ("select", "radio", "combobox", "checkboxes")


@dataclass
class FormField:
    """One question on the form, however the page draws it."""

    key: str  # data-talvix-id of the control (first control of a radio/checkbox group)
    label: str
    name: str = ""
    type: str = "text"  # text|email|tel|url|number|date|textarea|select|radio|checkbox|checkboxes|file|combobox
    required: bool = False
    options: list[str] = field(default_factory=list)
    option_keys: list[str] = field(default_factory=list)  # data-talvix-id per radio/checkbox option
    frame: list[int] = field(default_factory=list)  # iframe index path from the top document
    via: list[int] = field(default_factory=list)  # the part of ``frame`` WebDriver must switch to (cross-origin)
    placeholder: str = ""
    hint: str = ""  # description text near the question, for matching only
    role: str = ""  # adapter hint: resume, cover_letter, decoy, declaration, full_name...
    input_type: str = ""
    multiple: bool = False
    maxlength: int = 0  # the control's maxlength (0: none)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


#: Helpers shared by the page scripts below. Every function works on the element's own document and
#: window, so one script can read and fill same-origin iframes without a WebDriver frame switch.
PAGE_LIB = script("page_lib.js")

#: Find a document by its iframe index path from the current one (same-origin frames only), and a
#: control by its tag, also inside open shadow roots.
DOC_AT = script("doc_at.js")

DISCOVER_JS = PAGE_LIB + DOC_AT + script("discover.js")

READ_FN = DOC_AT + script("read.js")
#: Read many controls in one round trip: ``[[key, type, option_keys, frame path], ...]``.
READ_MANY_JS = READ_FN + "return arguments[0].map(a => readOne(a[0], a[1], a[2], a[3]));"

#: Fill many controls in one round trip, the way a framework expects to hear about it: the native value
#: setter then ``input``/``change`` (React's controlled inputs ignore a plain ``el.value = ...``), focus and
#: blur around it (validation on blur), ``click()`` for radios and checkboxes (click, input and change
#: events, as a person's click), and a person's sequence of pointer/mouse events to open a custom dropdown
#: and pick the option. File inputs are returned as elements for a real ``send_keys``. Each result is
#: null (done) or a short reason; whatever the page did not keep is caught by the read-back.
FILL_JS = PAGE_LIB + DOC_AT + script("fill.js")

OPTION_SELECTOR = "[role=option], [class*='select__option'], li[data-value]"

#: Options of many custom dropdowns in one round trip: ``[[key, frame path], ...]`` -> option texts or null.
OPTIONS_JS = PAGE_LIB + DOC_AT + script("options.js")


class FieldNotFound(Exception):
    """The control vanished (re-rendered, removed) between discovery and filling."""


def norm(text: str | None) -> str:
    return re.sub(r"\s+", " ", (text or "")).strip()


def switch_frame(driver: Any, path: list[int]) -> None:
    driver.switch_to.default_content()
    for index in path:
        frames = driver.find_elements(By.TAG_NAME, "iframe")
        if index >= len(frames):
            raise FieldNotFound(f"iframe {path} is gone")
        driver.switch_to.frame(frames[index])


def discover(driver: Any, *, exclude: str | None = None, frames: bool = True) -> list[FormField]:
    """Every question on the page and in its iframes (two levels deep), in document order.

    One script reads the top document and every same-origin iframe through ``contentDocument``; only a
    cross-origin iframe (an embedded ATS form on a company page) costs a WebDriver frame switch, and its
    own same-origin children are read by the same script run inside it.
    """
    fields: list[FormField] = []
    todo: list[list[int]] = [[]]
    while todo:
        via = todo.pop(0)
        try:
            if via:
                switch_frame(driver, via)
            raw = driver.execute_script(DISCOVER_JS, {"exclude": exclude, "base": via, "maxDepth": 2 if frames else 0})
        except (WebDriverException, FieldNotFound):
            continue
        finally:
            if via:
                driver.switch_to.default_content()
        for item in (raw or {}).get("fields") or []:
            fields.append(FormField(via=list(via), **item))
        todo.extend(list(p) for p in (raw or {}).get("remote") or [] if len(p) <= 2)
    return fields


def wait_for_fields(driver: Any, timeout_s: float, *, exclude: str | None = None, minimum: int = 1,
                    settle_s: float = 2.5) -> tuple[list[FormField], Settled]:
    """Wait until the page is idle (at most ``settle_s`` once ``minimum`` controls exist), then discover.

    With ``minimum=0`` the page's own state decides: an idle page without a form is returned at once (the
    caller may follow an "Apply" link). Otherwise controls are awaited up to ``timeout_s``.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        left = max(0.0, deadline - time.monotonic())
        settled = settle(driver, left, cap_s=min(settle_s, left), min_controls=minimum)
        fields = discover(driver, exclude=exclude)
        if len(fields) >= minimum or time.monotonic() >= deadline:
            return fields, settled
        time.sleep(0.1)  # controls exist but none is usable yet (hidden, disabled): look again shortly


def element(driver: Any, key: str) -> Any:
    try:
        return driver.find_element(By.CSS_SELECTOR, f'[data-talvix-id="{key}"]')
    except NoSuchElementException:
        pass
    found = driver.execute_script(DOC_AT + "return byKey(arguments[0], []);", key)  # inside an open shadow root
    if found is None:
        raise FieldNotFound(key)
    return found


def _rel(f: FormField) -> list[int]:
    """The field's frame path below the document WebDriver must be switched to (``via``)."""
    return list(f.frame[len(f.via):])


def _by_via(fields: list[FormField]) -> dict[tuple[int, ...], list[int]]:
    groups: dict[tuple[int, ...], list[int]] = {}
    for i, f in enumerate(fields):
        groups.setdefault(tuple(f.via), []).append(i)
    return groups


def read_value(driver: Any, f: FormField) -> str | None:
    return read_values(driver, [f])[0]


def read_values(driver: Any, fields: list[FormField]) -> list[str | None]:
    """What the page shows for each field: one script call for the page and its same-origin frames."""
    out: list[str | None] = [None] * len(fields)
    for via, idx in _by_via(fields).items():
        if via:
            switch_frame(driver, list(via))
        try:
            got = driver.execute_script(READ_MANY_JS, [[fields[i].key, fields[i].type, fields[i].option_keys,
                                                        _rel(fields[i])] for i in idx])
        finally:
            if via:
                driver.switch_to.default_content()
        for i, value in zip(idx, got or []):
            out[i] = value
    return out


def read_options(driver: Any, fields: list[FormField], *, selector: str = OPTION_SELECTOR) -> None:
    """Fill in ``options`` of custom dropdowns: the ones they own, else open, read and close each in the page."""
    todo = [f for f in fields if f.type == "combobox" and not f.options]
    for via, idx in _by_via(todo).items():
        try:
            if via:
                switch_frame(driver, list(via))
            got = driver.execute_async_script(OPTIONS_JS, [[todo[i].key, _rel(todo[i])] for i in idx], selector)
        except (WebDriverException, FieldNotFound):
            continue
        finally:
            if via:
                driver.switch_to.default_content()
        for i, options in zip(idx, got or []):
            if options == "search":  # "Type to search": its options come only once typed into
                todo[i].input_type = "autocomplete"
            elif options:
                todo[i].options = [norm(o) for o in options if norm(o)]


def fill_many(driver: Any, items: list[tuple[FormField, Any]], *, option_selector: str = OPTION_SELECTOR) -> list[str | None]:
    """Fill every field in one script call per document (see :data:`FILL_JS`); files by ``send_keys``.

    Returns, per item, None or why it could not be filled. Nothing here is trusted: the engine reads
    every value back and falls back to real typing and clicks (:func:`fill`) for whatever did not stick.
    """
    from core.apply_engine.options import best_option

    out: list[str | None] = [None] * len(items)
    late: list[int] = []  # file inputs inside a same-origin iframe: send_keys needs the frame switch
    payload: dict[tuple[int, ...], list[tuple[int, dict[str, Any]]]] = {}
    for n, (f, value) in enumerate(items):
        item: dict[str, Any] = {"key": f.key, "type": f.type, "path": _rel(f)}
        if f.type in ("radio", "checkboxes"):
            wanted = value if isinstance(value, list) else [value]
            missing = [w for w in wanted if w not in f.options]
            if missing:
                out[n] = f"{missing[0]!r} is not an option of {f.label!r}"
                continue
            item = {"type": "choice", "keys": [f.option_keys[f.options.index(w)] for w in wanted], "path": _rel(f)}
        elif f.type == "file":
            if _rel(f):
                late.append(n)
                continue
        elif f.type == "checkbox":
            item["value"] = bool(value)
        elif f.type == "combobox":
            item["value"] = (best_option(value, f.options) if f.options else None) or str(value)
            if not f.options:  # options appear only when typed into: type, then pick the suggestion
                item["query"], item["prefer"] = suggestion_query(value)
        else:
            item["value"] = str(value)
        payload.setdefault(tuple(f.via), []).append((n, item))
    for via, entries in payload.items():
        try:
            if via:
                switch_frame(driver, list(via))
            got = driver.execute_async_script(FILL_JS, [e for _, e in entries], option_selector) or {}
            if got.get("error"):
                raise WebDriverException(str(got["error"]).splitlines()[0][:200])
            results = list(got.get("results") or [])
            for (n, _), result in zip(entries, results):
                out[n] = result
            for pos, element in got.get("files") or []:
                n = entries[pos][0]
                try:
                    element.send_keys(str(items[n][1]))
                except WebDriverException as exc:
                    out[n] = _reason(exc)
        except (WebDriverException, FieldNotFound) as exc:
            for n, _ in entries:
                out[n] = out[n] or _reason(exc)
        finally:
            if via:
                driver.switch_to.default_content()
    for n in late:
        try:
            fill(driver, items[n][0], items[n][1], option_selector=option_selector)
        except (FieldNotFound, ValueError, WebDriverException) as exc:
            out[n] = _reason(exc)
    return out


def _reason(exc: BaseException) -> str:
    text = str(getattr(exc, "msg", None) or exc or type(exc).__name__)
    return norm(text.splitlines()[0] if text else type(exc).__name__)[:200]


def click(driver: Any, el: Any) -> None:
    """A real click, falling back to the element's label or a script click when something overlays it."""
    try:
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", el)
        el.click()
    except (ElementClickInterceptedException, ElementNotInteractableException):
        driver.execute_script("arguments[0].click();", el)


def press(driver: Any, el: Any) -> str:
    """Click a control once with a trusted mouse event that never waits for the navigation it starts.

    Used for the submit button: chromedriver's own click waits for the resulting page load, and its HTTP
    client may repeat a command that timed out - a second submission. One CDP mouse press/release
    returns as soon as it is dispatched. When something covers the button, a script click is used
    instead (decided before anything is dispatched, so the control is pressed once either way).
    """
    point = driver.execute_script(
        "const el = arguments[0]; el.scrollIntoView({block: 'center'});"
        "const r = el.getBoundingClientRect(); const x = r.left + r.width / 2, y = r.top + r.height / 2;"
        "let hit = document.elementFromPoint(x, y);"
        "while (hit && hit.shadowRoot) { const inner = hit.shadowRoot.elementFromPoint(x, y);"  # into open shadow roots
        " if (!inner || inner === hit) break; hit = inner; }"
        "return (hit && (hit === el || el.contains(hit))) ? [x, y] : null;", el)
    if point is None:
        driver.execute_script("setTimeout(() => arguments[0].click(), 0);", el)
        return "script"
    for kind in ("mousePressed", "mouseReleased"):
        driver.execute_cdp_cmd("Input.dispatchMouseEvent", {"type": kind, "x": point[0], "y": point[1],
                                                            "button": "left", "clickCount": 1})
    return "mouse"


def type_text(driver: Any, el: Any, value: str) -> None:
    """Type like a person (React sees key events), replacing whatever was there."""
    try:
        current = driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); return arguments[0].value;", el)
        if current:
            el.send_keys(Keys.CONTROL, "a")
            el.send_keys(Keys.DELETE)
        el.send_keys(value)
    except ElementNotInteractableException:
        driver.execute_script(
            "const el = arguments[0]; const proto = el.tagName === 'TEXTAREA' ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;"
            "Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, arguments[1]);"
            "el.dispatchEvent(new Event('input', {bubbles: true})); el.dispatchEvent(new Event('change', {bubbles: true}));",
            el, value)


def visible_options(driver: Any, selector: str = OPTION_SELECTOR) -> list[Any]:
    out = []
    for el in driver.find_elements(By.CSS_SELECTOR, selector):
        try:
            if el.is_displayed():
                out.append(el)
        except StaleElementReferenceException:
            continue
    return out


#: What a menu shows instead of options (page_lib.js NOTICE): never an option.
NOTICE = re.compile(r"^(loading|searching|please wait|fetching|type\b|start typing|enter \d+|no (options|results|matches)|"
                    r"nothing found)", re.I)
#: A menu that says it is loading is waited for at most this long (page_lib.js LOAD_CAP_MS).
LOAD_CAP_S = 4.0


def open_combobox_options(driver: Any, el: Any, *, timeout_s: float = 1.5, selector: str = OPTION_SELECTOR) -> list[str]:
    """Open a custom dropdown, read the options it renders (polled for while it says it is loading, at most
    :data:`LOAD_CAP_S`; "Loading…" and disabled entries are not options), close it again."""
    click(driver, el)
    start = time.monotonic()
    texts: list[str] = []
    while True:
        texts, loading = [], False
        for o in visible_options(driver, selector):
            try:
                t = norm(o.text)
                if o.get_attribute("aria-disabled") == "true" or NOTICE.match(t):
                    loading = loading or bool(re.match(r"loading|searching|please wait|fetching", t, re.I))
                    continue
                texts.append(t)
            except StaleElementReferenceException:
                continue
        waited = time.monotonic() - start
        if (texts and not loading) or waited >= LOAD_CAP_S or (waited >= timeout_s and not loading):
            break
        time.sleep(0.05)
    try:
        el.send_keys(Keys.ESCAPE)
    except (ElementNotInteractableException, WebDriverException):
        driver.execute_script("document.activeElement && document.activeElement.blur();")
    return [t for t in texts if t]


def suggestion_query(value: Any) -> tuple[str, str]:
    """What to type into an autocomplete for ``value``, and what the right suggestion also says:
    ``"Bengaluru, India"`` -> (``"Bengaluru"``, ``"India"``)."""
    parts = [p.strip() for p in str(value).split(",") if p.strip()]
    if len(parts) > 1:
        return parts[0], parts[-1]
    return str(value).strip(), ""


def pick_suggestion(texts: list[str], query: str, prefer: str = "") -> str | None:
    """The suggestion that is ``query`` ("Bengaluru", "Bengaluru, Karnataka, India"; not "Bengaluru Rural"),
    the one that also says ``prefer`` first."""
    q, p = norm(query).lower(), norm(prefer).lower()
    fits = [t for t in texts if norm(t).lower() == q or norm(t).lower().startswith((q + ",", q + " ("))]
    return next((t for t in fits if p and p in norm(t).lower()), fits[0] if fits else None)


def choose_combobox(driver: Any, el: Any, value: str, *, timeout_s: float = 3.0,
                    selector: str = OPTION_SELECTOR, autocomplete: bool = False) -> bool:
    """Open a custom dropdown, type to filter when it takes text, click the option whose text matches.

    ``autocomplete``: suggestions appear only when typed into; the query is typed and the suggestion that
    is the value is chosen (:func:`pick_suggestion`)."""
    from core.apply_engine.options import best_option

    query, prefer = suggestion_query(value) if autocomplete else (value, "")
    click(driver, el)
    if el.tag_name.lower() == "input":
        try:
            if autocomplete:
                type_text(driver, el, query)
            else:
                el.send_keys(value)
        except ElementNotInteractableException:
            pass
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        options = visible_options(driver, selector)
        texts = []
        for o in options:
            try:
                texts.append(norm(o.text))
            except StaleElementReferenceException:
                texts.append("")
        pick = (pick_suggestion([t for t in texts if t], query, prefer) if autocomplete else
                best_option(value, [t for t in texts if t])) if texts else None
        if pick is not None:
            for o, t in zip(options, texts):
                if t == pick:
                    try:
                        click(driver, o)
                        return True
                    except StaleElementReferenceException:
                        break
        time.sleep(0.05)
    try:
        el.send_keys(Keys.ESCAPE)
    except WebDriverException:
        pass
    return False


def fill(driver: Any, f: FormField, value: Any, *, option_selector: str = OPTION_SELECTOR) -> None:
    """Put ``value`` into the control. Raises FieldNotFound or ValueError when it cannot.

    Outside an operation on a field in an iframe the driver is always on the top document, so only
    iframe fields switch (each switch is a round trip to chromedriver).
    """
    if f.frame:
        switch_frame(driver, f.frame)
    try:
        if f.type in ("radio", "checkboxes"):
            wanted = value if isinstance(value, list) else [value]
            for want in wanted:
                if want not in f.options:
                    raise ValueError(f"{want!r} is not an option of {f.label!r}")
                el = element(driver, f.option_keys[f.options.index(want)])
                if not _chosen(el):
                    _click_choice(driver, el)
            return
        el = element(driver, f.key)
        if f.type == "checkbox":
            if bool(value) != _chosen(el):
                _click_choice(driver, el)
        elif f.type == "select":
            _select_option(driver, el, str(value))
        elif f.type == "file":
            el.send_keys(str(value))
        elif f.type == "combobox":
            if el.tag_name.lower() == "select":
                _select_option(driver, el, str(value))
            elif not choose_combobox(driver, el, str(value), selector=option_selector, autocomplete=not f.options):
                raise ValueError(f"no option {value!r} in {f.label!r}")
        else:
            type_text(driver, el, str(value))
    finally:
        if f.frame:
            driver.switch_to.default_content()


def _chosen(el: Any) -> bool:
    """An input or option is selected; a radio, tick box or button drawn without one says so in ARIA."""
    if el.tag_name.lower() in ("input", "option"):
        return bool(el.is_selected())
    return "true" in (el.get_attribute("aria-checked"), el.get_attribute("aria-pressed"))


def _click_choice(driver: Any, el: Any) -> None:
    try:
        if el.is_displayed():
            click(driver, el)
            return
    except StaleElementReferenceException:
        raise FieldNotFound("option re-rendered") from None
    labels = driver.execute_script("return arguments[0].labels ? Array.from(arguments[0].labels) : [];", el)
    if labels:
        click(driver, labels[0])
    else:
        driver.execute_script("arguments[0].click();", el)


_SELECT_JS = r"""
const el = arguments[0], want = arguments[1].replace(/\s+/g, ' ').trim().toLowerCase();
el.scrollIntoView({block: 'center'});
const i = Array.from(el.options).findIndex(o => o.text.replace(/\s+/g, ' ').trim().toLowerCase() === want);
if (i < 0) return false;
el.focus(); el.selectedIndex = i;
el.dispatchEvent(new Event('input', {bubbles: true})); el.dispatchEvent(new Event('change', {bubbles: true}));
return true;
"""


def _select_option(driver: Any, el: Any, value: str) -> None:
    """Choose a native ``<select>`` option by its text in one round trip (Selenium's Select costs one per option)."""
    if not driver.execute_script(_SELECT_JS, el, value):
        raise ValueError(f"no option {value!r}")


def dom_snapshot(driver: Any) -> str:
    """The page as it stands (form values included as attributes), for the receipt."""
    driver.switch_to.default_content()
    return driver.execute_script(
        "document.querySelectorAll('input,textarea').forEach(e => {"
        " if (e.type === 'checkbox' || e.type === 'radio') { if (e.checked) e.setAttribute('checked', ''); else e.removeAttribute('checked'); }"
        " else if (e.type !== 'file' && e.type !== 'password') e.setAttribute('value', e.value); });"
        "document.querySelectorAll('select option').forEach(o => { if (o.selected) o.setAttribute('selected', ''); });"
        "return '<!DOCTYPE html>\\n' + document.documentElement.outerHTML;")


def page_text(driver: Any, limit: int = 20000) -> str:
    driver.switch_to.default_content()
    try:
        return (driver.execute_script("return document.body ? document.body.innerText : '';") or "")[:limit]
    except WebDriverException:
        return ""
