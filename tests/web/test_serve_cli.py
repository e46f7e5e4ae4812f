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
    proc = subprocess.Popen([str(DEVOCARE), "serve", "--host", "127.0.0.1", "--port", str(port)], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
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
