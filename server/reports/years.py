"""A fiscal year (年度: April to March) as a coordinator types it in a form or a query."""

from __future__ import annotations

from server.errors import UserError
from server.i18n import N_
from server.reports.fiscal import current_fiscal_year


def parse_fiscal_year(raw: str | None) -> int:
    """A fiscal year typed in a form or a query (年度: April to March); empty means this one."""
    try:
        year = int(raw) if raw else current_fiscal_year()
    except ValueError:
        raise UserError(N_("年度は数字で入れてください（例：2026）。")) from None
    if not 2000 <= year <= 2100:
        raise UserError(N_("年度が正しくありません。"))
    return year
