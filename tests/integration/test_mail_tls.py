"""Reading a mailbox over TLS on a real IMAP server (pymap on loopback) with a self-signed certificate made
in the test: STARTTLS on the plain port, IMAPS from the first byte, and refusals when the certificate is not
trusted or the server offers no STARTTLS (the password never goes out in clear)."""

from __future__ import annotations

import pytest

from core.crypto import load_cipher
from core.outcomes import mail
from tests.support.common import settings_with
from tests.support.imap_server import imaps_front, pymap_server
from tests.support.notify_setup import self_signed
from tests.support.outcomes import add_application, add_candidate, add_job

PASSWORD_ENV = "TALVIX_TEST_IMAP_PASSWORD"
REPLY = (b"From: Meera Iyer <meera.iyer@zenloop.io>\r\nTo: priya.sharma@example.in\r\n"
         b"Subject: Interview invitation: Data Engineer at Zenloop\r\nMessage-ID: <tls.1@zenloop.io>\r\n"
         b"Date: Tue, 01 Dec 2026 10:00:00 +0530\r\n\r\nHi Priya, we would like to invite you to an interview for "
         b"the Data Engineer role.\r\n")


def _settings(settings, **box):
    return settings_with(settings, outcomes={"mailboxes": {"shared": {
        "host": "127.0.0.1", "username": "inbox@talvix.test", "password_env": PASSWORD_ENV, **box}}})


def _world(db, s):
    cipher = load_cipher(s)
    with db.transaction() as conn:
        cid = add_candidate(conn, cipher, "Priya Sharma", "Priya.Sharma@example.in")
        add_application(conn, cid, add_job(conn, "lever:zenloop:5f2c", "Zenloop", "Data Engineer",
                                           "https://jobs.lever.co/zenloop/5f2c", ats="lever"))
    return cipher


@pytest.fixture
def cert(tmp_path):
    return self_signed(tmp_path)  # (server context, certificate file)


def test_starttls_with_a_trusted_self_signed_certificate_reads_the_mailbox(settings, db, tmp_path, cert,
                                                                          monkeypatch):
    ctx, cert_file = cert
    key_file = cert_file.with_name("smtp-key.pem")
    with pymap_server(tmp_path, cert=cert_file, key=key_file) as imap:
        monkeypatch.setenv(PASSWORD_ENV, imap.password)
        imap.append(REPLY)
        s = _settings(settings, port=imap.port, tls=False, starttls=True, ca_file=str(cert_file))
        [summary] = mail.sync(db, _world(db, s), s)
        assert summary["fetched"] == 1
        row = db.one("SELECT message_id, classification FROM mail_messages")
        assert row == {"message_id": "<tls.1@zenloop.io>", "classification": "interview"}

        # The same server without its certificate trusted: refused before the password is sent.
        untrusted = _settings(settings, port=imap.port, tls=False, starttls=True)
        with pytest.raises(mail.MailboxError, match="STARTTLS .* failed: .*CERTIFICATE_VERIFY_FAILED"):
            mail.fetch_new("shared", untrusted.outcomes.mailboxes["shared"], 0, None)


def test_imaps_from_the_first_byte_with_a_trusted_self_signed_certificate(settings, db, tmp_path, cert, monkeypatch):
    ctx, cert_file = cert
    with pymap_server(tmp_path) as imap, imaps_front(imap, ctx) as port:
        monkeypatch.setenv(PASSWORD_ENV, imap.password)
        imap.append(REPLY)
        s = _settings(settings, port=port, tls=True, ca_file=str(cert_file))
        validity, fetched = mail.fetch_new("shared", s.outcomes.mailboxes["shared"], 0, None)
        assert validity > 0 and [f.raw for f in fetched] == [REPLY]
        with pytest.raises(mail.MailboxError, match="cannot connect .*CERTIFICATE_VERIFY_FAILED"):
            mail.fetch_new("shared", _settings(settings, port=port, tls=True).outcomes.mailboxes["shared"], 0, None)


def test_starttls_is_required_when_asked_for(settings, tmp_path, monkeypatch):
    with pymap_server(tmp_path, no_tls=True) as imap:
        monkeypatch.setenv(PASSWORD_ENV, imap.password)
        s = _settings(settings, port=imap.port, tls=False, starttls=True)
        with pytest.raises(mail.MailboxError, match="STARTTLS .* failed"):
            mail.fetch_new("shared", s.outcomes.mailboxes["shared"], 0, None)


def test_tls_and_starttls_together_is_a_config_error(settings):
    with pytest.raises(Exception, match="not both"):
        _settings(settings, port=993, tls=True, starttls=True)
