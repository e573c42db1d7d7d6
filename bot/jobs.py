"""Scheduled jobs, runnable by name as of an instant (`tally jobs run NAME --at ISO`).

Each job does whatever is due as of `now`, in every contract's timezone, and may run any number
of times: what it sends is queued under a dedupe key, so a rerun or a second worker sends nothing
twice. That is also how the scheduler catches up after the worker was down: it runs them all.
"""

from datetime import datetime

from bot.services import alerts, closing, late, minimum, reminders, retention, review, summary, webcam
from bot.services.context import Context


def week_close(ctx: Context, *, now: datetime) -> str:
    """Statements and review messages of every week past its edit deadline, then the workspace summaries."""
    closed = closing.close_due(ctx, now=now)
    summaries = summary.post_summaries(ctx, now=now)
    return f"week-close: {closed} weeks closed, {summaries} workspace summaries queued"


def review_reminder(ctx: Context, *, now: datetime) -> str:
    return f"review-reminder: {reminders.remind_pending(ctx, now=now)} reminders queued"


def minimum_reminder(ctx: Context, *, now: datetime) -> str:
    return f"minimum-reminder: {minimum.remind_behind(ctx, now=now)} freelancers reminded of their weekly minimum"


def review_deadline(ctx: Context, *, now: datetime) -> str:
    # Late slots nobody decided on go with their week's review, before it is approved.
    slots = late.approve_due(ctx, now=now)
    approved = review.auto_approve_due(ctx, now=now)
    return f"review-deadline: {len(approved)} weeks approved automatically" + (f"; {slots} sets of late slots approved with them" if slots else "")


def agent_lost(ctx: Context, *, now: datetime) -> str:
    return f"agent-lost: {alerts.agent_lost(ctx, now=now)} freelancers told their agent went quiet"


def limit_alerts(ctx: Context, *, now: datetime) -> str:
    return f"limit-alerts: {alerts.limit_alerts(ctx, now=now)} alerts queued"


def screenshot_retention(ctx: Context, *, now: datetime) -> str:
    if ctx.retention_days is None:
        return "retention: screenshots are kept (TALLY_RETENTION_DAYS is not set)"
    deleted = retention.delete_old_screenshots(ctx, now=now, days=ctx.retention_days)
    webcam.delete_old_frames(ctx, now=now, days=ctx.retention_days)  # camera frames go with the screenshots
    return f"retention: {deleted} screenshots older than {ctx.retention_days} days deleted"


# In catch-up order: a week is closed before its deadline can approve it.
JOBS = {
    "week-close": week_close,
    "review-reminder": review_reminder,
    "review-deadline": review_deadline,
    "agent-lost": agent_lost,
    "limit-alerts": limit_alerts,
    "minimum-reminder": minimum_reminder,
    "retention": screenshot_retention,
}
