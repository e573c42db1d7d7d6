"""Button clicks and form submissions, the same for every platform: action + value in, result out.

Buttons carry `action` and `value` (see results.Button); forms (the dispute and answer modals)
add their fields. A click by someone who may not act gets the service's refusal, unchanged.
"""

from collections.abc import Callable
from datetime import datetime

from bot.services import links, manual, review
from bot.services.actors import Actor
from bot.services.context import Context
from diary.dates import parse_range
from diary.refusal import Refusal
from diary.weeks import parse_week

DISPUTE_EXAMPLE = "e.g. 10:00-11:30"
Handler = Callable[[Context, Actor, str, datetime, dict], object]


def _contract_week(value: str) -> tuple[int, str] | Refusal:
    contract_id, _, week = value.partition(":")
    if not contract_id.isdigit() or not week:
        return Refusal("That button is damaged; ask for a new message with /timesheet.")
    return int(contract_id), week


def _number(value: str) -> int | Refusal:
    return int(value) if value.isdigit() else Refusal("That button is damaged; it names nothing I know.")


def approve_week(ctx, actor, value, now, form):
    target = _contract_week(value)
    if isinstance(target, Refusal):
        return target
    return review.approve_week(ctx, actor, now=now, week=target[1], contract_id=target[0])


def dispute_week(ctx, actor, value, now, form):
    """The dispute form: `range` (HH:MM-HH:MM), `day` (a date of that week) and `reason`."""
    target = _contract_week(value)
    if isinstance(target, Refusal):
        return target
    span = parse_range(form.get("range", ""), DISPUTE_EXAMPLE)
    if isinstance(span, Refusal):
        return span
    return review.dispute(ctx, actor, start=span[0], end=span[1], day=form.get("day") or None,
                          reason=form.get("reason", ""), now=now, contract_id=target[0])


def open_diary(ctx, actor, value, now, form):
    contract_id, _, week = value.partition(":")
    number = _number(contract_id)
    if isinstance(number, Refusal):
        return number
    return links.diary_link(ctx, actor, number, now=now, day=_monday(week))


def _monday(week: str) -> str | None:
    """The reviewed week's Monday, where the link should open; None (today) without a week."""
    try:
        return parse_week(week, "UTC").monday.isoformat() if week else None
    except ValueError:
        return None


def _dispute_step(step: str) -> Handler:
    def act(ctx, actor, value, now, form):
        number = _number(value)
        if isinstance(number, Refusal):
            return number
        return review.dispute_action(ctx, actor, number, step, now=now, text=form.get("answer", ""))

    return act


def _manual(approve: bool) -> Handler:
    def act(ctx, actor, value, now, form):
        number = _number(value)
        return number if isinstance(number, Refusal) else manual.decide(ctx, actor, number, approve=approve, now=now)

    return act


ACTIONS: dict[str, Handler] = {
    "approve_week": approve_week,
    "dispute_week": dispute_week,  # needs the dispute form
    "open_diary": open_diary,
    "accept_dispute": _dispute_step("accept"),
    "answer_dispute": _dispute_step("answer"),  # needs the answer form
    "withdraw_dispute": _dispute_step("withdraw"),
    "confirm_dispute": _dispute_step("confirm"),
    "approve_manual": _manual(True),
    "decline_manual": _manual(False),
}
NEEDS_FORM = {"dispute_week": ("range", "day", "reason"), "answer_dispute": ("answer",)}


def press(ctx: Context, actor: Actor, action: str, value: str, *, now: datetime, form: dict | None = None):
    handler = ACTIONS.get(action)
    if handler is None:
        return Refusal("That button is not one I know; it may come from an older version.")
    return handler(ctx, actor, value, now, form or {})
