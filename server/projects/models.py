"""Projects (プロジェクト) born from notes and clusters, and how they are followed for years."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from server.i18n import N_, LazyText
from server.timeutil import utcnow


class ProjectStatus(StrEnum):
    IDEA = "idea"  # 構想
    PREPARING = "preparing"  # 準備中
    RUNNING = "running"  # 実施中
    COMPLETED = "completed"  # 完了
    PAUSED = "paused"  # 休止


PROJECT_STATUS_LABELS: dict[str, LazyText] = {
    ProjectStatus.IDEA: N_("構想"),
    ProjectStatus.PREPARING: N_("準備中"),
    ProjectStatus.RUNNING: N_("実施中"),
    ProjectStatus.COMPLETED: N_("完了"),
    ProjectStatus.PAUSED: N_("休止"),
}
#: Projects still going: brought to next year's roundtable for review.
OPEN_STATUSES = (ProjectStatus.IDEA, ProjectStatus.PREPARING, ProjectStatus.RUNNING, ProjectStatus.PAUSED)


class Mark(StrEnum):
    """The yearly evaluation of the city's progress table."""

    DONE = "done"  # ○ 実施
    DELAYED = "delayed"  # △ 未実施・進捗遅れ


MARK_SYMBOLS: dict[str, str] = {Mark.DONE: "○", Mark.DELAYED: "△"}
MARK_LABELS: dict[str, LazyText] = {Mark.DONE: N_("○ 実施"), Mark.DELAYED: N_("△ 未実施・進捗遅れ")}


class Project(SQLModel, table=True):
    """A tracked project (課題解決プロジェクト)."""

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=120)
    description: str = Field(default="", max_length=10000)  # Markdown: 取組の方向性/概要
    status: str = Field(default=ProjectStatus.IDEA, max_length=12, index=True)
    #: Who carries it (担当), e.g. a district council or a department: free text.
    owner: str = Field(default="", max_length=80)
    #: The session it was born in (its origin), if any.
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id", index=True)
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)


class ProjectDistrict(SQLModel, table=True):
    """The districts a project belongs to; none means city-wide (市全域)."""

    project_id: int = Field(foreign_key="project.id", primary_key=True)
    district_id: str = Field(foreign_key="district.id", primary_key=True, max_length=40)


class ProjectGoal(SQLModel, table=True):
    """A vision goal the project serves."""

    project_id: int = Field(foreign_key="project.id", primary_key=True)
    goal_id: int = Field(foreign_key="visiongoal.id", primary_key=True)


class ProjectOrigin(SQLModel, table=True):
    """A note the project came from, as it was when promoted (kept if the note changes later)."""

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    note_id: int | None = None  # no foreign key: the note may be removed by retention later
    cluster_name: str = Field(default="", max_length=40)
    #: The table (島) the note was written at, by name as it was when promoted ("" without tables).
    table_name: str = Field(default="", max_length=20)
    kind: str = Field(max_length=10)
    text: str = Field(max_length=200)
    votes: int = 0
    #: Whether the project's title / description held this note's text when it was promoted
    #: (the prefill kept or only added to). Hiding the note offers to withdraw it from there.
    copied_to_title: bool = False
    copied_to_description: bool = False


class ProjectMember(SQLModel, table=True):
    """Someone taking part (参加したい): a participant from a phone, or a paper sign-up."""

    __table_args__ = (UniqueConstraint("project_id", "participant_id", name="uq_member_participant"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    participant_id: int | None = Field(default=None, foreign_key="participant.id")
    affiliation: str = Field(default="", max_length=20)
    added_by_staff: bool = False
    joined_on: date
    created_at: datetime = Field(default_factory=utcnow)


class TimelineEntry(SQLModel, table=True):
    """A dated step in a project's life (経過), in Markdown."""

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    happened_on: date
    body: str = Field(max_length=5000)
    author_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)


class Evaluation(SQLModel, table=True):
    """The evaluation of one project for one fiscal year (年度): ○ or △, with a comment."""

    __table_args__ = (UniqueConstraint("project_id", "fiscal_year", name="uq_evaluation_year"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    fiscal_year: int = Field(index=True)
    mark: str = Field(max_length=10)
    comment: str = Field(default="", max_length=500)
    updated_by: int | None = Field(default=None, foreign_key="user.id")
    updated_at: datetime = Field(default_factory=utcnow)


class MeetingProject(SQLModel, table=True):
    """A project on a session's board: born there, or brought to review at next year's roundtable."""

    meeting_id: int = Field(foreign_key="meeting.id", primary_key=True)
    project_id: int = Field(foreign_key="project.id", primary_key=True)
    for_review: bool = False


class ChangeField(StrEnum):
    """What a recorded change is about (ProjectChange.field)."""

    CREATED = "created"  # promoted or created: after = the first status
    STATUS = "status"
    DISTRICTS = "districts"  # before/after: JSON lists of district ids
    GOALS = "goals"  # before/after: JSON lists of goal titles as they were then
    MEMBERS = "members"  # after: the signed difference ("+1", "-1", "+5")


class ChangeSource(StrEnum):
    """Where a change came from."""

    FORM = "form"  # the project's edit form
    EXCEL = "excel"  # an uploaded review workbook (server/projects/sheets.py)
    PROMOTION = "promotion"  # promoted from a session's notes
    PHONE = "phone"  # 参加したい (or taking it back) on a phone
    PAPER = "paper"  # a coordinator's paper sign-ups
    PUBLIC = "public"  # 参加したい on a district's public page (with a contact)


class ProjectChange(SQLModel, table=True):
    """One change of a project's status, districts, goals or members, with who and when
    (the history shown on the project's timeline). Holds nothing about a participant: a phone's
    参加したい is recorded as "+1 from a phone", never as who."""

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    field: str = Field(max_length=12)
    before: str = Field(default="", max_length=4000)
    after: str = Field(default="", max_length=4000)
    source: str = Field(max_length=12)
    #: The staff member who made it; None for a phone.
    user_id: int | None = Field(default=None, foreign_key="user.id")
    changed_at: datetime = Field(default_factory=utcnow, index=True)


class ProjectContact(SQLModel, table=True):
    """A way to reach someone who said 参加したい, left by them with their consent (連絡先).

    Seen by the coordinators only (their list and its CSV): never in minutes, public pages, the
    API or other exports. Erased when the participant takes 参加したい back, withdraws it (from
    the link they were given: ``withdraw_hash`` is the SHA-256 of its token), is erased by an
    admin, or by the retention command after ``contacts.KEEP_MONTHS``. Not a member: the
    indicators count ``ProjectMember`` only."""

    __table_args__ = (UniqueConstraint("project_id", "participant_id", name="uq_contact_participant"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    participant_id: int | None = Field(default=None, foreign_key="participant.id", index=True)
    name: str = Field(max_length=40)  # the name to be called by
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=20)
    #: Which consent sentence they agreed to (contacts.CONSENT_VERSION).
    consent: str = Field(max_length=20)
    withdraw_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)


class FigureKind(StrEnum):
    """What a hand-entered indicator figure is (the plan's yardsticks, or a year before yoriai)."""

    BASELINE = "baseline"  # 基準値: where the plan started from
    TARGET = "target"  # 目標値: where it means to be
    RECORDED = "recorded"  # 実績（手入力）: a year's figure from the city's own records


FIGURE_KIND_LABELS: dict[str, LazyText] = {
    FigureKind.BASELINE: N_("基準値"),
    FigureKind.TARGET: N_("目標値"),
    FigureKind.RECORDED: N_("実績（手入力）"),
}


class IndicatorFigure(SQLModel, table=True):
    """A city-wide indicator figure a coordinator entered: the plan's starting value or target,
    or a year's figure from before yoriai (the plan reports 375, 362 and 382 roundtable
    participants for 2017–2019). One per indicator, kind and fiscal year."""

    __tablename__ = "indicator_figure"
    __table_args__ = (UniqueConstraint("indicator", "kind", "fiscal_year", name="uq_indicator_figure"),)

    id: int | None = Field(default=None, primary_key=True)
    indicator: str = Field(max_length=30)  # a name of indicators.FIGURES
    kind: str = Field(max_length=10)
    fiscal_year: int
    value: int
    note: str = Field(default="", max_length=200)  # where it comes from (出典), or サンプル
    is_sample: bool = False
    updated_by: int | None = Field(default=None, foreign_key="user.id")
    updated_at: datetime = Field(default_factory=utcnow)
