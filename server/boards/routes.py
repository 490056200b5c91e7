"""Participants' side of a board, one module per concern; ``handlers`` gathers them for the app:

- join_routes.py: the start page, the join code (typed or from the QR), the join form;
- phone_routes.py: the phone page, posting, editing and deleting one's notes, forgetting one's name;
- panel_routes.py: the phone's vote panel and project panel (参加したい);
- live_routes.py: the websocket every screen listens on, and its plain-HTTP twin.

The app mounts them with ``server.web.who.participant_dependencies``: there the ``actor`` is the
participant of the path's session.
"""

from __future__ import annotations

from server.boards import join_routes, live_routes, panel_routes, phone_routes

handlers = [*join_routes.handlers, *phone_routes.handlers, *panel_routes.handlers, *live_routes.handlers]
