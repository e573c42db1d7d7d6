"""Scheduled jobs, runnable by name as of an instant (`tally jobs run NAME --at ISO`)."""

from datetime import datetime

from bot.services import review
from bot.services.context import Context
from diary.refusal import Refusal
from diary.weeks import week_of
from storage import repo


def week_close(ctx: Context, *, now: datetime) -> str:
    """Closes, for every contract, the last week whose edit deadline has passed."""
    with ctx.unit() as s:
        contracts = repo.live_contracts(s)
    closed = 0
    for contract in contracts:
        week = week_of(now, contract.tz).previous()
        result = review.close_week(ctx, contract.id, week, now=now)
        closed += not isinstance(result, Refusal)
    return f"week-close: {closed} of {len(contracts)} contracts have a closed week"


def review_deadline(ctx: Context, *, now: datetime) -> str:
    approved = review.auto_approve_due(ctx, now=now)
    return f"review-deadline: {len(approved)} weeks approved automatically"


JOBS = {"week-close": week_close, "review-deadline": review_deadline}
