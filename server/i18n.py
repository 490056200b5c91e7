"""Languages: Japanese first (the source text), English from a gettext catalog.

Every UI message is written in Japanese in the code and templates; that text is the msgid.
``server/locale/en/LC_MESSAGES/messages.po`` holds the English. The .po file is read at
start-up (no compiled .mo to forget to rebuild): see docs/i18n.md.

Services stay free of HTTP: they mark text with :func:`N_`, which returns a :class:`LazyText`
translated only when it is turned into a string, in the language of whoever is being answered.
That language is a context variable, set per request by :class:`LocaleMiddleware` and per
rendering for the live board (each websocket viewer carries its own).
"""

from __future__ import annotations

import gettext as _gettext
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache, lru_cache
from io import BytesIO
from typing import Any
from urllib.parse import parse_qsl, urlencode

from babel.core import negotiate_locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from litestar.datastructures import MutableScopeHeaders

from server.config import ROOT

LOCALES = ("ja", "en")
DEFAULT_LOCALE = "ja"
LOCALE_DIR = ROOT / "server" / "locale"
COOKIE = "yoriai_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600  # a participant's phone remembers its language for a year

_current: ContextVar[str] = ContextVar("yoriai_locale", default=DEFAULT_LOCALE)


def get_locale() -> str:
    return _current.get()


def set_locale(locale: str) -> None:
    _current.set(locale if locale in LOCALES else DEFAULT_LOCALE)


@contextmanager
def use_locale(locale: str) -> Iterator[None]:
    """Render something in a given language (e.g. one websocket viewer's), then restore."""
    token = _current.set(locale if locale in LOCALES else DEFAULT_LOCALE)
    try:
        yield
    finally:
        _current.reset(token)


@cache
def translations(locale: str) -> _gettext.NullTranslations:
    """The catalog of a language, read once from its .po file (Japanese needs none)."""
    path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if locale == DEFAULT_LOCALE or not path.exists():
        return _gettext.NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=locale)
    mo = BytesIO()
    write_mo(mo, catalog)  # fuzzy entries are left out: an unsure translation shows Japanese
    mo.seek(0)
    return Translations(fp=mo)


def gettext(message: str) -> str:
    return translations(get_locale()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(get_locale()).ngettext(singular, plural, n)


class LazyText:
    """A message marked in Python code, translated when shown (``str()``, f-strings, Jinja).

    Not a ``str`` on purpose: ``"・".join(labels)`` with a str subclass would silently use the
    Japanese; here it fails, and the code must say ``str(label)``.
    """

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, params: dict[str, Any]) -> None:
        self.msgid = msgid
        self.params = params

    def __str__(self) -> str:
        text = gettext(self.msgid)
        if not self.params:
            return text
        return text % {k: str(v) if isinstance(v, LazyText) else v for k, v in self.params.items()}

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __repr__(self) -> str:
        return f"N_({self.msgid!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyText):
            return (self.msgid, self.params) == (other.msgid, other.params)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.msgid)

    def __add__(self, other: str) -> str:
        return str(self) + other

    def __radd__(self, other: str) -> str:
        return other + str(self)


def N_(msgid: str, **params: Any) -> LazyText:
    """Mark a message for translation; ``%(name)s`` placeholders take ``params``."""
    return LazyText(msgid, params)


class Joined(LazyText):
    """Several messages shown together (e.g. every problem of a form), each translated."""

    __slots__ = ("parts", "sep")

    def __init__(self, parts: list[Any], sep: str = " ") -> None:
        super().__init__("", {})
        self.parts = list(parts)
        self.sep = sep

    def __str__(self) -> str:
        return self.sep.join(str(p) for p in self.parts)


Text = str | LazyText


# --- choosing the language -------------------------------------------------------------


def parse_accept_language(header: str) -> list[str]:
    """Accept-Language tags, most preferred first (``en-GB,en;q=0.8,ja;q=0.5``)."""
    weighted = []
    for i, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and tag != "*" and quality > 0:
            weighted.append((-quality, i, tag.replace("_", "-")))
    return [tag for _, _, tag in sorted(weighted)]


def choose_locale(accept_language: str = "", cookie: str | None = None) -> str:
    """The switch's cookie wins; else the browser's first language we have; else Japanese."""
    if cookie in LOCALES:
        return cookie
    preferred = parse_accept_language(accept_language)
    return negotiate_locale(preferred, list(LOCALES), sep="-") or DEFAULT_LOCALE


def switch_url(path: str, query: str, locale: str) -> str:
    """The current page with ``?lang=`` set: the language switch is a plain link (works on any phone)."""
    params = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "lang"]
    return path + "?" + urlencode([*params, ("lang", locale)])


class LocaleMiddleware:
    """Sets the request's language; ``?lang=en`` also remembers it in a cookie.

    Choosing a language is a preference, not an action on anyone's data, so a GET link
    (no CSRF token) is enough, and it works for anonymous participants too.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        locale = locale_of_scope(scope)
        if scope["type"] == "http":
            send = _with_language_headers(send, locale if _asked(scope) in LOCALES else None)
        token = _current.set(locale)
        try:
            await self.app(scope, receive, send)
        finally:
            _current.reset(token)


def _asked(scope: Any) -> str | None:
    query = scope.get("query_string", b"")
    if b"lang=" not in query:  # most requests: no need to parse the query
        return None
    return dict(parse_qsl(query.decode("latin-1"))).get("lang")


def locale_of_scope(scope: Any) -> str:
    """``?lang=``, else the switch's cookie, else Accept-Language, else Japanese."""
    if (asked := _asked(scope)) in LOCALES:
        return str(asked)
    cookie_header = accept_language = b""
    for name, value in scope.get("headers", []):
        lowered = name.lower()
        if lowered == b"cookie":
            cookie_header = value
        elif lowered == b"accept-language":
            accept_language = value
    # Only our own cookie is looked for: parsing the whole header (the session cookie is most
    # of it) cost a tenth of a posted note's time (docs/benchmarks.md). A malformed header
    # simply has no language in it. Sent twice (two paths or domains), the last one counts, as
    # with http.cookies.
    found = _LANG_COOKIE.findall(cookie_header)
    cookie = found[-1] if found else None
    if len(accept_language) > 200:  # not a browser's: worked out, never kept in the cache
        return choose_locale(accept_language.decode("latin-1"), cookie.decode("ascii") if cookie else None)
    return _choose_cached(accept_language, cookie)


_LANG_COOKIE = re.compile(rb"(?:^|[;,])\s*" + COOKIE.encode() + rb'="?([A-Za-z_-]{1,16})')


@lru_cache(maxsize=512)
def _choose_cached(accept_language: bytes, cookie: bytes | None) -> str:
    """``choose_locale`` for the raw header values: a room's phones send a handful of them (the
    cache holds at most 512 short headers, so a stranger's odd ones cannot grow it)."""
    return choose_locale(accept_language.decode("latin-1"), cookie.decode("ascii") if cookie else None)


def _with_language_headers(send: Any, remember: str | None) -> Any:
    """Say that pages vary by language (so no cache hands a Japanese page to an English
    reader), and remember a language chosen with ``?lang=`` in a cookie."""
    cookie = f"{COOKIE}={remember}; Path=/; Max-Age={COOKIE_MAX_AGE}; SameSite=Lax; HttpOnly"

    async def wrapped(message: Any) -> None:
        if message["type"] == "http.response.start":
            headers = MutableScopeHeaders.from_message(message)
            if headers.get("content-type", "").startswith("text/html"):
                headers.extend_header_value("vary", "Accept-Language, Cookie")
            if remember:
                headers.add("set-cookie", cookie)
        await send(message)

    return wrapped


# --- dates, times and fiscal years ------------------------------------------------------


def format_day(value: date | datetime | None, locale: str | None = None) -> str:
    """2026年11月22日(日) / Sun 22 Nov 2026."""
    if value is None:
        return ""
    locale = locale or get_locale()
    pattern = "y年M月d日(E)" if locale == "ja" else "EEE d MMM y"
    return format_date(value, pattern, locale=locale)


_ERAS_EN = {"令和": "Reiwa", "平成": "Heisei", "昭和": "Shōwa"}


def fiscal_label(year: int, *, era: bool = False, locale: str | None = None) -> str:
    """2026年度 / 令和8年度 in Japanese; FY2026 / FY2026 (Reiwa 8) in English."""
    from server.reports.fiscal import era_of_fiscal_year, fiscal_year_label

    if (locale or get_locale()) == "ja":
        return fiscal_year_label(year, era=era)
    if not era:
        return f"FY{year}"
    name, number = era_of_fiscal_year(year)
    return f"FY{year} ({_ERAS_EN[name]} {number})"
