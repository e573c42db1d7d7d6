"""A button's reference reads back as it was written, also from messages sent by older versions,
and a damaged one is refused in words instead of acting on the wrong record."""

import pytest

from bot.buttons import DAMAGED, press
from bot.services.actors import Actor
from bot.services.button_refs import ButtonAction, ButtonRef
from bot.services.results import Button
from tests.conftest import utc


@pytest.mark.parametrize("ref", [
    ButtonRef(ButtonAction.APPROVE_WEEK, 12, "2026-W47"), ButtonRef(ButtonAction.OPEN_DIARY, 3),
    ButtonRef(ButtonAction.ACCEPT_DISPUTE, 7), ButtonRef(ButtonAction.DECLINE_MANUAL, 40),
])
def test_a_reference_reads_back_as_written(ref):
    assert ButtonRef.decode(str(ref.action), ref.encode()) == ref
    assert Button.from_payload(Button("Approve", ref).payload()) == Button("Approve", ref)


def test_values_stored_by_earlier_versions_still_read():
    stored = {"label": "Approve", "action": "approve_week", "value": "12:2026-W47", "url": None}
    assert Button.from_payload(stored).ref == ButtonRef(ButtonAction.APPROVE_WEEK, 12, "2026-W47")


@pytest.mark.parametrize(("action", "value"), [
    ("approve_week", "x:2026-W47"), ("approve_week", "12:next week"), ("accept_dispute", "7:2026-W47"),
    ("launch_rockets", "1"), ("decline_manual", ""), ("decline_manual", "-3"),
])
def test_a_damaged_or_unknown_button_names_nothing(action, value):
    assert ButtonRef.decode(action, value) is None


def test_clicking_a_damaged_button_says_so_and_changes_nothing(ctx):
    actor = Actor("shell", "local", "alice", "alice", "#general")
    assert press(ctx, actor, None, now=utc(2026, 11, 18, 12)) == DAMAGED
