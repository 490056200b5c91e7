"""Browser tests: a real yoriai server process and Debian's chromium driven by Playwright.

Playwright's own browser download is not used (and cannot work offline): the tests launch
/usr/bin/chromium. Without it they skip on a developer's machine, and fail on CI=true.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.live_server import LiveServer, cli, free_port

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
DEMO = ("demo@yoriai.example", "yoriai-demo")


def chromium_path() -> str:
    path = os.environ.get("YORIAI_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return path
    message = "Debian's chromium is needed for browser tests: apt-get install chromium fonts-noto-cjk"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def _serve(tmp_path: Path, *, demo: bool = False) -> Iterator[LiveServer]:
    port = free_port()
    env = {**os.environ, "YORIAI_DATA_DIR": str(tmp_path), "YORIAI_PUBLIC_URL": f"http://127.0.0.1:{port}"}
    env.pop("YORIAI_DATABASE_URL", None)
    cli(env, "migrate")
    cli(
        env,
        "create-user",
        "--email",
        FACILITATOR[0],
        "--password",
        FACILITATOR[1],
        "--roles",
        "facilitator coordinator",
    )
    if demo:
        cli(env, "demo")
    server = LiveServer(f"http://127.0.0.1:{port}", env)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    yield from _serve(tmp_path)


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A server holding the demo data (server/demo.py): a sample session with notes, a group,
    a project and visions. Its account (DEMO) has every role."""
    yield from _serve(tmp_path, demo=True)


class WatchedBrowser:
    """The browser, with every page's Content-Security-Policy violations collected:
    a page of ours that breaks its own policy fails the test."""

    def __init__(self, browser: Any) -> None:
        self._browser = browser
        self.violations: list[str] = []

    def new_context(self, **options: Any) -> Any:
        context = self._browser.new_context(**options)
        context.on("console", self._watch)
        return context

    def _watch(self, message: Any) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.violations.append(message.text)


@pytest.fixture
def browser():  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        watched = WatchedBrowser(b)
        yield watched
        b.close()
        assert watched.violations == [], watched.violations


PHONE = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    "locale": "ja-JP",
}
PROJECTOR = {"viewport": {"width": 1920, "height": 1080}, "locale": "ja-JP"}
