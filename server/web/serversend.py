"""The server's own ASGI ``send`` for a websocket, for the messages sent to a whole board.

Litestar hands a websocket handler a ``send`` wrapped four times: the app's before-send hooks,
the exception middleware, the session middleware and the connection's own state check. Each
wrapper acts only on a response's start (``http.response.start``) and passes ``websocket.send``
through untouched, yet each is one more coroutine per message: for a note sent to a thousand
phones, about a fifth of the event loop's time (docs/benchmarks.md). ``App`` keeps the
server's ``send`` in the websocket's scope, and ``text_sender`` sends text messages through it;
``frame_writer`` goes one step further for uvicorn's own protocol and writes a frame built once
for all the sockets that get the same bytes. Accepting, closing and receiving still go through
Litestar's ``WebSocket``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from typing import Any, cast

from litestar import Litestar, WebSocket
from litestar.types import Scope, Send
from websockets.protocol import State

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


# --- one frame for every socket ------------------------------------------------------------

#: Writes a whole, ready-made websocket frame to one socket; False when it cannot right now.
FrameWriter = Callable[[bytes], bool]


def text_frame(text: str) -> bytes:
    """A final, unmasked text frame (RFC 6455 5.2), as a server sends it: built once per
    change and kind of viewer, then written to every socket that gets those bytes."""
    payload = text.encode()
    size = len(payload)
    if size < 126:
        header = bytes((0x81, size))
    elif size < 1 << 16:
        header = bytes((0x81, 126)) + size.to_bytes(2, "big")
    else:
        header = bytes((0x81, 127)) + size.to_bytes(8, "big")
    return header + payload


def frame_writer(socket: WebSocket[Any, Any, Any]) -> FrameWriter | None:
    """A writer of ready-made frames straight to the socket's transport, or None.

    Framing a fragment for each of a thousand sockets (and a coroutine per send) is most of
    what a note costs the server beyond the kernel's own send (docs/benchmarks.md). A frame
    is the same bytes for every socket of a kind of viewer when the connection compresses
    nothing, so it is built once. This holds only for uvicorn's websockets-sansio protocol,
    where a server frame is header + payload; for any other server (or a test client) there is
    no writer and messages take the ASGI ``send``. The writer refuses, and the caller falls
    back on ``send`` (which waits its turn, closes, raises as ASGI says), whenever the
    connection is not plainly open and writable: paused by the kernel's buffer, closing,
    gone, or using an extension."""
    send = cast("dict[str, Any]", socket.scope).get(SCOPE_KEY)
    protocol = getattr(send, "__self__", None)
    if not _frames_allowed(protocol):
        return None
    assert protocol is not None
    conn, writable, transport = protocol.conn, protocol.writable, protocol.transport

    def write(frame: bytes) -> bool:
        if (
            writable.is_set()
            and conn.state is State.OPEN
            and not protocol.close_sent
            and not protocol.disconnected
            and not transport.is_closing()
        ):
            transport.write(frame)
            return True
        return False

    return write


def _frames_allowed(protocol: Any) -> bool:
    try:
        from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
    except ImportError:  # pragma: no cover - websockets is part of uvicorn[standard]
        return False
    return (
        isinstance(protocol, WebSocketsSansIOProtocol)
        and protocol.handshake_complete
        and protocol.initial_response is None
        # permessage-deflate (or any extension) would change the frame per connection.
        and not protocol.conn.extensions
    )
