"""Browser tests: a real yoriai server process and Debian's chromium driven by Playwright.

Playwright's own browser download is not used (and cannot work offline): the tests launch
/usr/bin/chromium. Without it they skip on a developer's machine, and fail on CI=true.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
FACILITATOR = ("browser@example.jp", "browser-test-pw")


def chromium_path() -> str:
    path = os.environ.get("YORIAI_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return path
    message = "Debian's chromium is needed for browser tests: apt-get install chromium fonts-noto-cjk"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        port = self.url.rsplit(":", 1)[1]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "serve", "--host", "127.0.0.1", "--port", port],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("the yoriai server did not start")

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def _cli(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "server.cli", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    port = free_port()
    env = {**os.environ, "YORIAI_DATA_DIR": str(tmp_path), "YORIAI_PUBLIC_URL": f"http://127.0.0.1:{port}"}
    env.pop("YORIAI_DATABASE_URL", None)
    _cli(env, "migrate")
    _cli(
        env,
        "create-user",
        "--email",
        FACILITATOR[0],
        "--password",
        FACILITATOR[1],
        "--roles",
        "facilitator coordinator",
    )
    server = LiveServer(f"http://127.0.0.1:{port}", env)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def browser():  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


PHONE = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    "locale": "ja-JP",
}
PROJECTOR = {"viewport": {"width": 1920, "height": 1080}, "locale": "ja-JP"}
