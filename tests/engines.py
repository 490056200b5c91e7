"""Throwaway PostgreSQL and Redis servers for one test session, on loopback.

Started once per session (a PostgreSQL cluster in a temporary folder, a Redis with no
persistence) unless ``YORIAI_TEST_POSTGRES_URL`` / ``YORIAI_TEST_REDIS_URL`` name servers
to use instead. Each test gets a fresh database copied from a migrated template, which
costs a few tens of milliseconds instead of a migration.

Missing binaries skip the tests on a developer machine, with the command that installs
them; with ``CI=true`` they fail the run instead.
"""

from __future__ import annotations

import asyncio
import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.live_server import free_port

INSTALL = "sudo apt-get install postgresql redis-server"
TEMPLATE = "yoriai_template"


def unavailable(what: str) -> None:
    """Skip (developer machine) or fail (CI) when a server the tests need is not installed."""
    message = (
        f"{what} is not installed: `{INSTALL}` (or set YORIAI_TEST_POSTGRES_URL / YORIAI_TEST_REDIS_URL)"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def run_coroutine(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run a coroutine to completion from sync code, even inside a running event loop."""
    result: list[Any] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(coro))
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return result[0]


async def execute_sql(dsn: str, *statements: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(dsn)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


@dataclass
class Postgres:
    """A PostgreSQL server; ``url(db)`` is the SQLAlchemy URL of one of its databases."""

    base: str  # postgresql://user@host:port (no database)
    cluster: Path | None = None
    as_user: list[str] | None = None
    _names = itertools.count(1)

    def dsn(self, database: str) -> str:
        return f"{self.base}/{database}"

    def url(self, database: str) -> str:
        return self.dsn(database).replace("postgresql://", "postgresql+asyncpg://", 1)

    def admin(self, *statements: str) -> None:
        run_coroutine(execute_sql(self.dsn("postgres"), *statements))

    def prepare_template(self) -> None:
        from server.config import Settings
        from server.migrate import upgrade

        self.admin(f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)", f"CREATE DATABASE {TEMPLATE}")
        upgrade(Settings(database_url=self.url(TEMPLATE), secret_key="template"))

    def fresh_database(self) -> str:
        """A new database holding the migrated schema (and the districts); returns its name."""
        name = f"yoriai_test_{os.getpid()}_{next(self._names)}"
        self.admin(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
        return name

    def drop(self, name: str) -> None:
        self.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        if self.cluster is None:
            return
        pg_ctl = str(Path(_pg_bin()) / "pg_ctl")
        subprocess.run(
            [*(self.as_user or []), pg_ctl, "stop", "-D", str(self.cluster / "data"), "-m", "immediate"],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(self.cluster, ignore_errors=True)


def _pg_bin() -> str:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return str(Path(found[-1]).parent) if found else ""


def start_postgres() -> Postgres:
    """The PostgreSQL the tests use: the given URL, or a throwaway cluster started here."""
    if given := os.environ.get("YORIAI_TEST_POSTGRES_URL"):
        server = Postgres(base=given.replace("+asyncpg", "").rsplit("/", 1)[0])
        server.prepare_template()
        return server
    bin_dir = _pg_bin()
    if not bin_dir:
        unavailable("PostgreSQL (initdb)")
    cluster = Path(tempfile.mkdtemp(prefix="yoriai-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        # initdb refuses to run as root (CI runs as root): the cluster belongs to postgres.
        owner = pwd.getpwnam("postgres")
        os.chown(cluster, owner.pw_uid, owner.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    data = cluster / "data"
    initdb = [f"{bin_dir}/initdb", "-D", str(data), "-U", "yoriai", "-A", "trust", "-E", "UTF8"]
    subprocess.run([*as_user, *initdb, "--locale=C.UTF-8", "--no-sync"], check=True, capture_output=True)
    # Durability is pointless for a throwaway cluster: turning it off makes each test quicker.
    options = (
        f"-p {port} -k {cluster} -c listen_addresses=127.0.0.1 -c fsync=off"
        " -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
    )
    subprocess.run(
        [
            *as_user,
            f"{bin_dir}/pg_ctl",
            "start",
            "-w",
            "-D",
            str(data),
            "-l",
            str(cluster / "log"),
            "-o",
            options,
        ],
        check=True,
        capture_output=True,
    )
    server = Postgres(base=f"postgresql://yoriai@127.0.0.1:{port}", cluster=cluster, as_user=as_user)
    server.prepare_template()
    return server


@dataclass
class Redis:
    url: str
    process: subprocess.Popen[bytes] | None = None

    def flush(self) -> None:
        import redis

        with redis.Redis.from_url(self.url) as client:
            client.flushdb()

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def start_redis() -> Redis:
    """The Redis the tests use: the given URL, or a throwaway server with no persistence."""
    import redis

    if given := os.environ.get("YORIAI_TEST_REDIS_URL"):
        return Redis(url=given)
    binary = shutil.which("redis-server")
    if not binary:
        unavailable("Redis (redis-server)")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = Redis(url=f"redis://127.0.0.1:{port}/0", process=process)
    deadline = time.monotonic() + 10
    while True:
        try:
            with redis.Redis.from_url(server.url) as client:
                client.ping()
            return server
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                server.stop()
                raise
            time.sleep(0.05)
