"""Thursday's reminder: clients with a week still waiting for their review hear of it once, with
the buttons, a day before it is approved automatically."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from bot.services import announce, weekly
from bot.services.context import Context
from diary.money import format_minutes, format_money
from diary.review import WeekStatus
from diary.weeks import BillingWeek, describe_instant, local_instant
from storage import reviews
from storage.tables import Contract, Member, WeekReview

REMIND_AT = time(9, 0)  # Thursday morning in the billing timezone
# Reviews of weeks older than this have had their deadline; none of them is still waiting.
OLDEST_WAITING = timedelta(days=14)


def reminder_at(week: BillingWeek) -> datetime:
    """The Thursday of the review window (which opens on the Monday after the week)."""
    return local_instant(week.monday + timedelta(days=10), REMIND_AT, week.tz)


def remind_pending(ctx: Context, *, now: datetime) -> int:
    """Queues a reminder to the client of every pending week in its last day or so of review."""
    sent = 0
    with ctx.unit() as s:
        waiting = reviews.reviews_since(s, status=WeekStatus.PENDING, oldest_week=(now - OLDEST_WAITING).date())
        for review in waiting:
            contract = s.get(Contract, review.contract_id)
            week = BillingWeek(review.week_start, contract.tz)
            if reminder_at(week) <= now < week.review_deadline and weekly.has_work(review.statement or {}):
                client = s.get(Member, contract.client_id)
                sent += announce.to_member(s, client, kind="reminder", key=f"reminder:{review.id}", now=now,
                                           text=reminder_text(s, contract, week, review), buttons=weekly.week_buttons(contract, week),
                                           extra={"contract_id": contract.id, "week": week.label})
    return sent


def reminder_text(s, contract: Contract, week: BillingWeek, review: WeekReview) -> str:
    st, freelancer = review.statement, s.get(Member, contract.freelancer_id).name
    about = f" ({contract.title})" if contract.title else ""
    return (f"Week {week.label} of {freelancer}{about} is waiting for your review: {format_minutes(st['counted_minutes'])} counted, "
            f"total {format_money(Decimal(st['total']), st['currency'])}. Approve or dispute it by "
            f"{describe_instant(week.review_deadline, week.tz)}; after that it is approved automatically.")
