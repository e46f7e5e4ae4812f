import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.e2e

DEVOCARE = Path(sys.executable).parent / "devocare"


def test_bad_port_is_one_line_and_exit_2():
    r = subprocess.run([str(DEVOCARE), "serve", "--port", "70000"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and r.stderr.strip().splitlines()[-1].startswith("error: --port")


def test_serve_answers_pages_and_api(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [str(DEVOCARE), "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.time() + 60
        while True:
            try:
                home = httpx.get(f"http://127.0.0.1:{port}/", timeout=30)
                break
            except httpx.HTTPError:
                if time.time() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.3)
        assert home.status_code == 200 and "nhsuk-header" in home.text
        spec = httpx.get(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=30).json()
        assert "/api/v1/simulations" in spec["paths"] and "/api/v1/areas" in spec["paths"]
    finally:
        proc.terminate()
        proc.wait(15)


def test_serve_with_auth_tokens_needs_a_token_from_users_add(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DEVOCARE_DATABASE_URL", "DEVOCARE_DB", "DEVOCARE_AUTH"}
    }
    env["DEVOCARE_DATA_DIR"] = str(tmp_path)  # the default database's folder
    added = subprocess.run(
        [str(DEVOCARE), "users", "add", "alice"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert added.returncode == 0, added.stderr
    token = added.stdout.strip()
    assert token.startswith("dc_") and token not in (tmp_path / "devocare.db").read_bytes().decode("latin-1")
    again = subprocess.run(
        [str(DEVOCARE), "users", "add", "alice"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert again.returncode == 2 and "already exists" in again.stderr
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [str(DEVOCARE), "serve", "--port", str(port), "--auth", "tokens"],
        cwd=tmp_path,
        env={**env, "DEVOCARE_WARM": "0"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                anon = httpx.get(base + "/api/v1/saved/runs", timeout=30)
                break
            except httpx.HTTPError:
                if time.time() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.3)
        assert anon.status_code == 401
        signed = httpx.get(base + "/api/v1/saved/runs", headers={"authorization": f"Bearer {token}"}, timeout=30)
        assert signed.status_code == 200 and signed.json()["total"] == 0
        rebound = httpx.get(base + "/", headers={"host": "attacker.example"}, timeout=30)
        assert rebound.status_code == 400  # loopback server: loopback host names only
    finally:
        proc.terminate()
        proc.wait(15)


def test_serve_refuses_bad_auth_and_workers():
    for args, message in (
        (["--auth", "passwords"], "--auth must be"),
        (["--workers", "0"], "--workers must be between 1 and"),
    ):
        r = subprocess.run([str(DEVOCARE), "serve", *args], capture_output=True, text=True, timeout=60)
        assert r.returncode == 2 and message in r.stderr
