"""Property-based tests: whatever people type, a clear answer and never a 500; the API against its schema."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import TestClient

from server.boards.models import NOTE_MAX_LENGTH
from server.boards.service import clean_note_text
from server.errors import ErrorKind, UserError
from server.meetings.service import JOIN_CODE_LENGTH, normalise_join_code
from tests.conftest import create_open_meeting, join_as, post_form, send_note

# Text as people produce it: any Unicode, with a bias towards Japanese, markup and control characters.
typed = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),  # what a browser can send: no lone surrogates
        st.sampled_from("あいう漢字カナ、。「」〜ー\u3000\n\t\r\x00<>\"'&{}%$#"),
    ),
    max_size=260,
)
EXAMPLES = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@given(typed)
def test_note_text_is_either_clean_or_refused_with_a_message(text: str) -> None:
    try:
        cleaned = clean_note_text(text)
    except UserError as refusal:
        assert str(refusal).endswith("。") and refusal.kind == ErrorKind.INVALID
        return
    assert 1 <= len(cleaned) <= NOTE_MAX_LENGTH and cleaned == cleaned.strip()
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", cleaned)


@given(typed)
def test_a_join_code_is_read_from_anything_typed(text: str) -> None:
    code = normalise_join_code(text)
    assert code.isdigit() or code == ""
    assert normalise_join_code("４８２ ９１７") == "482917" and len("482917") == JOIN_CODE_LENGTH


@pytest.fixture
def board(facilitator: TestClient[Litestar]) -> Iterator[tuple[TestClient[Litestar], int, str]]:
    meeting_id, code = create_open_meeting(facilitator)
    yield facilitator, meeting_id, code


@EXAMPLES
@given(text=typed, kind=st.one_of(st.sampled_from(["concern", "want", "offer", "idea"]), typed))
def test_posting_anything_answers_clearly(
    board: tuple[TestClient[Litestar], int, str], text: str, kind: str
) -> None:
    client, meeting_id, code = board
    with join_as(client, code) as phone:
        response = send_note(phone, meeting_id, text, kind=kind)
    assert response.status_code in (200, 422), response.text
    if response.status_code == 422:
        assert response.json()["error"]


@EXAMPLES
@given(
    form=st.dictionaries(
        st.sampled_from(["kind", "district_id", "title", "question", "held_on", "venue", "programme"]), typed
    )
)
def test_the_session_form_never_breaks(
    board: tuple[TestClient[Litestar], int, str], form: dict[str, str]
) -> None:
    client, _, _ = board
    response = post_form(client, "/f/sessions", form)
    assert response.status_code in (303, 422), response.text


@EXAMPLES
@given(code=typed, nickname=typed, affiliation=typed)
def test_joining_with_anything_never_breaks(
    board: tuple[TestClient[Litestar], int, str], code: str, nickname: str, affiliation: str
) -> None:
    client, _, real_code = board
    client.app.state.rate_limits.join_code_failures._hits.clear()  # many guesses on purpose
    assert post_form(client, "/join", {"code": code}).status_code in (303, 404, 409, 410, 422)
    answer = post_form(client, f"/join/{real_code}", {"nickname": nickname, "affiliation": affiliation})
    assert answer.status_code in (303, 422)


@EXAMPLES
@given(fields=st.dictionaries(st.sampled_from(["target", "budget", "live", "posting"]), typed))
def test_voting_settings_never_break(
    board: tuple[TestClient[Litestar], int, str], fields: dict[str, str]
) -> None:
    client, meeting_id, _ = board
    assert post_form(client, f"/f/sessions/{meeting_id}/voting", fields, htmx=True).status_code in (204, 422)


def _api_schema() -> schemathesis.schemas.BaseSchema:
    import tempfile
    from pathlib import Path

    from server.app import create_app
    from server.config import Settings
    from server.migrate import upgrade

    folder = Path(tempfile.mkdtemp())
    app_settings = Settings(
        data_dir=folder, database_url=f"sqlite+aiosqlite:///{folder}/api.db", secret_key="api"
    )
    upgrade(app_settings)
    return schemathesis.openapi.from_asgi("/schema/openapi.json", create_app(app_settings))


def test_the_json_api_holds_to_its_schema() -> None:
    """No 500 and every answer as the schema says, for any input schemathesis makes up from it.
    (Driven by hand: schemathesis's pytest plugin does not run on this pytest.)"""
    schema = _api_schema()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} == {
        "/api/projects",
        "/api/projects/{project_id}",
        "/api/indicators",
    }
    for operation in operations:

        @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case: schemathesis.Case) -> None:
            response = case.call()
            assert response.status_code < 500, (case.path, case.query, response.text)
            case.validate_response(response, checks=[schemathesis.checks.not_a_server_error])

        check()


@pytest.fixture
def coordinated(coordinator: TestClient[Litestar]) -> Iterator[tuple[TestClient[Litestar], int, int]]:
    meeting_id, code = create_open_meeting(coordinator)
    with join_as(coordinator, code) as phone:
        send_note(phone, meeting_id, "朝市を開きたい")
    note = re.search(r'<article id="note-(\d+)"', coordinator.get(f"/f/sessions/{meeting_id}").text).group(1)  # type: ignore[union-attr]
    post_form(
        coordinator, f"/f/sessions/{meeting_id}/promote", {"note": note, "title": "朝市", "status": "idea"}
    )
    project = int(re.search(r"/c/projects/(\d+)\"", coordinator.get("/c/projects").text).group(1))  # type: ignore[union-attr]
    yield coordinator, meeting_id, project


FORM_FIELDS = [
    "title",
    "description",
    "status",
    "owner",
    "district_id",
    "goal_id",
    "name",
    "fiscal_year",
    "mark",
    "comment",
    "happened_on",
    "body",
    "count",
    "affiliation",
    "joined_on",
    "future_picture",
    "into",
    "note",
]


@EXAMPLES
@given(fields=st.dictionaries(st.sampled_from(FORM_FIELDS), typed, max_size=6))
def test_every_coordinator_and_facilitator_form_answers_clearly(
    coordinated: tuple[TestClient[Litestar], int, int], fields: dict[str, str]
) -> None:
    client, meeting_id, project = coordinated
    targets = [
        f"/c/projects/{project}",
        f"/c/projects/{project}/timeline",
        f"/c/projects/{project}/members",
        f"/c/projects/{project}/evaluations",
        "/c/visions/tsurukawa/picture",
        "/c/visions/tsurukawa/goals",
        f"/f/sessions/{meeting_id}/clusters",
        f"/f/sessions/{meeting_id}/promote",
        f"/f/sessions/{meeting_id}/notes",
    ]
    for path in targets:
        response = post_form(client, path, fields, htmx=True)
        assert response.status_code < 500, (path, fields, response.text[:300])
