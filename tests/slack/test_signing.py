"""Only Slack may talk to /slack/events: unsigned, stale and tampered requests get 401 and do nothing."""

import time

import pytest
from sqlmodel import select

from storage.tables import Contract
from tests.slack.harness import ALICE, BOB

STALE = str(int(time.time()) - 6 * 60)


@pytest.mark.parametrize("how", [
    {"signed": False},
    {"timestamp": STALE},
    {"secret": "not-the-signing-secret"},
    {"tamper": b"text=rate%3D9999"},
], ids=["unsigned", "stale", "wrong-secret", "tampered"])
def test_requests_not_from_slack_are_refused_and_change_nothing(slack, fake, ctx, how):
    sent = slack.command(ALICE, "contract", f"new {BOB.mention} rate=40", **how)

    assert sent.http.status_code == 401
    with ctx.unit() as s:
        assert s.exec(select(Contract)).all() == []
    assert [c.method for c in fake.calls] == []


def test_a_signed_request_is_answered(slack):
    reply = slack.ask(ALICE, "tally", "help")

    assert reply["response_type"] == "ephemeral"
    assert "/clockin [memo]" in reply["text"]
