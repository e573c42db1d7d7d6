"""Button clicks and form submissions, the same for every platform: a ButtonRef in, a result out.

Buttons carry a ButtonRef (see bot.services.button_refs); forms (the dispute and answer modals)
add their fields. A click by someone who may not act gets the service's refusal, unchanged. A
click that decided something answers Clicked: the outcome, who acted and the buttons that stay,
which each platform draws on the message that carried the button.
"""

from collections.abc import Callable
from datetime import datetime

from bot.services import devices, earnings, late, links, manual, review
from bot.services.actors import Actor
from bot.services.button_refs import ButtonAction, ButtonRef
from bot.services.context import Context
from bot.services.results import Clicked, Done
from diary.dates import parse_range
from diary.refusal import Refusal, then
from diary.weeks import parse_week

DISPUTE_EXAMPLE = "e.g. 10:00-11:30"
DAMAGED = Refusal("That button is damaged or comes from an older version; ask for a new message, e.g. with /timesheet.")
Handler = Callable[[Context, Actor, ButtonRef, datetime, dict], object]

# Once a click decided something, the message keeps only the buttons still worth pressing: a
# disputed week can still be approved or disputed again; any other decision settles the message.
STAY_AFTER = {ButtonAction.DISPUTE_WEEK: frozenset(
    {ButtonAction.APPROVE_WEEK, ButtonAction.DISPUTE_WEEK, ButtonAction.OPEN_DIARY})}
SETTLED = frozenset({ButtonAction.OPEN_DIARY})


def approve_week(ctx, actor, ref: ButtonRef, now, form):
    return review.approve_week(ctx, actor, now=now, week=ref.week or None, contract_id=ref.number)


def dispute_week(ctx, actor, ref: ButtonRef, now, form):
    """The dispute form: `range` (HH:MM-HH:MM), `day` (a date of that week) and `reason`."""
    return then(parse_range(form.get("range", ""), DISPUTE_EXAMPLE), lambda span: review.dispute(
        ctx, actor, start=span[0], end=span[1], day=form.get("day") or None, reason=form.get("reason", ""), now=now,
        contract_id=ref.number))


def open_diary(ctx, actor, ref: ButtonRef, now, form):
    return links.diary_link(ctx, actor, ref.number, now=now, day=_monday(ref.week))


def _monday(week: str) -> str | None:
    """The reviewed week's Monday, where the link should open; None (today) without a week."""
    try:
        return parse_week(week, "UTC").monday.isoformat() if week else None
    except ValueError:  # a week that is not on the calendar, e.g. 2026-W60
        return None


def _dispute_step(step: str) -> Handler:
    def act(ctx, actor, ref: ButtonRef, now, form):
        return review.dispute_action(ctx, actor, ref.number, step, now=now, text=form.get("answer", ""))

    return act


def _manual(approve: bool) -> Handler:
    def act(ctx, actor, ref: ButtonRef, now, form):
        return manual.decide(ctx, actor, ref.number, approve=approve, now=now)

    return act


def _late(approve: bool) -> Handler:
    def act(ctx, actor, ref: ButtonRef, now, form):
        return late.decide(ctx, actor, ref.number, approve=approve, now=now)

    return act


ACTIONS: dict[ButtonAction, Handler] = {
    ButtonAction.APPROVE_WEEK: approve_week,
    ButtonAction.DISPUTE_WEEK: dispute_week,  # needs the dispute form
    ButtonAction.OPEN_DIARY: open_diary,
    ButtonAction.ACCEPT_DISPUTE: _dispute_step("accept"),
    ButtonAction.ANSWER_DISPUTE: _dispute_step("answer"),  # needs the answer form
    ButtonAction.WITHDRAW_DISPUTE: _dispute_step("withdraw"),
    ButtonAction.CONFIRM_DISPUTE: _dispute_step("confirm"),
    ButtonAction.APPROVE_MANUAL: _manual(True),
    ButtonAction.DECLINE_MANUAL: _manual(False),
    ButtonAction.REVOKE_DEVICE: lambda ctx, actor, ref, now, form: devices.revoke_own(ctx, actor, ref.number, now=now),
    ButtonAction.UNDO_PAID: lambda ctx, actor, ref, now, form: earnings.undo_paid(ctx, actor, ref.number, now=now),
    ButtonAction.APPROVE_LATE: _late(True),
    ButtonAction.DECLINE_LATE: _late(False),
}
NEEDS_FORM = {ButtonAction.DISPUTE_WEEK: ("range", "day", "reason"), ButtonAction.ANSWER_DISPUTE: ("answer",)}


def press(ctx: Context, actor: Actor, ref: ButtonRef | None, *, now: datetime, form: dict | None = None):
    """What clicking the button `ref` (None: a button that could not be read) does for `actor`."""
    if ref is None:
        return DAMAGED
    result = ACTIONS[ref.action](ctx, actor, ref, now, form or {})
    if isinstance(result, Done):
        return Clicked(result.text, by=actor.user, keep=STAY_AFTER.get(ref.action, SETTLED))
    return result
