"""Small in-memory rate limits: guessing join codes or passwords, and flooding a board.

Per process (the embedded default runs one). Counting failures only, for codes and
passwords, keeps a hall full of phones behind one router from locking itself out.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from litestar.connection import ASGIConnection

from server.errors import UserError

MAX_KEYS = 50_000  # past this, the oldest keys are forgotten (memory stays bounded)


@dataclass
class RateLimit:
    limit: int
    window_s: float
    message: str
    _hits: dict[str, deque[float]] = field(default_factory=dict)

    def _recent(self, key: str, now: float) -> deque[float]:
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window_s:
            hits.popleft()
        return hits

    def check(self, key: str) -> None:
        """Refuse (429, in Japanese) once ``limit`` hits fell within the window."""
        if len(self._recent(key, time.monotonic())) >= self.limit:
            raise UserError(self.message, 429)

    def hit(self, key: str) -> None:
        now = time.monotonic()
        self._recent(key, now).append(now)
        if len(self._hits) > MAX_KEYS:
            for stale in list(self._hits)[: MAX_KEYS // 10]:
                del self._hits[stale]

    def take(self, key: str) -> None:
        """Check and count in one step (for actions that count whether they succeed or not)."""
        self.check(key)
        self.hit(key)


@dataclass
class RateLimits:
    sign_in_failures: RateLimit
    join_code_failures: RateLimit
    notes: RateLimit


def default_limits() -> RateLimits:
    return RateLimits(
        sign_in_failures=RateLimit(
            10, 300, "サインインの失敗が続いたため、しばらく受け付けません。5分ほど待ってからお試しください。"
        ),
        join_code_failures=RateLimit(
            30,
            300,
            "参加コードのまちがいが続いたため、しばらく受け付けません。数分待ってからお試しください。",
        ),
        notes=RateLimit(10, 30, "付箋の送りすぎです。少し待ってから送ってください。"),
    )


def limits(connection: ASGIConnection[Any, Any, Any, Any]) -> RateLimits:
    return connection.app.state.rate_limits


def client_address(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    return connection.client.host if connection.client else "unknown"
