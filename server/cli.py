"""The ``yoriai`` command: serve, migrate, demo, create-user."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence

from server.config import Settings


def cmd_migrate(_: argparse.Namespace) -> int:
    from server.migrate import upgrade

    settings = Settings.from_env()
    upgrade(settings)
    print(f"データベースを最新にしました / database migrated: {_redact(settings.database_url)}")
    return 0


def cmd_create_user(args: argparse.Namespace) -> int:
    from server.accounts.service import create_user

    async def run() -> None:
        async with _sessions() as db:
            await create_user(db, args.email, args.password, display_name=args.name or "", roles=args.roles)

    asyncio.run(run())
    print(f"アカウントを作りました / account created: {args.email} ({args.roles})")
    return 0


def cmd_demo(_: argparse.Namespace) -> int:
    from server.demo import DEMO_EMAIL, DEMO_PASSWORD, load_demo

    async def run() -> str:
        async with _sessions() as db:
            return await load_demo(db)

    print(asyncio.run(run()))
    print(f"デモのファシリテーター / demo facilitator: {DEMO_EMAIL} / {DEMO_PASSWORD}")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from pathlib import Path

    from server.backup import backup

    target = backup(Settings.from_env(), Path(args.path))
    print(f"バックアップしました / backed up to {target}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from pathlib import Path

    from server.backup import restore

    restore(Settings.from_env(), Path(args.path))
    print(f"元に戻しました / restored from {args.path} (サーバーを起動し直してください / restart the server)")
    return 0


def cmd_retention(args: argparse.Namespace) -> int:
    from server.privacy.service import retire_old_notes
    from server.projects.contacts import retire_contacts

    async def run() -> str:
        async with _sessions() as db:
            result = await retire_old_notes(db, months=args.months, remove=args.remove)
            erased = await retire_contacts(db, months=args.contact_months)
        verb = "削除" if args.remove else "匿名化"
        return (
            f"{result.sessions}件の会の付箋{result.notes}枚を{verb}しました / notes retired: {result.notes}\n"
            f"連絡先{erased}件を消しました / contacts erased: {erased}"
        )

    print(asyncio.run(run()))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from server.boards.budget import MAX_MESSAGE_BYTES
    from server.netinfo import phone_url

    settings = Settings.from_env()  # creates data/secret.key once, before any worker reads it
    if args.workers > 1 and not settings.channels_url:
        print(
            "複数のワーカーには Redis が必要です（YORIAI_CHANNELS_URL=redis://…、docs/deploy.md）。"
            " / Several workers need Redis to share the boards: set YORIAI_CHANNELS_URL (see docs/deploy.md).",
            file=sys.stderr,
        )
        return 2
    url = os.environ.get("YORIAI_PUBLIC_URL") or phone_url(args.host, args.port)
    os.environ["YORIAI_PUBLIC_URL"] = url  # the workers inherit it
    print()
    print(f"  yoriai が動いています / yoriai is running: http://localhost:{args.port}")
    print(f"  同じWi-Fiのスマホで開くアドレス / phones on the same Wi-Fi open: {url}")
    if args.workers > 1:
        print(f"  ワーカー / workers: {args.workers}")
    print("  止めるには Ctrl+C / stop with Ctrl+C")
    print()
    uvicorn.run(
        # An import string and a factory: each worker process builds its own app.
        "server.app:create_served_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="warning",
        # X-Forwarded-For and -Proto only from the proxies named in YORIAI_TRUSTED_PROXIES:
        # believed from anyone else, a client would choose the address its limits count under.
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=settings.trusted_proxies or None,
        # Ctrl+C (or a restart) must not hang on phones that keep their websockets open.
        timeout_graceful_shutdown=5,
        # No permessage-deflate on the board sockets: fragments are about 0.5 KB, so compressing
        # each one for each socket gains little on the wire and costs a quarter of the CPU per
        # delivered note and about 45 KB of compressor memory per socket (docs/benchmarks.md).
        ws_per_message_deflate=False,
        # Screens send nothing on the board sockets: a bigger frame is refused (1009) after
        # reading its header only, instead of buffering up to uvicorn's 16 MiB per frame.
        ws_max_size=MAX_MESSAGE_BYTES,
    )
    return 0


def _redact(url: str) -> str:
    # Never print a database password.
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


class _sessions:
    """A database session for one command, closed (and the engine disposed) afterwards."""

    async def __aenter__(self):  # type: ignore[no-untyped-def]
        from server.db import make_engine, make_sessionmaker

        self.engine = make_engine(Settings.from_env())
        self.session = make_sessionmaker(self.engine)()
        return self.session

    async def __aexit__(self, *exc: object) -> None:
        await self.session.close()
        await self.engine.dispose()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="yoriai", description="yoriai: 地区別懇談会と The YORIAI のライブ付箋ボード"
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the product (サーバーを起動)")
    serve.add_argument("--host", default=os.environ.get("YORIAI_HOST", "0.0.0.0"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("YORIAI_PORT", "8000")))
    serve.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("YORIAI_WORKERS", "1")),
        help="worker processes (more than one needs YORIAI_CHANNELS_URL=redis://…)",
    )
    serve.set_defaults(func=cmd_serve)

    commands.add_parser("migrate", help="create or upgrade the database").set_defaults(func=cmd_migrate)
    commands.add_parser("demo", help="load demo data (safe to run again)").set_defaults(func=cmd_demo)

    backup = commands.add_parser("backup", help="copy the SQLite database, safely while serving")
    backup.add_argument("path")
    backup.set_defaults(func=cmd_backup)
    restore = commands.add_parser("restore", help="put a backup back (stop the server first)")
    restore.add_argument("path")
    restore.set_defaults(func=cmd_restore)

    retention = commands.add_parser(
        "retention", help="anonymise (or --remove) notes of sessions closed more than N months ago"
    )
    retention.add_argument("--months", type=int, required=True)
    retention.add_argument(
        "--remove", action="store_true", help="delete the notes instead of anonymising them"
    )
    retention.add_argument(
        "--contact-months",
        type=int,
        default=24,
        help="erase contacts left for projects more than N months ago (default 24, as the consent sentence says)",
    )
    retention.set_defaults(func=cmd_retention)

    user = commands.add_parser("create-user", help="create a staff account")
    user.add_argument("--email", required=True)
    user.add_argument("--password", required=True)
    user.add_argument("--name", default="")
    user.add_argument("--roles", default="facilitator", help='space-separated, e.g. "facilitator"')
    user.set_defaults(func=cmd_create_user)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from server.errors import UserError

    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except UserError as exc:  # a refusal the user can act on: its message, no traceback
        print(exc.message, file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
