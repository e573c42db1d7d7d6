"""Rows inserted in bulk (COPY on PostgreSQL) come back as an ordinary insert would leave them."""

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from storage.bulk import insert_rows
from storage.tables import Outbox, Workspace
from tests.conftest import utc

NOW = utc(2026, 11, 23, 12)


def message(workspace_id: int, n: int) -> dict:
    return {"dedupe_key": f"review:{n}:2026-W47", "platform": "slack", "workspace_id": workspace_id, "channel": f"C{n}",
            "kind": "review", "payload": {"text": f"Week of «f{n}»: 7:30", "buttons": [{"id": "approve"}]},
            "next_attempt_at": NOW, "created_at": NOW}


def workspace(ctx) -> int:
    with ctx.unit() as s:
        ws = Workspace(platform="slack", external_id="T1", name="team")
        s.add(ws)
        s.flush()
        return ws.id


def test_rows_get_their_values_and_the_models_defaults(ctx):
    ws = workspace(ctx)
    with ctx.unit() as s:
        insert_rows(s.connection(), Outbox.__table__, [message(ws, n) for n in range(3)])
    with ctx.unit() as s:
        rows = s.exec(select(Outbox).order_by(Outbox.id)).all()
    assert [r.payload["text"] for r in rows] == [f"Week of «f{n}»: 7:30" for n in range(3)]
    assert {(r.status, r.attempts, r.next_attempt_at, r.sent_at) for r in rows} == {("pending", 0, NOW, None)}


def test_a_row_breaking_a_constraint_fails_them_all_with_the_usual_error(ctx):
    ws = workspace(ctx)
    with ctx.unit() as s:
        insert_rows(s.connection(), Outbox.__table__, [message(ws, 1)])
    with pytest.raises(IntegrityError), ctx.unit() as s:
        insert_rows(s.connection(), Outbox.__table__, [message(ws, 2), message(ws, 1)])
    with ctx.unit() as s:
        assert [r.dedupe_key for r in s.exec(select(Outbox))] == ["review:1:2026-W47"]
