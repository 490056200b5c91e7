"""Shared response helpers: pages, htmx fragments and the answer to a broken rule."""

from __future__ import annotations

import logging
from typing import Any

from litestar import MediaType, Request, Response
from litestar.plugins.htmx import HTMXDetails, HTMXRequest
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from server.errors import ErrorKind, UserError
from server.i18n import N_, Text, locale_of_scope, set_locale
from server.web.auth import SignInRequired

logger = logging.getLogger("yoriai")


def page(template: str, status_code: int = 200, **context: Any) -> Template:
    return Template(
        template_name=template, context=context, status_code=status_code, media_type=MediaType.HTML
    )


def see_other(path: str) -> Redirect:
    """After a successful form post: the browser GETs the next page (no resubmission on reload)."""
    return Redirect(path=path, status_code=HTTP_303_SEE_OTHER)


def is_htmx(request: Request[Any, Any, Any]) -> bool:
    """A request htmx made (Litestar's HTMX plugin reads its headers)."""
    return bool(HTMXDetails(request))


#: The HTTP status of each kind of refusal (services know only the kind).
STATUS_OF_KIND: dict[ErrorKind, int] = {
    ErrorKind.INVALID: 422,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.WRONG_CREDENTIALS: 401,
    ErrorKind.CONFLICT: 409,
    ErrorKind.GONE: 410,
    ErrorKind.TOO_MANY: 429,
    ErrorKind.UNAVAILABLE: 503,
    ErrorKind.FAILED: 500,
}


def status_of(exc: UserError) -> int:
    """The HTTP status that answers a refusal of this kind."""
    return STATUS_OF_KIND[exc.kind]


def user_error_handler(request: Request[Any, Any, Any], exc: UserError) -> Response[Any]:
    """A broken rule: the message in the page's message area (htmx), or a page that says it."""
    return refusal(request, exc.message, status_of(exc))


def refusal(request: Request[Any, Any, Any], message: Text, status_code: int) -> Response[Any]:
    """A message for the user with this status: JSON for the API, the message area for htmx,
    else a page that says it."""
    # Refusals raised before routing (unknown path, CSRF) bypass LocaleMiddleware.
    set_locale(locale_of_scope(request.scope))
    if request.url.path.startswith("/api/"):
        return Response({"error": str(message)}, status_code=status_code)
    if is_htmx(request):
        return Template(
            template_name="_flash.html",
            context={"message": message, "level": "error"},
            status_code=status_code,
            headers={"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"},
            media_type=MediaType.HTML,
        )
    return Template(
        template_name="message.html",
        context={"message": message},
        status_code=status_code,
        media_type=MediaType.HTML,
    )


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Anything unforeseen: logged with its traceback, answered in Japanese, never a bare 500 page."""
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    message = N_("サーバーで問題が起きました。少し待ってからもう一度お試しください。")
    return refusal(request, message, STATUS_OF_KIND[ErrorKind.FAILED])


def sign_in_required_handler(request: Request[Any, Any, Any], _: SignInRequired) -> Response[Any]:
    target = "/signin?next=" + request.url.path
    if is_htmx(request):
        return Response(content="", status_code=401, headers={"HX-Redirect": target})
    return Redirect(path=target, status_code=HTTP_303_SEE_OTHER)


__all__ = [
    "HTMXRequest",
    "internal_error_handler",
    "is_htmx",
    "page",
    "refusal",
    "see_other",
    "sign_in_required_handler",
    "status_of",
    "user_error_handler",
]
