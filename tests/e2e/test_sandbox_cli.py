"""``talvix sandbox`` serves the job board from the shell until interrupted."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import httpx

from tests.support.common import REPO, talvix_cmd


def default_sigint() -> None:
    """In the child, before Python starts: Ctrl-C as a terminal gives it. A suite started in the background
    (`./scripts/test &`) inherits SIGINT ignored, and Python then installs no KeyboardInterrupt handler."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def sandbox_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALVIX_")}
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def test_sandbox_command_prints_url_and_boards_and_records_to_data_dir(tmp_path: Path) -> None:
    data = tmp_path / "subs"
    proc = subprocess.Popen(talvix_cmd("sandbox", "--port", "0", "--json", "--data", str(data)), cwd=tmp_path,
                            env=sandbox_env(), preexec_fn=default_sigint, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        banner = json.loads(proc.stdout.readline())
        assert banner["url"].startswith("http://127.0.0.1:")
        sources = {s["source"] for s in banner["sources"]}
        assert {"greenhouse:acmepay", "greenhouse:zestcloud", "lever:kitebyte", "ashby:nimbuslabs"} <= sources
        jobs = httpx.get(banner["url"] + "/_sandbox/jobs").json()
        gh = next(j for j in jobs if j["key"] == "gh-backend")
        httpx.post(gh["url"].removesuffix("/") + "/application", data={"job_application[first_name]": "A"})
        r = httpx.post(banner["url"] + "/_sandbox/faults", json={"kind": "slow", "delay_ms": 1})
        assert r.status_code == 201
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert json.loads((data / "rejected.jsonl").read_text().splitlines()[0])["job"] == "gh-backend"


def test_sandbox_command_prints_a_human_banner(tmp_path: Path) -> None:
    proc = subprocess.Popen(talvix_cmd("sandbox", "--port", "0", "--quiet"), cwd=tmp_path, env=sandbox_env(), preexec_fn=default_sigint,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline()
        lines = [proc.stdout.readline() for _ in range(8)]
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=15)
    assert first.startswith("Talvix sandbox job board: http://127.0.0.1:")
    assert any("lever:kitebyte" in line for line in lines)


def test_busy_port_is_a_one_line_error(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = subprocess.run(talvix_cmd("sandbox", "--port", str(port)), cwd=tmp_path, env=sandbox_env(), preexec_fn=default_sigint,
                           capture_output=True, text=True, timeout=30)
    assert r.returncode != 0
    assert f"cannot listen on 127.0.0.1:{port}" in r.stderr and "--port" in r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) <= 2


def test_data_path_that_is_a_file_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "file.txt"
    f.write_text("x")
    r = subprocess.run(talvix_cmd("sandbox", "--port", "0", "--data", str(f)), cwd=tmp_path, env=sandbox_env(), preexec_fn=default_sigint,
                       capture_output=True, text=True, timeout=30)
    assert r.returncode != 0 and "is a file" in r.stderr
