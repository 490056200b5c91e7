"""Page weight: bytes a phone downloads on a first visit, and when it first paints, on a slow network.

    .venv/bin/python bench/pageweight.py
    .venv/bin/python bench/pageweight.py --down-kbps 400 --rtt-ms 400 --url http://127.0.0.1:8000 --code 123456

Run by hand, not by the tests. Without --url it starts yoriai itself (SQLite, a temporary data
directory, `yoriai demo` loaded) and uses the demo session. It drives Debian's chromium through
Playwright with Chromium's own network emulation (CDP Network.emulateNetworkConditions; the default
profile is a slow mobile link: 400 kbit/s down, 400 kbit/s up, 400 ms round trip) and counts what
Chromium reports in Network.loadingFinished (encodedDataLength: bytes on the wire, headers and
compression included) for every request of the page: HTML, scripts, styles, images, fragments
the page fetches itself. Websocket frames are counted apart. Each page is loaded with an empty
cache. First render is the page's first-contentful-paint (Paint Timing API).

  join_bytes       the join page a phone opens from the QR code (empty cache)
  phone_bytes      the phone's board page (empty cache, after joining)
  projector_bytes  the projector page, signed in as a facilitator (empty cache)

The last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.browser.conftest import CHROMIUM_ARGS, PHONE, PROJECTOR
from tests.live_server import ROOT, LiveServer, free_port

DEMO_EMAIL, DEMO_PASSWORD = "demo@yoriai.example", "yoriai-demo"


class Meter:
    """Bytes per request of one page, from the Chrome DevTools Protocol."""

    def __init__(self, page: Any, down_kbps: float, up_kbps: float, rtt_ms: float) -> None:
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.cdp.send(
            "Network.emulateNetworkConditions",
            {
                "offline": False,
                "latency": rtt_ms,
                "downloadThroughput": down_kbps * 1000 / 8,
                "uploadThroughput": up_kbps * 1000 / 8,
            },
        )
        self.urls: dict[str, str] = {}
        self.bytes: dict[str, int] = {}
        self.ws_bytes = 0
        self.cdp.on(
            "Network.requestWillBeSent", lambda e: self.urls.setdefault(e["requestId"], e["request"]["url"])
        )
        self.cdp.on(
            "Network.responseReceived", lambda e: self.urls.setdefault(e["requestId"], e["response"]["url"])
        )
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.on("Network.webSocketFrameReceived", self._frame)

    def _finished(self, event: dict[str, Any]) -> None:
        self.bytes[event["requestId"]] = int(event["encodedDataLength"])

    def _frame(self, event: dict[str, Any]) -> None:
        self.ws_bytes += len(event["response"]["payloadData"].encode())

    def reset(self) -> None:
        """Forget what was counted and empty the cache: the next load is a first visit."""
        self.cdp.send("Network.clearBrowserCache")
        self.urls.clear()
        self.bytes.clear()
        self.ws_bytes = 0

    def load(self, page: Any, url: str, settle: float) -> dict[str, Any]:
        self.reset()
        page.goto(url, wait_until="load", timeout=120_000)
        time.sleep(settle)  # what the page fetches after load (panels, the websocket's first message)
        paint = page.evaluate(
            "() => (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime || null"
        )
        files = {self.urls.get(k, k): v for k, v in self.bytes.items()}
        return {
            "bytes": sum(files.values()),
            "first_render_ms": round(paint) if paint else None,
            "requests": len(files),
            "files": {
                re.sub(r"^https?://[^/]+", "", u): n for u, n in sorted(files.items(), key=lambda x: -x[1])
            },
            "websocket_bytes": self.ws_bytes,
        }


def start_server() -> tuple[LiveServer, str]:
    port = free_port()
    data = tempfile.mkdtemp(prefix="yoriai-pageweight-")
    env = {**os.environ, "YORIAI_DATA_DIR": data, "YORIAI_PUBLIC_URL": f"http://127.0.0.1:{port}"}
    env.pop("YORIAI_DATABASE_URL", None)
    run = [sys.executable, "-m", "server.cli"]
    subprocess.run([*run, "migrate"], cwd=ROOT, env=env, check=True, capture_output=True)
    demo = subprocess.run(
        [*run, "demo"], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout
    code = re.search(r"参加コード (\d+)", demo)
    assert code, f"no join code in: {demo}"
    server = LiveServer(f"http://127.0.0.1:{port}", env)
    server.start()
    return server, code.group(1)


def measure(url: str, code: str, args: argparse.Namespace) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    network = (args.down_kbps, args.up_kbps, args.rtt_ms)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        phone = browser.new_context(**PHONE).new_page()
        meter = Meter(phone, *network)
        join = meter.load(phone, f"{url}/join/{code}", args.settle)
        phone.get_by_role("button", name="何も入れずに参加する").click()
        phone.wait_for_url(re.compile(r"/b/\d+$"), timeout=120_000)
        board_url = phone.url
        meeting = board_url.rsplit("/", 1)[1]
        board = meter.load(phone, board_url, args.settle)

        staff = browser.new_context(**PROJECTOR).new_page()
        staff.goto(f"{url}/signin")
        staff.fill("#email", args.email)
        staff.fill("#password", args.password)
        staff.get_by_role("button", name="サインイン").click()
        staff.wait_for_load_state()
        projector = Meter(staff, *network).load(staff, f"{url}/f/sessions/{meeting}/projector", args.settle)
        browser.close()
    return {"join": join, "phone": board, "projector": projector}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="a yoriai server already running (with --code and a facilitator)")
    parser.add_argument("--code", help="with --url: the join code of an open session")
    parser.add_argument("--email", default=DEMO_EMAIL)
    parser.add_argument("--password", default=DEMO_PASSWORD)
    parser.add_argument("--down-kbps", type=float, default=400)
    parser.add_argument("--up-kbps", type=float, default=400)
    parser.add_argument("--rtt-ms", type=float, default=400)
    parser.add_argument("--settle", type=float, default=3, help="seconds to wait after the load event")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    server = None
    if args.url:
        url, code = args.url.rstrip("/"), args.code
        assert code, "--url needs --code"
    else:
        server, code = start_server()
        url = server.url
    try:
        pages = measure(url, code, args)
    finally:
        if server:
            server.stop()
    for name, figures in pages.items():
        print(
            f"{name}: {figures['bytes']} bytes in {figures['requests']} requests, first render {figures['first_render_ms']} ms"
        )
        for path, size in figures["files"].items():
            print(f"    {size:8d}  {path}")
    print(
        json.dumps(
            {
                "phone_bytes": pages["phone"]["bytes"],
                "phone_first_render_ms": pages["phone"]["first_render_ms"],
                "join_bytes": pages["join"]["bytes"],
                "join_first_render_ms": pages["join"]["first_render_ms"],
                "projector_bytes": pages["projector"]["bytes"],
                "projector_first_render_ms": pages["projector"]["first_render_ms"],
                "phone_websocket_bytes": pages["phone"]["websocket_bytes"],
                "network": f"{args.down_kbps:g} kbit/s down, {args.up_kbps:g} kbit/s up, {args.rtt_ms:g} ms RTT",
            }
        )
    )


if __name__ == "__main__":
    main()
