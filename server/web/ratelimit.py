"""Small rate limits: guessing join codes or passwords, and flooding a board.

Counting failures only, for codes and passwords, keeps a hall full of phones behind one
router from locking itself out. On a laptop (one process) the counts live in memory; with
``YORIAI_CHANNELS_URL=redis://…`` they live in Redis, so that several workers or machines
share them (a guesser spread over four workers would otherwise get four times the tries).
"""

from __future__ import annotations

import secrets
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Protocol

from litestar.connection import ASGIConnection

from server.errors import ErrorKind, UserError
from server.i18n import N_, Text

MAX_KEYS = 50_000  # past this, the oldest keys are forgotten (memory stays bounded)


class RateLimit(Protocol):
    """At most ``limit`` hits per key within ``window_s`` seconds, then a 429 in the reader's language."""

    async def check(self, key: str) -> None: ...

    async def hit(self, key: str) -> None: ...

    async def take(self, key: str) -> None: ...


@dataclass
class _Rule:
    limit: int
    window_s: float
    message: Text

    def refuse_if(self, count: int) -> None:
        if count >= self.limit:
            raise UserError(self.message, ErrorKind.TOO_MANY)


@dataclass
class MemoryRateLimit(_Rule):
    """Per process: a sliding window of hit times per key."""

    _hits: dict[str, deque[float]] = field(default_factory=dict)

    def _recent(self, key: str, now: float) -> deque[float]:
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window_s:
            hits.popleft()
        return hits

    async def check(self, key: str) -> None:
        self.refuse_if(len(self._recent(key, time.monotonic())))

    async def hit(self, key: str) -> None:
        now = time.monotonic()
        self._recent(key, now).append(now)
        if len(self._hits) > MAX_KEYS:
            for stale in list(self._hits)[: MAX_KEYS // 10]:
                del self._hits[stale]

    async def take(self, key: str) -> None:
        """Check and count in one step (for actions that count whether they succeed or not)."""
        await self.check(key)
        await self.hit(key)


@dataclass
class RedisRateLimit(_Rule):
    """Shared by every worker: a sorted set of hit times per key, which expires on its own."""

    redis: Any = None  # redis.asyncio.Redis
    name: str = ""

    def _key(self, key: str) -> str:
        return f"yoriai:limit:{self.name}:{key}"

    async def _count(self, key: str) -> int:
        now = time.time()  # wall clock: the one thing several machines agree on
        pipe = self.redis.pipeline(transaction=True)
        pipe.zremrangebyscore(self._key(key), "-inf", now - self.window_s)
        pipe.zcard(self._key(key))
        _, count = await pipe.execute()
        return int(count)

    async def check(self, key: str) -> None:
        self.refuse_if(await self._count(key))

    async def hit(self, key: str) -> None:
        now = time.time()
        pipe = self.redis.pipeline(transaction=True)
        pipe.zadd(self._key(key), {f"{now}:{secrets.token_hex(4)}": now})
        pipe.expire(self._key(key), int(self.window_s) + 1)
        await pipe.execute()

    async def take(self, key: str) -> None:
        await self.check(key)
        await self.hit(key)


@dataclass
class RateLimits:
    sign_in_failures: RateLimit
    sign_in_account_failures: RateLimit
    join_code_failures: RateLimit
    joins: RateLimit
    notes: RateLimit
    notes_per_address: RateLimit
    public_signups: RateLimit


RULES = {
    # Per address: wrong passwords from it are refused for a while; a right one still signs in
    # (a hall's router shares one address between the staff and everyone else).
    "sign_in_failures": _Rule(
        10, 300, N_("サインインの失敗が続いたため、しばらく受け付けません。5分ほど待ってからお試しください。")
    ),
    # Per account, from every address together: what stops guessing one account's password.
    "sign_in_account_failures": _Rule(
        10,
        900,
        N_(
            "このアカウントはサインインの失敗が続いたため、15分ほど受け付けません。"
            "心当たりがなければ管理者に知らせてください。"
        ),
    ),
    # Phones see these two: やさしい日本語 (short sentences, common words).
    "join_code_failures": _Rule(
        30,
        300,
        N_(
            "参加コードのまちがいが多いので、少しのあいだ使えません。"
            "スクリーンのQRコードを読むか、数分まってから、もう一度入れてください。"
        ),
    ),
    # New participants of one session from one address: far more than a hall behind one router
    # brings in five minutes, far fewer than a script that throws its cookies away.
    "joins": _Rule(
        120, 300, N_("いま参加する人がとても多いです。少しまってから、もう一度ためしてください。")
    ),
    "notes": _Rule(10, 30, N_("付箋を送るのが早すぎます。少しまってから送ってください。")),
    # All the phones of one address together, on one board: a room behind one router writes
    # far less than this; a script with many fresh participants cannot get past it.
    "notes_per_address": _Rule(90, 30, N_("付箋を送るのが早すぎます。少しまってから送ってください。")),
    # 参加したい on a district's public page, per address: a family or a community centre's PC
    # signs up a few people; a script filling the member counts is stopped.
    "public_signups": _Rule(
        20,
        3600,
        N_("申し込みが続いたため、しばらく受け付けません。時間をおいてから、もう一度ためしてください。"),
    ),
}


def default_limits() -> RateLimits:
    """In memory, for one process."""
    return RateLimits(**{name: MemoryRateLimit(r.limit, r.window_s, r.message) for name, r in RULES.items()})


def redis_limits(redis: Any) -> RateLimits:
    """In Redis, shared by every worker that uses the same server."""
    return RateLimits(
        **{
            name: RedisRateLimit(r.limit, r.window_s, r.message, redis=redis, name=name)
            for name, r in RULES.items()
        }
    )


def limits(connection: ASGIConnection[Any, Any, Any, Any]) -> RateLimits:
    return connection.app.state.rate_limits


def client_address(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    return connection.client.host if connection.client else "unknown"
