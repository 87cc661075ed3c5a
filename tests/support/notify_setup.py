"""Rows and servers the notification tests share: a candidate with an encrypted email and phone, a job,
an application, a claimed ``notify`` task, and a self-signed certificate for SMTP over TLS."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
from pathlib import Path
from typing import Any

from psycopg.types.json import Jsonb

from core import queue
from core.crypto import load_cipher
from core.models import Task

PHONE = "+91 98765 43210"
PHONE_DIGITS = "919876543210"
EMAIL = "asha.rao@example.test"


def add_candidate(db: Any, settings: Any, *, email: str | None = EMAIL, phone: str | None = PHONE,
                  name: str = "Asha Rao", policy: str = "when_uncertain") -> int:
    cipher = load_cipher(settings)
    row = db.one(
        """INSERT INTO candidates (full_name, email_enc, email_hash, phone_enc, apply_policy)
           VALUES (%s, %s, %s, %s, %s) RETURNING id""",
        (name, cipher.encrypt(email, context=b"email"), cipher.lookup_hash(email) if email else None,
         cipher.encrypt(phone, context=b"phone"), policy))
    return int(row["id"])


def add_application(db: Any, candidate_id: int, *, title: str = "Data Engineer", company: str = "Acme & Sons",
                    documents: dict[str, Any] | None = None, status: str = "submitted") -> int:
    job = db.one("""INSERT INTO jobs (canonical_key, source, company, title) VALUES (%s, 'test', %s, %s)
                    RETURNING id""", (f"test:{candidate_id}:{title}:{company}", company, title))
    app = db.one("""INSERT INTO applications (candidate_id, job_id, status, documents) VALUES (%s, %s, %s, %s)
                    RETURNING id""", (candidate_id, job["id"], status, Jsonb(documents or {})))
    return int(app["id"])


def claim_notify(db: Any, runner: str = "test-runner", lease_s: float = 60) -> Task:
    tasks = queue.claim(db, ["notify"], 1, runner, lease_s)
    assert tasks, "no notify task to claim"
    return tasks[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def self_signed(tmp: Path) -> tuple[ssl.SSLContext, Path]:
    """A server TLS context for 127.0.0.1 and the certificate file a client trusts it with."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp / "smtp-cert.pem", tmp / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert_path, key_path)
    return ctx, cert_path
