"""Nothing lost: the server is killed (SIGKILL) while phones post; every acknowledged note survives once."""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import httpx

from tests.live_server import LiveServer, cli, free_port

PHONES = 4
NOTES_PER_PHONE = 15


def _token(client: httpx.Client, path: str = "/") -> str:
    return re.search(r'name="_csrf_token" value="([^"]+)"', client.get(path).text).group(1)  # type: ignore[union-attr]


def _post(client: httpx.Client, path: str, data: dict[str, str], **headers: str) -> httpx.Response:
    return client.post(path, data=data, headers={"x-csrftoken": _token(client), **headers})


def test_a_killed_server_keeps_every_acknowledged_note_exactly_once(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "YORIAI_DATA_DIR": str(tmp_path), "YORIAI_PUBLIC_URL": f"http://127.0.0.1:{port}"}
    env.pop("YORIAI_DATABASE_URL", None)
    cli(env, "migrate")
    cli(env, "create-user", "--email", "crash@example.jp", "--password", "crash-test-pw")
    server = LiveServer(f"http://127.0.0.1:{port}", env)
    server.start()
    try:
        staff = httpx.Client(base_url=server.url)
        _post(staff, "/signin", {"email": "crash@example.jp", "password": "crash-test-pw"})
        created = _post(
            staff, "/f/sessions", {"kind": "roundtable", "district_id": "tsurukawa", "title": "停電テスト"}
        )
        meeting = created.headers["location"].rsplit("/", 1)[1]
        _post(staff, f"/f/sessions/{meeting}/open", {})
        code = re.search(
            r'参加コード <strong class="mono">(\d{3}) (\d{3})', staff.get(f"/f/sessions/{meeting}").text
        )
        assert code
        phones = []
        for _ in range(PHONES):
            phone = httpx.Client(base_url=server.url, timeout=5)
            _post(phone, f"/join/{code.group(1)}{code.group(2)}", {"skip": "1"})
            phones.append(phone)

        acknowledged: set[str] = set()
        sent: list[tuple[httpx.Client, str, str]] = []
        lock = threading.Lock()

        def post_all(index: int, phone: httpx.Client) -> None:
            for n in range(NOTES_PER_PHONE):
                text, client_id = f"電話{index}の付箋{n}", f"phone{index:02d}-note{n:03d}"
                with lock:
                    sent.append((phone, text, client_id))
                try:
                    answer = _post(
                        phone,
                        f"/b/{meeting}/notes",
                        {"kind": "idea", "text": text, "client_id": client_id},
                        accept="application/json",
                    )
                except httpx.HTTPError:
                    return  # the server is gone: the phone keeps the rest in its outbox
                if answer.status_code == 200:
                    with lock:
                        acknowledged.add(text)
                elif answer.status_code == 429:
                    threading.Event().wait(3)

        threads = [threading.Thread(target=post_all, args=(i, p)) for i, p in enumerate(phones)]
        for thread in threads:
            thread.start()
        while len(acknowledged) < PHONES * 3:  # the meeting is well under way
            threading.Event().wait(0.05)
        server.kill()
        for thread in threads:
            thread.join(timeout=30)
        server.start()

        board = phones[0].get(f"/b/{meeting}").text
        for text in acknowledged:
            assert board.count(f">{text}<") == 1, f"acknowledged note lost or doubled: {text}"
        # The phones send again whatever they are not sure of: still once each.
        for phone, text, client_id in sent:
            answer = _post(
                phone,
                f"/b/{meeting}/notes",
                {"kind": "idea", "text": text, "client_id": client_id},
                accept="application/json",
            )
            assert answer.status_code in (200, 429)
        board = phones[0].get(f"/b/{meeting}").text
        for _, text, _ in sent:
            assert board.count(f">{text}<") <= 1, f"doubled after resend: {text}"
        assert len(acknowledged) >= PHONES * 3
    finally:
        server.stop()
