"""The Litestar application: wiring of database, sessions, CSRF, templates, channels and routes."""

from __future__ import annotations

import gc
import hashlib
import logging
from typing import Any

from litestar import Request, Response, Router, get
from litestar.channels import ChannelsPlugin
from litestar.config.compression import CompressionConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import HTTPException, NotFoundException
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.plugins.htmx import HTMXPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect
from litestar.static_files import create_static_files_router
from litestar.status_codes import HTTP_301_MOVED_PERMANENTLY, HTTP_500_INTERNAL_SERVER_ERROR
from litestar.template.config import TemplateConfig
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from server.accounts import admin_routes
from server.accounts import routes as accounts_routes
from server.boards import routes as boards_routes
from server.boards import wall_routes
from server.boards.budget import LiveGuards
from server.boards.live import BoardHub
from server.config import ROOT, Settings
from server.db import make_engine, make_sessionmaker
from server.districts import public_routes as district_public_routes
from server.errors import ErrorKind, UserError
from server.i18n import N_, LocaleMiddleware
from server.matching import routes as matching_routes
from server.meetings import flow_routes, grouping_routes, selection_routes, table_routes
from server.meetings import routes as meetings_routes
from server.privacy import routes as privacy_routes
from server.projects import api as projects_api
from server.projects import contact_routes, excel_routes, promotion_routes, report_routes
from server.projects import routes as projects_routes
from server.scale import channels_backend, rate_limits
from server.suggest.model import load as load_suggestions
from server.visions import routes as visions_routes
from server.web import who
from server.web.auth import SignInRequired
from server.web.csrf import SessionBoundCSRF
from server.web.database import CloseRequestSession, request_db
from server.web.dberrors import database_error_handler
from server.web.deps import DB
from server.web.logs import escape_control_characters_in_logs
from server.web.responses import (
    internal_error_handler,
    refusal,
    sign_in_required_handler,
    user_error_handler,
)
from server.web.security import RejectControlCharacters, security_headers_hook
from server.web.serversend import App
from server.web.sessioncookie import SessionCookieConfig
from server.web.templating import environment

logger = logging.getLogger("yoriai")
SESSION_MAX_AGE = 7 * 24 * 3600  # a week: long enough for a meeting day, short enough to expire


def http_error_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    messages = {
        403: N_("この操作はできません（ページを読み込み直してからお試しください）。"),
        404: N_("ページが見つかりませんでした。"),
        405: N_("この操作はできません。"),
        413: N_("送られたファイルが大きすぎます。"),
    }
    message = messages.get(exc.status_code, N_("入力を受け付けられませんでした。内容をお確かめください。"))
    if exc.status_code >= 500:
        return internal_error_handler(request, exc)
    return refusal(request, message, exc.status_code)


def id_out_of_range_handler(request: Request[Any, Any, Any], exc: OverflowError) -> Response[Any]:
    """An id too large for the database (e.g. /b/99999999999999999999) cannot exist: not found."""
    return user_error_handler(request, UserError(N_("見つかりませんでした。"), ErrorKind.NOT_FOUND))


def create_app(settings: Settings | None = None) -> App:
    settings = settings or Settings.from_env()
    escape_control_characters_in_logs()
    engine = make_engine(settings)
    maker = make_sessionmaker(engine)

    @get("/healthz", include_in_schema=False)
    async def healthz(db: DB) -> dict[str, str]:
        await db.exec(text("SELECT 1"))  # type: ignore[call-overload]
        return {"status": "ok"}

    @get("/favicon.ico", include_in_schema=False)
    async def favicon() -> Redirect:
        # Pages link the icon (base.html); this answers the browsers and tools that ask anyway.
        return Redirect(path="/static/favicon.svg", status_code=HTTP_301_MOVED_PERMANENTLY)

    async def dispose_engine() -> None:
        await engine.dispose()

    channels = ChannelsPlugin(backend=channels_backend(settings), arbitrary_channels_allowed=True)
    # One subscription per board in this process, shared by the board's sockets.
    board_hub = BoardHub(channels)
    key = hashlib.sha256(settings.secret_key.encode()).digest()
    template_engine = JinjaTemplateEngine.from_environment(environment())
    # App: Litestar that keeps each websocket's server send for the board's fragments
    # (server/web/serversend.py).
    return App(
        route_handlers=[
            healthz,
            favicon,
            # Pages and fragments stay out of the OpenAPI schema: it describes the JSON API only.
            Router(path="/", route_handlers=accounts_routes.handlers, include_in_schema=False),
            *meetings_routes.handlers,
            flow_routes.router,
            table_routes.router,
            table_routes.host_router,
            grouping_routes.router,
            selection_routes.router,
            promotion_routes.router,
            wall_routes.facilitator_router,
            wall_routes.board_router,
            matching_routes.facilitator_router,
            matching_routes.coordinator_router,
            projects_routes.router,
            report_routes.router,
            excel_routes.router,
            contact_routes.coordinator_router,
            Router(
                path="/",
                route_handlers=contact_routes.phone_handlers,
                dependencies=who.participant_dependencies,
                include_in_schema=False,
            ),
            district_public_routes.coordinator_router,
            Router(path="/", route_handlers=district_public_routes.public_handlers, include_in_schema=False),
            projects_api.router,
            admin_routes.router,
            privacy_routes.router,
            visions_routes.router,
            Router(
                path="/",
                route_handlers=boards_routes.handlers,
                dependencies=who.participant_dependencies,
                include_in_schema=False,
            ),
            create_static_files_router(
                path="/static", directories=[ROOT / "static"], include_in_schema=False
            ),
        ],
        # The database session, and who is asking (server/web/who.py): once per request.
        dependencies={"db": Provide(request_db(maker)), **who.dependencies},
        plugins=[
            HTMXPlugin(),
            channels,
        ],
        before_send=[security_headers_hook(settings.secure_cookies)],
        # gzip (standard library) for pages, fragments and static files: a phone's first visit
        # drops from about 100 KB to about 35 KB on a slow hall network (docs/benchmarks.md).
        # Level 6 is zlib's default: nearly the size of 9 for much less CPU per page.
        # A handler with opt={"no_compression": True} answers uncompressed: the phone's outbox
        # gets a few bytes of JSON per note, under gzip's minimum size, but the middleware would
        # still build a gzip stream for it on every post (see docs/benchmarks.md).
        compression_config=CompressionConfig(
            backend="gzip", gzip_compress_level=6, exclude_opt_key="no_compression"
        ),
        middleware=[
            # Outermost: a NUL or newline in a path never reaches the filesystem or a log line.
            RejectControlCharacters,
            # So that even a refused request (CSRF, sign-in) answers in the reader's language.
            LocaleMiddleware,
            # Written back only when it changed (server/web/sessioncookie.py).
            SessionCookieConfig(
                secret=key,
                key="yoriai",
                max_age=SESSION_MAX_AGE,
                httponly=True,
                samesite="lax",
                secure=settings.secure_cookies,
            ).middleware,
            # Inside the session: the CSRF token lives in the encrypted session cookie.
            SessionBoundCSRF,
            # Innermost: the request's database session is closed even when a dependency refused.
            CloseRequestSession,
        ],
        template_config=TemplateConfig(instance=template_engine),
        exception_handlers={
            UserError: user_error_handler,
            SignInRequired: sign_in_required_handler,
            NotFoundException: http_error_handler,
            HTTPException: http_error_handler,
            OverflowError: id_out_of_range_handler,
            DBAPIError: database_error_handler,
            HTTP_500_INTERNAL_SERVER_ERROR: internal_error_handler,
        },
        state=State(
            {
                "settings": settings,
                "sessionmaker": maker,
                "rate_limits": rate_limits(settings),
                "board_hub": board_hub,
                "live_guards": LiveGuards(),
            }
        ),
        openapi_config=OpenAPIConfig(
            title="yoriai API",
            version="1",
            description="Projects born from Machida's roundtables and The YORIAI, and the city's indicators. "
            "Read-only; no personal data.",
            # JSON only: the interactive viewers load scripts from a CDN, which a hall does not have.
            render_plugins=[JsonRenderPlugin(path="/openapi.json")],
        ),
        # Sudachi's dictionary and the word vectors, once per process, before the first request (~0.4 s).
        on_startup=[load_suggestions],
        on_shutdown=[dispose_engine],
        debug=settings.debug,
    )


def freeze_start_up_objects() -> None:
    """Move what start-up made (modules, routes, mappers, templates: about 130,000 objects)
    out of the garbage collector's sight, for good.

    They live as long as the process, yet every full collection would walk them again, and a
    crowd makes full collections frequent: each board socket keeps a few hundred objects (its
    protocol, its scope and headers, its handler's frames), so a thousand phones joining
    trigger several, each a pause of the whole event loop in which no note goes out.
    ``gc.freeze`` leaves the collector only what came after (docs/benchmarks.md). The
    templates are compiled first (0.2 s), so that they are among what is frozen."""
    templates = environment()
    for name in templates.list_templates(extensions=["html"]):
        templates.get_template(name)
    gc.collect()
    gc.freeze()


def create_served_app() -> App:
    """The app ``yoriai serve`` runs in each worker: ``create_app`` plus what only a long-lived
    server wants (not the tests, which build hundreds of apps in one process: frozen objects
    are never collected, so each test's app would stay)."""
    app = create_app()
    app.on_startup.append(freeze_start_up_objects)
    return app
