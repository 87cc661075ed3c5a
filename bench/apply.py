"""Apply engine benchmark: Talvix against a bare hand-written Selenium script on the sandbox forms.

Both fill the same five forms (Greenhouse legacy and React, Lever, Ashby, a company form) in the same
Chromium in the same run; the bare script knows every field name in advance and does nothing else,
while Talvix discovers the form, builds the answer sheet, verifies every value, takes four screenshots,
writes the receipt and the submit marker. Then applications per hour with 1 and 2 browsers in parallel
(Talvix, browser per worker), and the memory per browser (PSS of chromedriver + Chromium, and USS: what
only that session holds) with 1, 2 and 4 sessions open at once, each on a sandbox form, with the current
Chromium flags and the flags before issue 16, in the same run. ``--memory-only`` runs just that part;
``--sessions 1,2,4,8,16,40`` measures more sessions at once (counts above 4 with the current flags only).

Then the execution server's sizing: applications run as the apply agent runs them (a fresh Chromium per
application, started and closed by the engine), by 1, 2 and 4 at once (``--browsers``), with the whole
machine's CPU time each application costs (read from ``/proc/stat``: the browsers, their drivers, Talvix,
the sandbox's server and the database; run it on a quiet machine). ``--sizing-only`` runs just that part.

    python bench/apply.py [--quick] [--rounds N] [--memory-only] [--sessions 1,2,4,...]
                          [--sizing-only] [--browsers 1,2,4]

The last line is one JSON object: talvix_s_per_app, baseline_s_per_app, baseline_over_talvix, the
sizing's apps_per_hour_by_browsers, cpu_s_per_app and apps_per_hour_per_core, the memory figures and more
(docs/benchmarks.md lists them); with ``--memory-only`` or ``--sizing-only``, that part's keys alone.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
# bench/ holds a queue.py: keep the folder off sys.path so the standard library's `queue` wins.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != REPO / "bench"]
sys.path.insert(0, str(REPO))

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

from core.apply_engine import browser as browser_mod  # noqa: E402
from core.apply_engine.browser import Browser  # noqa: E402
from core.apply_engine.engine import ApplyEngine  # noqa: E402
from core.storage import Storage  # noqa: E402
from sandbox import SandboxServer  # noqa: E402
from sandbox.forms.common import field_specs

FORMS = ["gh-backend", "ghr-frontend", "lever-fullstack", "ashby-product", "generic-python"]
ANSWERS = {"Are you legally authorized to work in India?": "Yes", "What is your notice period?": "30 days",
           "Are you willing to relocate?": "Yes", "Notice period": "30 days",
           "Are you willing to relocate to Chennai?": "Yes", "Highest qualification": "B.Tech / B.E.",
           "Years of Python experience": "5"}
TEXT = {"First Name": "Asha", "Last Name": "Raman", "Email": "asha@example.com", "Phone": "+91 98450 00000",
        "Full name": "Asha Raman", "Name": "Asha Raman", "Email address": "asha@example.com",
        "Mobile number": "+91 98450 00000", "Years of Python experience": "5"}


def wait(predicate: Any, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except Exception:
            pass
        time.sleep(0.05)
    raise TimeoutError("baseline: condition not met")


def baseline(driver: Any, sb: SandboxServer, key: str, resume: Path) -> None:
    """The minimal hand-written script: known selectors, required fields only, no checks, no evidence."""
    job = sb.job(key)
    driver.get(sb.apply_url(key))
    wait(lambda: driver.execute_script("return document.readyState") != "loading")
    if job.ats == "ashby":
        wait(lambda: driver.find_elements(By.ID, "_systemfield_name"))
    if job.ats == "generic":
        wait(lambda: driver.find_elements(By.ID, "python_years"))
    for spec in field_specs(job):
        if not spec.required:
            continue
        if spec.kind == "file":
            css = f'input[type=file][name="{spec.name}"], input[type=file][id="{spec.name}"]'
            driver.find_element(By.CSS_SELECTOR, css).send_keys(str(resume))
        elif spec.kind in ("text", "email", "tel", "url", "number", "textarea"):
            css = f'[name="{spec.name}"], [id="{spec.name}"]'
            driver.find_element(By.CSS_SELECTOR, css).send_keys(TEXT.get(spec.label, ANSWERS.get(spec.label, "x")))
        elif spec.kind == "select":
            el = driver.find_element(By.CSS_SELECTOR, f'select[name="{spec.name}"], select[id="{spec.name}"]')
            Select(el).select_by_visible_text(ANSWERS[spec.label])
        elif spec.kind == "radio":
            value = next(v for v, t in spec.options if t == ANSWERS[spec.label])
            el = driver.find_element(By.CSS_SELECTOR, f'input[type=radio][name="{spec.name}"][value="{value}"]')
            driver.execute_script("arguments[0].click();", el)
        elif spec.kind == "combobox":
            driver.find_element(By.ID, spec.name).click()
            option = wait(lambda spec=spec: [o for o in driver.find_elements(By.CSS_SELECTOR, "[role=option]")
                                             if o.text == ANSWERS[spec.label]])
            option[0].click()
        elif spec.kind == "dropdown":
            driver.find_element(By.ID, "education-dropdown").click()
            driver.find_element(By.CSS_SELECTOR, "#education-dropdown li[data-value=btech]").click()
        elif spec.kind == "checkbox":
            driver.find_element(By.CSS_SELECTOR, f'input[name="{spec.name}"]').click()
    button = {"greenhouse": "#submit_app", "lever": "#btn-submit",
              "ashby": "button.ashby-application-form-submit-button"}.get(job.ats, "button[type=submit]")
    driver.find_element(By.CSS_SELECTOR, button).click()
    wait(lambda: any(t in driver.execute_script("return document.body.innerText") for t in
                     ("Thank you", "Application submitted", "Thanks for submitting")))


def talvix_once(settings: Any, db: Any, browser: Browser | None, sb: SandboxServer, key: str, n: int) -> float:
    """One application through the engine: in ``browser``, or (None) in a Chromium the engine starts and closes."""
    from tests.support.apply_helpers import engine_request, make_application

    ids = make_application(db, settings, sb.apply_url(key), email=f"bench{n}-{threading.get_ident()}@example.com")
    t0 = time.monotonic()
    out = ApplyEngine(settings, db, Storage.from_settings(settings), browser=browser).run(
        engine_request(db, settings, ids, runner_id=f"bench-{n}"))
    took = time.monotonic() - t0
    if out.outcome != "submitted":
        raise RuntimeError(f"talvix on {key}: {out.outcome}: {out.reason}")
    return took


#: The Chromium flags before issue 16 (measured in the same run, for the before/after memory figure).
FLAGS_BEFORE = (
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--no-default-browser-check",
    "--disable-extensions",
    "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication",
    "--password-store=basic", "--window-size=1280,1600",
)
SESSIONS = (1, 2, 4)
BROWSERS = (1, 2, 4)


def _uss(b: Browser) -> int:
    """Memory only this session's processes hold (USS): not shared with any other process, so it is not
    lowered by other Chromiums on the machine the way PSS is."""
    total = 0
    for p in b.processes():
        try:
            total += p.memory_full_info().uss
        except Exception:  # a process that ended meanwhile
            continue
    return total


def memory_per_browser(sb: SandboxServer, sessions: int,
                       flags: tuple[str, ...] | None = None) -> tuple[float, float]:
    """PSS (MiB) per session with ``sessions`` browsers open at once, each showing a different sandbox form
    after filling one field (what a worker holds mid-application). Shared pages are split between the
    sessions by PSS, so the figure is what one more session costs the machine."""
    saved = browser_mod.BASE_FLAGS
    if flags is not None:
        browser_mod.BASE_FLAGS = flags
    browsers: list[Browser] = []
    try:
        for i in range(sessions):
            b = Browser().start()
            browsers.append(b)
            b.open(sb.apply_url(FORMS[i % len(FORMS)]), 30)
            wait(lambda b=b: b.driver.execute_script("return document.readyState") == "complete", 30)
            if sessions > 4 and (i + 1) % 10 == 0:
                print(f"  {i + 1} of {sessions} sessions open", flush=True)
        time.sleep(1.0)  # let each renderer settle (startup garbage collected) before measuring
        pss = sum(b.memory_bytes() for b in browsers) / sessions / 2**20
        uss = sum(_uss(b) for b in browsers) / sessions / 2**20
        return pss, uss
    finally:
        browser_mod.BASE_FLAGS = saved
        for b in browsers:
            b.close()


def memory_figures(sessions: tuple[int, ...] = SESSIONS) -> dict[str, Any]:
    """memory_mb_per_browser with the current flags for each session count, and the same with the flags
    before issue 16 for the counts of :data:`SESSIONS`."""
    keys = ("memory_mb_per_browser", "memory_mb_per_browser_before", "private_mb_per_browser",
            "private_mb_per_browser_before")
    out: dict[str, Any] = {k: {} for k in keys}
    with SandboxServer(port=0) as sb:
        for n in sessions:
            was = ""
            if n in SESSIONS:
                before, before_uss = memory_per_browser(sb, n, FLAGS_BEFORE)
                out["memory_mb_per_browser_before"][str(n)] = round(before)
                out["private_mb_per_browser_before"][str(n)] = round(before_uss)
                was = f" (flags before: {before:.0f} MiB)"
            after, after_uss = memory_per_browser(sb, n)
            out["memory_mb_per_browser"][str(n)] = round(after)
            out["private_mb_per_browser"][str(n)] = round(after_uss)
            print(f"memory per browser with {n} session(s): PSS {after:.0f} MiB{was}, private {after_uss:.0f} MiB; "
                  f"{after * n / 1024:.1f} GiB for all {n}", flush=True)
    return out


def in_parallel(keys: list[str], workers: int, session: Callable[[], Any],
                apply_one: Callable[[Any, str], float]) -> tuple[float, list[float]]:
    """Apply to the sandbox forms ``keys`` with ``workers`` threads, each inside its own ``session()`` (a lent
    Browser, or nothing), taking the next form until none is left. Returns the elapsed seconds and each
    application's own; the first failure stops every worker and is raised."""
    keys = list(keys)
    lock = threading.Lock()
    walls: list[float] = []
    failures: list[BaseException] = []

    def work() -> None:
        with session() as held:
            while True:
                with lock:
                    if not keys or failures:
                        return
                    key = keys.pop()
                try:
                    took = apply_one(held, key)
                except BaseException as exc:  # noqa: BLE001 - raised once the threads have ended
                    with lock:
                        failures.append(exc)
                    return
                with lock:
                    walls.append(took)

    t0 = time.monotonic()
    threads = [threading.Thread(target=work) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise RuntimeError(f"{workers} at once: {failures[0]}") from failures[0]
    return time.monotonic() - t0, walls


def machine_busy_s() -> float:
    """CPU seconds the whole machine has spent busy since boot (every core: ``/proc/stat``'s first line, all
    but idle and iowait, in the kernel's clock ticks)."""
    with open("/proc/stat", encoding="ascii") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal [guest guest_nice: already counted in user and nice]
    busy = sum(fields[:3]) + sum(fields[5:8])
    return busy / os.sysconf("SC_CLK_TCK")


def sizing(settings: Any, db: Any, sb: SandboxServer, counts: tuple[int, ...], per_browser: int,
           counter: Iterator[int]) -> dict[str, Any]:
    """Applications per hour with ``n`` at once for each of ``counts``, each application in a fresh Chromium
    of its own as the apply agent runs them, and the machine's CPU seconds per application. ``per_browser``
    applications per concurrent session (at least 6 in all)."""
    load = os.getloadavg()[0]
    out: dict[str, Any] = {"apps_per_hour_by_browsers": {}, "cpu_s_per_app_by_browsers": {},
                           "wall_s_per_app_by_browsers": {}, "load_average_at_start": round(load, 2)}
    if load > 0.5:
        print(f"sizing: the machine's load average is {load:.1f}: the CPU figures below include that other work; "
              "run it again on a quiet machine", flush=True)
    for n in counts:
        total = max(6, per_browser * n)
        busy0 = machine_busy_s()
        elapsed, walls = in_parallel([FORMS[i % len(FORMS)] for i in range(total)], n, contextlib.nullcontext,
                                     lambda _, key: talvix_once(settings, db, None, sb, key, next(counter)))
        busy = machine_busy_s() - busy0
        per_hour, cpu = total / elapsed * 3600, busy / total
        out["apps_per_hour_by_browsers"][str(n)] = round(per_hour)
        out["cpu_s_per_app_by_browsers"][str(n)] = round(cpu, 2)
        out["wall_s_per_app_by_browsers"][str(n)] = round(statistics.median(walls), 2)
        print(f"sizing, {n} at once: {total} applications, {per_hour:.0f} per hour, each {statistics.median(walls):.2f} s "
              f"(median, Chromium started and closed included), {cpu:.2f} CPU s of the machine each", flush=True)
    best = min(out["cpu_s_per_app_by_browsers"].values())
    out["cpu_s_per_app"] = best
    out["apps_per_hour_per_core"] = round(3600 / best) if best > 0 else None
    print(f"sizing: {best:.2f} CPU s per application at best, so at most ~{3600 / best:.0f} applications per hour "
          f"per core (an 8-vCPU execution server: ~{8 * 3600 / best:.0f}), whatever the sites' latency", flush=True)
    return out


def _counts(parser: argparse.ArgumentParser, option: str, text: str) -> tuple[int, ...]:
    try:
        counts = tuple(sorted({int(x) for x in text.split(",") if x.strip()}))
    except ValueError:
        parser.error(f"{option} takes whole numbers separated by commas, not {text!r}")
    if not counts or counts[0] < 1:
        parser.error(f"{option} needs at least one count of 1 or more")
    return counts


def _setup() -> tuple[Any, Any, Path]:
    """Settings for the bench, its private embedded Postgres with the schema, and its folder."""
    from core.config import load_settings
    from core.db import connect, ensure_schema
    from tests.support.apply_helpers import tune

    tmp = Path(tempfile.mkdtemp(prefix="talvix-bench-apply-"))
    settings = tune(load_settings(data_dir=tmp), confirm_timeout_s=10.0, form_timeout_s=10.0)
    db = connect(settings)
    ensure_schema(db)
    return settings, db, tmp


def _teardown(db: Any, tmp: Path) -> None:
    from core.db import stop_embedded

    db.close()
    stop_embedded(tmp)
    shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one round per form, 10 applications for throughput")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--memory-only", action="store_true",
                        help="only memory per browser with 1, 2 and 4 sessions (before/after flags)")
    parser.add_argument("--sessions", default=",".join(map(str, SESSIONS)),
                        help="session counts for the memory figures, e.g. 1,2,4,8,16,40 (default 1,2,4)")
    parser.add_argument("--sizing-only", action="store_true",
                        help="only the execution server's sizing (applications at once, CPU per application)")
    parser.add_argument("--browsers", default=",".join(map(str, BROWSERS)),
                        help="how many applications at once for the sizing, e.g. 1,2,4,8 (default 1,2,4)")
    args = parser.parse_args()
    sessions = _counts(parser, "--sessions", args.sessions)
    browsers = _counts(parser, "--browsers", args.browsers)
    if args.memory_only:
        print(json.dumps(memory_figures(sessions)))
        return
    rounds = args.rounds or (1 if args.quick else 3)
    settings, db, tmp = _setup()
    counter = itertools.count()  # numbers each application's candidate e-mail apart
    try:
        if args.sizing_only:
            with SandboxServer(port=0) as sb:
                figures = sizing(settings, db, sb, browsers, 3 if args.quick else 6, counter)
        else:
            figures = _whole_run(settings, db, tmp, counter, rounds, 10 if args.quick else 30, browsers,
                                 3 if args.quick else 6, sessions)
    finally:
        _teardown(db, tmp)  # the benchmark's private Postgres: left running by nothing, a failure included
    print(json.dumps(figures))


def _whole_run(settings: Any, db: Any, tmp: Path, counter: Iterator[int], rounds: int, throughput_n: int,
               browsers: tuple[int, ...], per_browser: int, sessions: tuple[int, ...]) -> dict[str, Any]:
    """Every part of the bench: Talvix against the bare script, applications per hour, the sizing, memory."""
    resume = tmp / "resume.pdf"
    resume.write_bytes(b"%PDF-1.4\n% bench resume\n")
    with SandboxServer(port=0) as sb, Browser() as browser:
        # Warm-up: the first page load in a new browser pays for caches and the renderer.
        baseline(browser.driver, sb, FORMS[0], resume)
        base_times: list[float] = []
        talvix_times: list[float] = []
        for _ in range(rounds):
            for key in FORMS:
                t0 = time.monotonic()
                baseline(browser.driver, sb, key, resume)
                base_times.append(time.monotonic() - t0)
                talvix_times.append(talvix_once(settings, db, browser, sb, key, next(counter)))
        browser.open(sb.apply_url("ghr-frontend"), 10)
        memory_mb = browser.memory_bytes() / 2**20
        print(f"per application (median of {len(base_times)}): bare script {statistics.median(base_times):.2f}s, "
              f"talvix {statistics.median(talvix_times):.2f}s", flush=True)

    def per_hour(workers: int) -> float:
        elapsed, walls = in_parallel([FORMS[i % len(FORMS)] for i in range(throughput_n)], workers, Browser,
                                     lambda b, key: talvix_once(settings, db, b, sb, key, next(counter)))
        return len(walls) / elapsed * 3600

    with SandboxServer(port=0) as sb:
        one = per_hour(1)
        two = per_hour(2)
        print(f"applications per hour: 1 browser {one:.0f}, 2 browsers {two:.0f} (one browser per worker, its start "
              "included)", flush=True)
        sized = sizing(settings, db, sb, browsers, per_browser, counter)
    mem = memory_figures(sessions)
    print(f"memory per browser: {memory_mb:.0f} MiB (PSS, chromedriver + Chromium, one form loaded)")
    t = statistics.median(talvix_times)
    b = statistics.median(base_times)
    return {"talvix_s_per_app": round(t, 3), "baseline_s_per_app": round(b, 3),
            "baseline_over_talvix": round(b / t, 3), "talvix_over_baseline": round(t / b, 3),
            "apps_per_hour_1_browser": round(one), "apps_per_hour_2_browsers": round(two),
            "memory_mb_one_browser_after_runs": round(memory_mb), **mem, **sized, "forms": FORMS, "rounds": rounds}


if __name__ == "__main__":
    main()
