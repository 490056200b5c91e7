"""Shared fixtures: a fresh migrated database per test, the app, and people who use it."""

from __future__ import annotations

import re
import shutil
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.service import create_user
from server.app import create_app
from server.config import Settings
from server.db import make_engine, make_sessionmaker
from server.migrate import upgrade
from tests.engines import Postgres, Redis, start_postgres, start_redis

FACILITATOR_EMAIL = "fac@example.jp"
FACILITATOR_PASSWORD = "correct horse battery"


#: Test modules whose database and live-board tests run on SQLite and on PostgreSQL.
#: (Browser, crash and pure-function tests stay on SQLite: the engine changes nothing there.)
BOTH_ENGINES = {
    "test_abuse",
    "test_city",
    "test_http",
    "test_live",
    "test_meeting_flow",
    "test_matching",
    "test_meeting_flow_http",
    "test_permissions",
    "test_privacy",
    "test_projects",
    "test_projects_http",
    "test_properties",
    "test_screened",
    "test_services",
    "test_tables",
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    if "backend" in metafunc.fixturenames and module in BOTH_ENGINES:
        metafunc.parametrize("backend", ["sqlite", "postgres"])


@pytest.fixture
def backend() -> str:
    """The database engine of a test: SQLite unless its module runs on both."""
    return "sqlite"


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    server = start_postgres()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[Redis]:
    server = start_redis()
    yield server
    server.stop()


@pytest.fixture(scope="session", autouse=True)
def _quick_password_hashes() -> Iterator[None]:
    """Staff passwords hashed with argon2id at its lowest cost in the test process.

    The product's cost (argon2-cffi's defaults) takes 0.2-0.3 s per hash and the same to verify on
    this 2-core machine; most HTTP tests create a facilitator and sign in, which made about a
    minute and a half of the suite. The hash is still argon2id, checked by the same code (a hash
    records its own cost, so verifying it is quick too). Servers the browser tests start in their
    own process keep the product's cost."""
    from argon2 import PasswordHasher

    from server.accounts import service

    product_hasher = service._hasher
    service._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    yield
    service._hasher = product_hasher


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite database brought to the newest schema, copied for each test that needs one.

    Running the migrations takes about 0.25 s; copying the file takes a millisecond. Migrations
    themselves are tested in tests/test_migrations.py, from an empty database."""
    folder = tmp_path_factory.mktemp("migrated")
    path = folder / "template.db"
    upgrade(
        Settings(
            data_dir=folder,
            database_url=f"sqlite+aiosqlite:///{path}",
            secret_key="test-secret-key-0123456789abcdef",
        )
    )
    with sqlite3.connect(path) as connection:  # everything in the one file, nothing left in a -wal
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return path


@pytest.fixture
def settings(
    request: pytest.FixtureRequest, backend: str, tmp_path: Path, migrated_sqlite: Path
) -> Iterator[Settings]:
    if backend == "postgres":
        postgres: Postgres = request.getfixturevalue("postgres")
        name = postgres.fresh_database()
        yield Settings(
            data_dir=tmp_path, database_url=postgres.url(name), secret_key="test-secret-key-0123456789abcdef"
        )
        postgres.drop(name)
        return
    s = Settings(
        data_dir=tmp_path,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'test.db'}",
        secret_key="test-secret-key-0123456789abcdef",
    )
    shutil.copyfile(migrated_sqlite, tmp_path / "test.db")
    yield s


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[AsyncSession]:
    engine = make_engine(settings)
    async with make_sessionmaker(engine)() as session:
        yield session
    await engine.dispose()


@pytest.fixture
def app(settings: Settings) -> Litestar:
    return create_app(settings)


@pytest.fixture
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app, base_url="http://testserver.local") as c:
        yield c


def csrf_token(client: TestClient[Litestar], path: str = "/") -> str:
    """The CSRF token a page would give the browser (forms and htmx send it back)."""
    html = client.get(path).text
    match = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def post_form(
    client: TestClient[Litestar],
    path: str,
    data: dict[str, str],
    *,
    htmx: bool = False,
    follow_redirects: bool = False,
    json: bool = False,
):  # type: ignore[no-untyped-def]
    headers = {"x-csrftoken": csrf_token(client)}
    if htmx:
        headers["hx-request"] = "true"
    if json:
        headers["accept"] = "application/json"
    return client.post(path, data=data, headers=headers, follow_redirects=follow_redirects)


def create_facilitator(
    client: TestClient[Litestar], roles: str = "facilitator", email: str = FACILITATOR_EMAIL
) -> None:
    """Create a staff account through the app's own database."""
    import anyio

    async def run() -> None:
        engine = make_engine(client.app.state.settings)
        async with make_sessionmaker(engine)() as session:
            await create_user(session, email, FACILITATOR_PASSWORD, roles=roles)
        await engine.dispose()

    anyio.run(run)


def sign_in(client: TestClient[Litestar], email: str = FACILITATOR_EMAIL) -> None:
    response = post_form(client, "/signin", {"email": email, "password": FACILITATOR_PASSWORD})
    assert response.status_code == 303, response.text


@pytest.fixture
def facilitator(client: TestClient[Litestar]) -> TestClient[Litestar]:
    create_facilitator(client)
    sign_in(client)
    return client


@pytest.fixture
def staff(facilitator: TestClient[Litestar]) -> Person:
    """The facilitator's own browser (their cookies), usable next to participants' phones."""
    person = Person(facilitator)
    person.cookies = facilitator.cookies
    return person


@pytest.fixture
def coordinator(client: TestClient[Litestar]) -> TestClient[Litestar]:
    """A staff member who runs sessions and follows projects (both roles)."""
    create_facilitator(client, roles="facilitator coordinator", email="coord@example.jp")
    sign_in(client, "coord@example.jp")
    return client


def create_open_meeting(client: TestClient[Litestar], **fields: str) -> tuple[int, str]:
    """As the signed-in facilitator: create a Tsurukawa roundtable and open it. (id, join code)"""
    data = {
        "kind": "roundtable",
        "district_id": "tsurukawa",
        "title": "鶴川地区 地区別懇談会",
        "question": "10年後の鶴川は？",
        "held_on": "2026-11-24",
        "venue": "鶴川市民センター",
        "programme": "district-roundtable",
        **fields,
    }
    response = post_form(client, "/f/sessions", data)
    assert response.status_code == 303, response.text
    meeting_id = int(response.headers["location"].rsplit("/", 1)[1])
    assert post_form(client, f"/f/sessions/{meeting_id}/open", {}).status_code == 303
    page = client.get(f"/f/sessions/{meeting_id}").text
    code = re.search(r'参加コード <strong class="mono">(\d{3}) (\d{3})</strong>', page)
    assert code
    return meeting_id, code.group(1) + code.group(2)


class Person:
    """Someone with their own cookies (their own phone), using the one test client in turn."""

    def __init__(self, client: TestClient[Litestar]) -> None:
        import httpx

        self.client = client
        self.cookies = httpx.Cookies()

    def __enter__(self) -> TestClient[Litestar]:
        self._saved = self.client.cookies
        self.client.cookies = self.cookies
        return self.client

    def __exit__(self, *exc: object) -> None:
        self.cookies = self.client.cookies
        self.client.cookies = self._saved


def join_as(client: TestClient[Litestar], code: str, nickname: str = "") -> Person:
    """A new phone that joins the session with this code; returns that person."""
    person = Person(client)
    with person as c:
        response = post_form(c, f"/join/{code}", {"nickname": nickname, "affiliation": ""})
        assert response.status_code == 303, response.text
    return person


def send_note(
    client: TestClient[Litestar], meeting_id: int, text: str, kind: str = "idea", client_id: str = ""
):  # type: ignore[no-untyped-def]
    """Post a note as a phone's outbox does (JSON answer)."""
    data = {"kind": kind, "text": text, "client_id": client_id}
    return post_form(client, f"/b/{meeting_id}/notes", data, json=True)
