"""The server's own ASGI ``send`` for a websocket, for the messages sent to a whole board.

Litestar hands a websocket handler a ``send`` wrapped four times: the app's before-send hooks,
the exception middleware, the session middleware and the connection's own state check. Each
wrapper acts only on a response's start (``http.response.start``) and passes ``websocket.send``
through untouched, yet each is one more coroutine per message: for a note sent to a thousand
phones, about a fifth of the event loop's time (docs/benchmarks.md). ``App`` keeps the
server's ``send`` in the websocket's scope, and ``text_sender`` sends text messages through it.
Accepting, closing and receiving still go through Litestar's ``WebSocket``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from typing import Any, cast

from litestar import Litestar, WebSocket
from litestar.types import Scope, Send

SCOPE_KEY = "yoriai.server_send"

TextSender = Callable[[str], Coroutine[Any, Any, None]]


class App(Litestar):
    """Litestar, keeping each websocket's server ``send`` in its scope."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "websocket":
            cast("dict[str, Any]", scope)[SCOPE_KEY] = send
        await super().__call__(scope, receive, send)


def text_sender(socket: WebSocket[Any, Any, Any]) -> TextSender:
    """``send_text`` on the server's own ``send`` (Litestar's where there is none)."""
    scope: Scope = socket.scope
    send: Send = cast("dict[str, Any]", scope).get(SCOPE_KEY) or socket.send

    if inspect.iscoroutinefunction(send):

        def send_text(text: str) -> Coroutine[Any, Any, None]:
            return cast(
                Coroutine[Any, Any, None], send({"type": "websocket.send", "bytes": None, "text": text})
            )

        return send_text

    async def await_send_text(text: str) -> None:
        await send({"type": "websocket.send", "bytes": None, "text": text})

    return await_send_text
