"""The plan the indicators are judged against: 町田市地域ホッとプラン, FY2022–FY2031.

The plan sets its indicators over ten fiscal years against their starting values. What the plan's
summary edition itself reports is kept here (the roundtables' participants before the plan); its
starting values and targets are entered by a coordinator (``set_figure``), and the demo's are
marked サンプル because they are not the city's.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.accounts.actor import Actor
from server.errors import UserError
from server.i18n import N_, LazyText
from server.projects.models import FIGURE_KIND_LABELS, FigureKind, IndicatorFigure
from server.textutil import clean_text
from server.timeutil import utcnow

PLAN_NAME = "町田市地域ホッとプラン"
PLAN_FIRST_YEAR = 2022
PLAN_LAST_YEAR = 2031
#: The indicators the coordinators follow over the plan (names as in indicators.FIGURES).
PLAN_INDICATORS = ("participants", "carried_out", "roundtable_attendance", "yoriai_attendance", "matches")


@dataclass(frozen=True)
class PublishedFigure:
    indicator: str
    fiscal_year: int
    value: int
    source: LazyText


#: Figures the plan itself prints (summary edition, 地区別懇談会 参加者数の推移: 市内10地区合計).
#: 2020 was cancelled for COVID-19 (a survey instead), so it has no figure.
PUBLISHED: tuple[PublishedFigure, ...] = tuple(
    PublishedFigure("roundtable_attendance", year, value, N_("町田市地域ホッとプラン（概要版）"))
    for year, value in ((2017, 375), (2018, 362), (2019, 382))
)

FIGURE_MIN, FIGURE_MAX = 0, 10_000_000


async def figures(db: AsyncSession) -> list[IndicatorFigure]:
    """Every figure entered by hand, in one query."""
    query = select(IndicatorFigure).order_by(IndicatorFigure.indicator, IndicatorFigure.fiscal_year)  # type: ignore[arg-type]
    return list((await db.exec(query)).all())


async def set_figure(
    db: AsyncSession,
    actor: Actor,
    *,
    indicator: str,
    kind: str,
    fiscal_year: int,
    value: str,
    note: str = "",
    is_sample: bool = False,
) -> IndicatorFigure | None:
    """Enter (or with an empty value, clear) a starting value, a target or a year's figure.

    A plan has one starting value and one target per indicator: entering another replaces it.
    Who may do it is the web layer's question (coordinators, by the /c router's guard).
    """
    if indicator not in PLAN_INDICATORS:
        raise UserError(N_("指標を一覧から選んでください。"))
    if kind not in FIGURE_KIND_LABELS:
        raise UserError(N_("種類を一覧から選んでください（基準値・目標値・実績）。"))
    if not 2000 <= fiscal_year <= 2100:
        raise UserError(N_("年度が正しくありません。"))
    raw = value.strip().replace(",", "")
    number: int | None = None
    if raw:
        try:
            number = int(raw)
        except ValueError:
            raise UserError(N_("値は0以上の整数で入れてください。")) from None
        if not FIGURE_MIN <= number <= FIGURE_MAX:
            raise UserError(N_("値は0以上の整数で入れてください。"))
    note = clean_text(note, single_line=True)
    if len(note) > 200:
        raise UserError(N_("メモは200文字までです。"))
    query = select(IndicatorFigure).where(
        IndicatorFigure.indicator == indicator, IndicatorFigure.kind == kind
    )
    if kind == FigureKind.RECORDED:
        query = query.where(IndicatorFigure.fiscal_year == fiscal_year)
    existing = list((await db.exec(query)).all())
    for old in existing:
        await db.delete(old)
    if number is None:
        await db.commit()
        return None
    await db.flush()
    figure = IndicatorFigure(
        indicator=indicator,
        kind=kind,
        fiscal_year=fiscal_year,
        value=number,
        note=note,
        is_sample=is_sample,
        updated_by=actor.user_id,
        updated_at=utcnow(),
    )
    db.add(figure)
    await db.commit()
    return figure
