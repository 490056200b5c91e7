"""Settings, read once from ``YORIAI_*`` environment variables.

Nothing needs to be set on a facilitator's laptop: the database is SQLite in ``./data``
and the cookie-signing key is generated there on first run, so a restart keeps every
phone signed in.
"""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _data_dir() -> Path:
    return Path(os.environ.get("YORIAI_DATA_DIR", ROOT / "data")).resolve()


def _secret_key(data_dir: Path) -> str:
    """The key that signs cookies: from the environment, else kept in the data folder."""
    if key := os.environ.get("YORIAI_SECRET_KEY"):
        return key
    path = data_dir / "secret.key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        # O_EXCL: when several workers start at once, the first one's key wins and the
        # others read it, so every worker signs cookies with the same key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as file:
                file.write(secrets.token_hex(32))
    for _ in range(50):  # another worker may be between creating the file and writing it
        if key := path.read_text().strip():
            return key
        time.sleep(0.01)
    raise RuntimeError(f"{path} is empty: delete it or set YORIAI_SECRET_KEY")


@dataclass(frozen=True)
class Settings:
    data_dir: Path = field(default_factory=_data_dir)
    database_url: str = ""
    secret_key: str = ""
    #: Extra origins allowed to open websockets (comma-separated), besides the page's own host.
    allowed_origins: tuple[str, ...] = ()
    #: Set to 1 behind TLS so cookies are marked Secure.
    secure_cookies: bool = False
    #: The address phones should open (e.g. http://192.168.1.20:8000), shown in the QR code.
    #: ``yoriai serve`` finds it when unset; otherwise the address the page was opened with.
    public_url: str = ""
    #: Redis (redis://host:6379/0) shared by several workers: live boards and rate limits.
    #: Empty: both in memory, which is right for one process.
    channels_url: str = ""
    #: Addresses of reverse proxies whose X-Forwarded-For / -Proto are believed (comma-separated,
    #: e.g. 127.0.0.1 for nginx on the same machine). Empty: none, so no client can choose the
    #: address its rate limits are counted under.
    trusted_proxies: str = ""
    debug: bool = False

    @classmethod
    def from_env(cls) -> Settings:
        data_dir = _data_dir()
        url = os.environ.get("YORIAI_DATABASE_URL") or f"sqlite+aiosqlite:///{data_dir / 'yoriai.db'}"
        origins = tuple(
            o.strip() for o in os.environ.get("YORIAI_ALLOWED_ORIGINS", "").split(",") if o.strip()
        )
        return cls(
            data_dir=data_dir,
            database_url=url,
            secret_key=_secret_key(data_dir),
            allowed_origins=origins,
            secure_cookies=os.environ.get("YORIAI_SECURE_COOKIES", "") == "1",
            public_url=os.environ.get("YORIAI_PUBLIC_URL", "").rstrip("/"),
            channels_url=os.environ.get("YORIAI_CHANNELS_URL", ""),
            trusted_proxies=os.environ.get("YORIAI_TRUSTED_PROXIES", "").strip(),
            debug=os.environ.get("YORIAI_DEBUG", "") == "1",
        )

    @classmethod
    def from_env_with(cls, env: dict[str, str]) -> Settings:
        """Settings as another process with this environment would read them (tests, tools)."""
        saved = dict(os.environ)
        try:
            os.environ.clear()
            os.environ.update(env)
            return cls.from_env()
        finally:
            os.environ.clear()
            os.environ.update(saved)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
