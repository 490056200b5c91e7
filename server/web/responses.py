"""Shared response helpers: pages, htmx fragments and the answer to a broken rule."""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request, Response
from litestar.plugins.htmx import HTMXDetails, HTMXRequest
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from server.errors import UserError
from server.i18n import locale_of_scope, set_locale
from server.web.auth import SignInRequired


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


def user_error_handler(request: Request[Any, Any, Any], exc: UserError) -> Response[Any]:
    """A broken rule: the message in the page's message area (htmx), or a page that says it."""
    # Refusals raised before routing (unknown path, CSRF) bypass LocaleMiddleware.
    set_locale(locale_of_scope(request.scope))
    if request.url.path.startswith("/api/"):
        return Response({"error": str(exc.message)}, status_code=exc.status_code)
    if is_htmx(request):
        return Template(
            template_name="_flash.html",
            context={"message": exc.message, "level": "error"},
            status_code=exc.status_code,
            headers={"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"},
            media_type=MediaType.HTML,
        )
    return Template(
        template_name="message.html",
        context={"message": exc.message},
        status_code=exc.status_code,
        media_type=MediaType.HTML,
    )


def sign_in_required_handler(request: Request[Any, Any, Any], _: SignInRequired) -> Response[Any]:
    target = "/signin?next=" + request.url.path
    if is_htmx(request):
        return Response(content="", status_code=401, headers={"HX-Redirect": target})
    return Redirect(path=target, status_code=HTTP_303_SEE_OTHER)


__all__ = ["HTMXRequest", "is_htmx", "page", "see_other", "sign_in_required_handler", "user_error_handler"]
