"""Browser tests: a real yoriai server process and Debian's chromium driven by Playwright.

Playwright's own browser download is not used (and cannot work offline): the tests launch
/usr/bin/chromium. Without it they skip on a developer's machine, and fail on CI=true.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
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


def _server_env(data_dir: Path, port: int) -> dict[str, str]:
    env = {**os.environ, "YORIAI_DATA_DIR": str(data_dir), "YORIAI_PUBLIC_URL": f"http://127.0.0.1:{port}"}
    env.pop("YORIAI_DATABASE_URL", None)
    return env


def _prepare_data(data_dir: Path, *, demo: bool) -> None:
    """What `./start.sh` does before serving: migrate, a staff account, and the demo if asked."""
    env = _server_env(data_dir, 0)
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


@pytest.fixture(scope="session")
def prepared_data(tmp_path_factory: pytest.TempPathFactory) -> dict[bool, Path]:
    """A data folder per kind of server (with or without the demo), made once by the real commands
    and copied for each test: three command-line runs cost a few seconds on this 2-core machine,
    a copy a few milliseconds."""
    folders: dict[bool, Path] = {}
    for demo in (False, True):
        folder = tmp_path_factory.mktemp("demo-data" if demo else "data")
        _prepare_data(folder, demo=demo)
        folders[demo] = folder
    return folders


def _serve(tmp_path: Path, prepared: dict[bool, Path], *, demo: bool = False) -> Iterator[LiveServer]:
    port = free_port()
    shutil.copytree(prepared[demo], tmp_path, dirs_exist_ok=True)
    server = LiveServer(f"http://127.0.0.1:{port}", _server_env(tmp_path, port))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def live_server(tmp_path: Path, prepared_data: dict[bool, Path]) -> Iterator[LiveServer]:
    yield from _serve(tmp_path, prepared_data)


@pytest.fixture
def demo_server(tmp_path: Path, prepared_data: dict[bool, Path]) -> Iterator[LiveServer]:
    """A server holding the demo data (server/demo.py): a sample session with notes, a group,
    a project and visions. Its account (DEMO) has every role."""
    yield from _serve(tmp_path, prepared_data, demo=True)


#: The browser's own words when the network or the server is away (Chromium's console). They are
#: errors of the page everywhere except inside ``browser.network_down()``.
NETWORK_ERRORS = ("Failed to load resource: net::ERR_", "WebSocket connection to ")


class WatchedBrowser:
    """The browser, with every page's console watched: a Content-Security-Policy violation, any
    other console error (``console.error``, htmx's error events, a failed load, a 404) or an
    uncaught exception fails the test. A test that takes the server down or a phone offline says
    so around those steps with ``with browser.network_down():``, which allows the browser's own
    network errors there and nowhere else. Console messages reach the test asynchronously: end
    the block after waiting on each page (e.g. for its connection line), so that what the page
    logged while the network was away has arrived."""

    def __init__(self, browser: Any) -> None:
        self._browser = browser
        self.violations: list[str] = []
        self.errors: list[str] = []
        self._allowed: list[tuple[str, ...]] = []

    def new_context(self, **options: Any) -> Any:
        context = self._browser.new_context(**options)
        context.on("console", self._watch)
        context.on("weberror", self._uncaught)
        return context

    @contextmanager
    def expecting_errors(self, *fragments: str) -> Iterator[None]:
        """Console errors containing one of these fragments are expected inside the block."""
        self._allowed.append(fragments)
        try:
            yield
        finally:
            self._allowed.remove(fragments)

    def network_down(self) -> AbstractContextManager[None]:
        """The server is down or a page is offline inside the block: its network errors are expected."""
        return self.expecting_errors(*NETWORK_ERRORS)

    def _watch(self, message: Any) -> None:
        if message.type != "error":
            return
        if "Content Security Policy" in message.text:
            self.violations.append(message.text)
        elif not any(fragment in message.text for allowed in self._allowed for fragment in allowed):
            self.errors.append(f"{message.location.get('url', '')}: {message.text}")

    def _uncaught(self, error: Any) -> None:
        self.errors.append(f"uncaught: {error.error}")


@pytest.fixture
def browser(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    # The test's server is started first, so that it stops after the browser has closed: a server
    # going away at the end of a test is not an error of its pages.
    for server in ("live_server", "demo_server"):
        if server in request.fixturenames:
            request.getfixturevalue(server)
    executable = chromium_path()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        watched = WatchedBrowser(b)
        yield watched
        b.close()
        assert watched.violations == [], watched.violations
        assert watched.errors == [], "console errors:\n" + "\n".join(watched.errors)


PHONE = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    "locale": "ja-JP",
}
PROJECTOR = {"viewport": {"width": 1920, "height": 1080}, "locale": "ja-JP"}
