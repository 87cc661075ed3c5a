"""A page that cannot be reached is a network error, retried as one: never "no application form found"."""

from __future__ import annotations

import socket

from core.apply_engine.engine import ApplyEngine, network_error
from core.storage import Storage
from tests.support.apply_helpers import PageServer, company_form, engine_request, make_application, tune


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there any more
    return port


def test_a_refused_connection_is_a_network_error_not_a_missing_form(settings, db, browser):
    tune(settings)
    url = f"http://127.0.0.1:{_closed_port()}/jobs/1/apply"
    ids = make_application(db, settings, url)
    out = ApplyEngine(settings, db, Storage(settings.storage_path), browser=browser).run(engine_request(db, settings, ids))
    assert out.outcome == "failed" and out.network
    assert "network error: ERR_CONNECTION_REFUSED" in out.reason and "no application form" not in out.reason
    assert out.retry_after_s
    app = db.one("SELECT status, reason FROM applications WHERE id = %s", (ids["application_id"],))
    assert app["status"] == "ready" and "network error" in app["reason"]  # not failed: it will be tried again


def test_a_dead_proxy_is_a_network_error_naming_the_proxy(settings, db):
    tune(settings)
    server = PageServer({"/apply": company_form()})
    try:
        ids = make_application(db, settings, server.url("/apply"))
        engine = ApplyEngine(settings, db, Storage(settings.storage_path), proxy=f"http://127.0.0.1:{_closed_port()}")
        out = engine.run(engine_request(db, settings, ids))
    finally:
        server.close()
    assert out.outcome == "failed" and out.network, out.reason
    assert out.reason.startswith("network error: ERR_") and "through the proxy" in out.reason
    assert server.posts == []


def test_network_error_codes_are_read_from_webdriver_messages():
    assert network_error("unknown error: net::ERR_NAME_NOT_RESOLVED\n  (Session info: chrome=120)") == "ERR_NAME_NOT_RESOLVED"
    assert network_error("unknown error: net::ERR_PROXY_CONNECTION_FAILED") == "ERR_PROXY_CONNECTION_FAILED"
    assert network_error("no such element: Unable to locate element") is None
