"""The workspace's weekly summary: every contract's closed week in one message to the channel
chosen with /tally summary-channel. It goes out once every contract of the workspace has closed
that week, which for contracts in later timezones is a few hours after the first."""

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlmodel import Session

from bot.services import announce, earnings
from bot.services.context import Context
from diary.earnings import format_totals, totals
from diary.money import format_minutes, format_money
from diary.weeks import BillingWeek
from storage import contracts, outbox, reviews
from storage.tables import Contract, Member, Outbox, WeekReview, Workspace

# Weeks closed this recently are looked at; older ones were summarised long ago (or never will be).
RECENT = timedelta(days=8)
STATUS = {"pending": "waiting for review", "approved": "approved", "auto_approved": "approved automatically",
          "disputed": "disputed"}
MOST_BARS = 12  # so that each bar's name still fits under it


def post_summaries(ctx: Context, *, now: datetime) -> int:
    """Queues every summary that is due; returns how many."""
    with ctx.unit() as s:
        weeks = reviews.summarised_weeks_closed_since(s, since=now - RECENT)
        return sum(_summarize(s, s.get(Workspace, ws_id), monday, now) for ws_id, monday in weeks)


def _summarize(s: Session, ws: Workspace, monday: date, now: datetime) -> int:
    label = BillingWeek(monday, "UTC").label  # the same ISO week in every timezone
    key = f"summary:{ws.id}:{label}"
    if outbox.has_message(s, key=key):
        return 0
    running = _contracts_of_week(s, ws, monday)
    closed = reviews.reviews_of_week(s, contract_ids=[c.id for c in running], week_start=monday)
    if any(c.id not in closed for c in running):
        return 0  # a contract's edit deadline, in its own timezone, is still ahead
    weeks = [(c, closed[c.id]) for c in running]
    text = summary_text(s, weeks) + "\n" + earnings_line(s, running, now)
    # Drawn by the outbox just before sending, as the review message's chart is (see weekly.draw_chart).
    extra = {"title": f"Weekly summary {label}", "week": label, "image_key": f"charts/workspace-{ws.id}/summary-{label}.png",
             "chart": summary_chart([(s.get(Member, c.freelancer_id).name, r.statement) for c, r in weeks], label)}
    return int(outbox.add_message(s, Outbox(**announce.message_values(ws, ws.summary_channel, "summary", key, text, (), now, extra))))


def _contracts_of_week(s: Session, ws: Workspace, monday: date) -> list[Contract]:
    """Contracts of the workspace that ran at some time in that week."""
    return contracts.contracts_running_in(s, workspace_id=ws.id, first_day=monday, last_day=monday + timedelta(days=6))


def summary_chart(weeks: list[tuple[str, dict]], label: str) -> dict:
    """Each freelancer's week as one bar: billable, over limit and disputed hours of every contract
    (freelancer's name, statement as closed). Past MOST_BARS freelancers, those with least time share a bar."""
    minutes: dict[str, list[int]] = {}
    for name, st in weeks:
        bar = minutes.setdefault(name, [0, 0, 0])
        for index, key in enumerate(("billable_minutes", "over_limit_minutes", "disputed_minutes")):
            bar[index] += st.get(key, 0)
    ranked = sorted(minutes.items(), key=lambda item: -sum(item[1]))
    if len(ranked) > MOST_BARS:
        rest = ranked[MOST_BARS - 1:]
        ranked = ranked[:MOST_BARS - 1] + [(f"{len(rest)} others", [sum(m[i] for _, m in rest) for i in range(3)])]
    return {"title": f"Hours per freelancer, {label}", "bars": [[name, *bar] for name, bar in ranked]}


def summary_text(s: Session, weeks: list[tuple[Contract, WeekReview]]) -> str:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    lines = []
    for contract, review in weeks:
        st = review.statement
        totals[st["currency"]] += Decimal(st["total"])
        name = s.get(Member, contract.freelancer_id).name
        lines.append(f"{name} — {contract.title or f'contract #{contract.id}'}: {format_minutes(st['counted_minutes'])} counted, "
                     f"{format_money(Decimal(st['total']), st['currency'])}, {STATUS.get(review.status, review.status)}")
    lines.append("Total " + " · ".join(format_money(amount, currency) for currency, amount in sorted(totals.items())))
    return "\n".join(lines)


def earnings_line(s: Session, running: list[Contract], now: datetime) -> str:
    """What these contracts owe over all their weeks, from the stored statements (docs/rules.md#earnings)."""
    currency = {c.id: c.currency for c in running}
    sums = totals((currency[cid], e) for (cid, _), e in earnings.week_earnings(s, running, now).items())
    return (f"Earnings so far, every week of these contracts: available to pay {format_totals(sums.available)}"
            f" · pending {format_totals(sums.pending)} · paid {format_totals(sums.paid)}")
