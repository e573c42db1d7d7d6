"""Alerts from the scheduled jobs: a weekly limit nearly or fully used, and an agent gone silent.

Each is told once: the outbox dedupe key names what it is about (the contract's week, limit and
level; the silence's start), so a second run, or a second worker, finds it already queued.
"""

from datetime import datetime, timedelta

from sqlmodel import Session

from bot.services import announce, ledger
from bot.services.context import Context
from diary.money import format_minutes
from diary.terms import ContractStatus
from diary.weeks import BillingWeek, describe_instant, week_of
from storage import recent_work
from storage.tables import Contract, Member, WorkSession

# Contracts that got time this recently are checked: the job runs every few minutes, so this
# also covers a worker that was down for a while.
RECENT_TIME = timedelta(hours=2)
LEVELS = (100, 80)  # percent of the weekly limit, highest first: only the highest reached is told


def limit_alerts(ctx: Context, *, now: datetime) -> int:
    """Tells both parties when a contract's week reaches 80% and 100% of its limit; returns how many messages."""
    sent = 0
    with ctx.unit() as s:
        for contract in _recently_worked(s, now):
            sent += _alert_limit(s, ctx, contract, week_of(now, contract.tz), now)
    return sent


def _recently_worked(s: Session, now: datetime) -> list[Contract]:
    return recent_work.contracts_worked_since(s, since=now - RECENT_TIME, status=ContractStatus.ACTIVE)


def _alert_limit(s: Session, ctx: Context, contract: Contract, week: BillingWeek, now: datetime) -> int:
    rec = ledger.records(s, contract, week, ctx.slot_seconds)
    limit = ledger.limit_minutes(contract, rec, week)
    if not limit:
        return 0
    _, statement = ledger.week_days(contract, week, rec, ctx.slot_seconds)
    used = statement.counted_minutes - statement.removed_minutes
    level = next((level for level in LEVELS if used * 100 >= limit * level), None)
    if level is None:
        return 0
    client, freelancer = s.get(Member, contract.client_id), s.get(Member, contract.freelancer_id)
    texts = limit_texts(contract, freelancer.name, used, limit, level)
    return sum(
        announce.to_member(s, member, kind="limit", key=f"limit:{contract.id}:{week.label}:{limit}:{level}:{member.id}",
                           text=text, now=now, extra={"contract_id": contract.id, "week": week.label})
        for member, text in zip((client, freelancer), texts, strict=True)
    )


def limit_texts(contract: Contract, freelancer: str, used: int, limit: int, level: int) -> tuple[str, str]:
    """(to the client, to the freelancer)."""
    about, of_limit = contract.title or f"contract #{contract.id}", f"{limit / 60:g} h weekly limit"
    if level < 100:
        return (f"{freelancer} has worked {format_minutes(used)} of the {of_limit} on {about} ({level}%).",
                f"You have worked {format_minutes(used)} of your {of_limit} on {about} ({level}%).")
    past = "time past it is shown as over limit and not billed"
    return (f"{freelancer} reached the {of_limit} on {about}: {past}. Raise it with /contract limit N.",
            f"You reached your {of_limit} on {about}: {past}, unless the client raises the limit.")


def silence_after(slot_seconds: int) -> timedelta:
    """15 minutes with 10-minute slots: a report is due at the end of each slot, plus some slack."""
    return timedelta(seconds=slot_seconds * 3 // 2)


def agent_lost(ctx: Context, *, now: datetime) -> int:
    """Tells each freelancer clocked in whose agent has not reported for 15 minutes, once per silence."""
    with ctx.unit() as s:
        silent = recent_work.quiet_open_sessions(s, quiet_before=now - silence_after(ctx.slot_seconds))
        return sum(_tell_lost(s, session, now) for session in silent)


def _tell_lost(s: Session, session: WorkSession, now: datetime) -> int:
    contract = s.get(Contract, session.contract_id)
    since = session.last_report_at or session.started_at
    text = (f"Your Tally agent has sent nothing since {describe_instant(since, contract.tz)} while you are clocked in "
            f"on {contract.title or f'contract #{contract.id}'}. Time without reports is not counted: check that "
            "`tally-agent run` is running, or /clockout if you have stopped.")
    session.lost_notified_at = now
    return int(announce.to_member(s, s.get(Member, contract.freelancer_id), kind="agent_lost",
                                  key=f"agent-lost:{session.id}:{since.isoformat()}", text=text, now=now))
