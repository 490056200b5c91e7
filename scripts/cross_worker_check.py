"""See a board shared across two yoriai workers without a browser (docs/deploy.md, step 9).

    .venv/bin/python scripts/cross_worker_check.py http://localhost:8001 http://localhost:8002

As the demo facilitator it opens a new session through worker B, joins it as a phone through
B, listens to the board on worker A's websocket, posts a note through B and prints how long
the note took to reach A. Exits 1 if it never arrives.
"""

from __future__ import annotations

import argparse
import re
import sys
import time

import httpx
from websockets.sync.client import connect

DEMO = ("demo@yoriai.example", "yoriai-demo")


def post(client: httpx.Client, path: str, data: dict[str, str], **headers: str) -> httpx.Response:
    token = re.search(r'name="_csrf_token" value="([^"]+)"', client.get("/").text)
    assert token, "no CSRF token: is this a yoriai server?"
    return client.post(path, data=data, headers={"x-csrftoken": token.group(1), **headers})


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("worker_a")
    parser.add_argument("worker_b")
    parser.add_argument("--email", default=DEMO[0])
    parser.add_argument("--password", default=DEMO[1])
    args = parser.parse_args()
    staff = httpx.Client(base_url=args.worker_b, timeout=10)
    if post(staff, "/signin", {"email": args.email, "password": args.password}).status_code != 303:
        print("sign-in failed: load the demo data (yoriai demo) or give --email/--password", file=sys.stderr)
        return 1
    created = post(
        staff, "/f/sessions", {"kind": "roundtable", "district_id": "tsurukawa", "title": "ワーカー確認"}
    )
    meeting = created.headers["location"].rsplit("/", 1)[1]
    post(staff, f"/f/sessions/{meeting}/open", {})
    code = re.search(
        r'参加コード <strong class="mono">(\d{3}) (\d{3})', staff.get(f"/f/sessions/{meeting}").text
    )
    assert code
    phone = httpx.Client(base_url=args.worker_b, timeout=10)
    post(phone, f"/join/{code.group(1)}{code.group(2)}", {"skip": "1"})
    cookie = "; ".join(f"{k}={v}" for k, v in phone.cookies.items())
    ws_url = args.worker_a.replace("http", "ws", 1) + f"/ws/boards/{meeting}?after=0"
    text = f"ワーカーBから {time.strftime('%H:%M:%S')}"
    with connect(ws_url, additional_headers={"Cookie": cookie}, open_timeout=5) as on_a:
        on_a.recv(timeout=5)  # the catch-up
        sent = time.monotonic()
        post(phone, f"/b/{meeting}/notes", {"kind": "idea", "text": text}, accept="application/json")
        deadline = sent + 5
        try:
            while text not in str(on_a.recv(timeout=max(deadline - time.monotonic(), 0.01))):
                pass
        except TimeoutError:
            print(
                "the note never reached worker A: is YORIAI_CHANNELS_URL the same Redis for both?",
                file=sys.stderr,
            )
            return 1
    ms = (time.monotonic() - sent) * 1000
    print(
        f"session {meeting}: a note posted through {args.worker_b} reached a phone on {args.worker_a} in {ms:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
