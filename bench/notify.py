"""Notification throughput on one embedded Postgres: outbox writes per second (rows and their send tasks,
in the causing transactions) and delivered WhatsApp messages per second through a real in-process runner
against a loopback WAHA fake (number check, marker commit, provider call, acceptance commit per message).

    python bench/notify.py [--messages N] [--concurrency C]

The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != REPO / "bench"]
sys.path.insert(0, str(REPO))

from core.config import load_settings  # noqa: E402
from core.crypto import generate_key, load_cipher  # noqa: E402
from core.db import Database, ensure_embedded, migrate, stop_embedded  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=500)
    ap.add_argument("--concurrency", type=int, default=4)
    args = ap.parse_args()

    from core.notify import outbox
    from runners.runner import run_until_idle
    from tests.support.wa_fakes import FakeWhatsApp

    tmp = Path(tempfile.mkdtemp(prefix="talvix-bench-notify-"))
    url = ensure_embedded(tmp / "pg")
    waha = FakeWhatsApp("waha").start()
    os.environ.update({**waha.env(), "TALVIX_NOTIFY_WHATSAPP_PER_MINUTE": "0"})
    try:
        key = generate_key()
        settings = load_settings(data_dir=tmp / "data", database_url=url, encryption_key=key)
        db = Database(url, min_size=1, max_size=args.concurrency + 6)
        migrate(db)
        cipher = load_cipher(settings)
        n = args.messages
        with db.transaction() as conn:
            for i in range(n):
                phone = f"+9198{i:08d}"
                cid = conn.execute(
                    "INSERT INTO candidates (full_name, phone_enc) VALUES (%s, %s) RETURNING id",
                    (f"Candidate {i}", cipher.encrypt(phone, context=b"phone"))).fetchone()["id"]
                conn.execute("""INSERT INTO notification_prefs (candidate_id, channels, quiet_start, quiet_end)
                                VALUES (%s, '{whatsapp}', '00:00', '00:00')""", (cid,))
        ids = [r["id"] for r in db.execute("SELECT id FROM candidates ORDER BY id")]

        t0 = time.perf_counter()
        for start in range(0, n, 50):  # 50 causing events per transaction
            with db.transaction() as conn:
                for cid in ids[start:start + 50]:
                    outbox.notify(conn, template="weekly_summary", candidate_id=cid, period="2026-W49",
                                  context={"week": "2026-W49", "submitted": 3})
        write_s = time.perf_counter() - t0

        t0 = time.perf_counter()
        run_until_idle(settings, db, ["notify"], concurrency=args.concurrency, timeout_s=600)
        send_s = time.perf_counter() - t0
        sent = db.one("SELECT count(*) AS n FROM notifications WHERE status = 'sent'")["n"]
        assert sent == n == len(waha.state.sent), (sent, n, len(waha.state.sent))
        db.close()
    finally:
        waha.stop()
        stop_embedded(tmp / "pg")
    figures = {"messages": n, "concurrency": args.concurrency,
               "outbox_writes_per_s": round(n / write_s, 1), "delivered_per_s": round(n / send_s, 1),
               "ms_per_message": round(1000 * send_s / n, 2)}
    print(f"outbox: {figures['outbox_writes_per_s']} notifications/s written (row + task + event, 50 per transaction)")
    print(f"delivery: {figures['delivered_per_s']} WhatsApp messages/s with {args.concurrency} workers "
          f"({figures['ms_per_message']} ms each, wall)")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
