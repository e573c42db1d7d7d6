"""A closed week: its statement kept as it was sent, and the weekly review message to the channel.

The message has the hours per day, activity, tracked / manual / over-limit time, the amount, a
chart of the hours per day and the Approve, Dispute and Open diary buttons. A week with nothing
in it gets no message.

The chart is a PNG in the blob store, named by the payload's "image_key". It is drawn from the
payload's "chart" just before the message is sent, not when the week closes: on Monday thousands
of weeks close within minutes, while their messages go out over a longer while anyway.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from sqlmodel import Session

from bot.services import announce, ledger, views
from bot.services.button_refs import ButtonAction, ButtonRef
from bot.services.chart import Bar, hours_chart
from bot.services.context import Context
from bot.services.results import Button, Timesheet
from diary.closed_week import ClosedBooks, books_json, books_of, statement_of
from diary.money import format_minutes, format_money
from diary.statements import Statement
from diary.weeks import BillingWeek, describe_instant
from storage import outbox, repo
from storage.tables import Contract, Member, Outbox, WeekReview, Workspace


@dataclass(frozen=True)
class Closing:
    """What closing one contract's week writes, as column values: the review row, and its message
    if it has one (the week close inserts thousands of them at once)."""

    review: dict
    message: dict | None = None


def statement_json(statement: Statement) -> dict:
    # vars, not asdict: a statement is flat, and asdict's deep copy is slow for thousands of weeks
    return {key: str(value) if isinstance(value, Decimal) else value for key, value in vars(statement).items()}


def has_work(statement: dict) -> bool:
    """Whether a week (its statement as stored) has anything to review: time or money."""
    return statement.get("counted_minutes", 0) > 0 or Decimal(statement.get("total", "0")) > 0


def week_buttons(contract: Contract, week: BillingWeek) -> tuple[Button, ...]:
    def ref(action: ButtonAction) -> ButtonRef:
        return ButtonRef(action, contract.id, week.label)

    return (Button("Approve", ref(ButtonAction.APPROVE_WEEK)), Button("Dispute", ref(ButtonAction.DISPUTE_WEEK)),
            Button("Open diary", ref(ButtonAction.OPEN_DIARY)))


def chart_key(contract_id: int, week: BillingWeek) -> str:
    return f"charts/{contract_id}/hours-{week.label}.png"


def close_one(s: Session, ctx: Context, contract: Contract, week: BillingWeek, now: datetime, *,
              request_review: bool = True) -> WeekReview:
    """Closes one week in the caller's transaction (the caller knows it is not closed yet); without
    `request_review` no review message goes out (the client approved the week as it closed)."""
    rec = ledger.records(s, contract, week, ctx.slot_seconds)
    days, statement, books = ledger.closing_books(contract, week, rec, ctx.slot_seconds)
    freelancer = s.get(Member, contract.freelancer_id).name
    closing = closing_of(s.get(Workspace, contract.workspace_id), contract, week, days, statement, books,
                         views.activity_of(rec.slots), freelancer, now)
    review = WeekReview(**closing.review)
    s.add(review)
    if closing.message is not None and request_review:
        outbox.add_message(s, Outbox(**closing.message))
    s.flush()
    return review


def restate(s: Session, contract: Contract, week: BillingWeek, review: WeekReview, slot_seconds: int) -> None:
    """The week's own review moved (a dispute, late slots decided): its stored statement and books
    say so. Nothing else ever changes them."""
    s.flush()
    rec = ledger.records(s, contract, week, slot_seconds)
    books, statement = ledger.restate(week, books_of(review.books), rec, statement_of(review.statement))
    review.books, review.statement = books_json(books), statement_json(statement)


def keep_books_of_closed_weeks(ctx: Context, *, batch: int = 200) -> int:
    """Weeks closed before closed weeks kept their books get them now, computed exactly as their
    timesheet showed them until then (run once by `tally db upgrade`); returns how many."""
    kept = 0
    while True:
        with ctx.unit() as s:
            reviews = repo.reviews_without_books(s, limit=batch)
            for review in reviews:
                contract = s.get(Contract, review.contract_id)
                week = BillingWeek(review.week_start, contract.tz)
                _, statement, books = ledger.closing_books(contract, week, ledger.records(s, contract, week, ctx.slot_seconds), ctx.slot_seconds)
                review.statement, review.books = statement_json(statement), books_json(books)
        kept += len(reviews)
        if len(reviews) < batch:
            return kept


def closing_of(ws: Workspace, contract: Contract, week: BillingWeek, days: list[ledger.DayTotal],
               statement: Statement, books: ClosedBooks, activity: int | None, freelancer: str, now: datetime) -> Closing:
    """The rows to write for a week, from records already read."""
    review = {"contract_id": contract.id, "week_start": week.monday, "statement": statement_json(statement),
              "books": books_json(books), "closed_at": now}
    if not has_work(review["statement"]):
        return Closing(review)
    sheet = views.timesheet_of(contract, week, freelancer, days, statement, "pending", books.limit_minutes, books.minimum_minutes)
    extra = {"title": title(sheet), "contract_id": contract.id, "week": week.label,
             "image_key": chart_key(contract.id, week), "chart": chart_of(sheet)}
    message = announce.message_values(ws, contract.channel_id, "review", f"review:{contract.id}:{week.label}",
                                   review_text(sheet, activity, week), week_buttons(contract, week), now, extra)
    return Closing(review, message)


def chart_of(sheet: Timesheet) -> dict:
    """What the chart shows: minutes per day, billable / over limit / disputed."""
    return {"title": f"Hours per day, {sheet.week}",
            "bars": [[day_name(day.day), day.billable, day.over_limit, day.disputed] for day in sheet.days]}


def draw_chart(ctx: Context, payload: dict) -> None:
    """Stores the chart a message's payload describes under its image_key; drawing it again is harmless."""
    chart = payload.get("chart")
    if chart and payload.get("image_key"):
        picture = hours_chart(chart["title"], [Bar(*bar) for bar in chart["bars"]])
        ctx.blobs.put(payload["image_key"], picture, "image/png")


def title(sheet: Timesheet) -> str:
    return f"Week {sheet.week} of {sheet.freelancer}" + (f" — {sheet.title}" if sheet.title else "")


def review_text(sheet: Timesheet, activity: int | None, week: BillingWeek) -> str:
    st, money = sheet.statement, lambda amount: format_money(amount, sheet.statement.currency)
    per_day = " · ".join(f"{day_name(day.day)} {format_minutes(day.counted)}" for day in sheet.days)
    shown = "no activity recorded" if activity is None else f"activity {activity}%"
    return "\n".join((
        per_day,
        f"{format_minutes(st.counted_minutes)} counted (tracked {format_minutes(st.tracked_minutes)}, "
        f"manual {format_minutes(st.manual_minutes)}) · {format_minutes(st.over_limit_minutes)} over limit · {shown}",
        f"{format_minutes(st.billable_minutes)} billable × {money(st.rate)}/h = {money(st.hours_amount)}"
        f" · weekly payment {money(st.weekly_payment)} · bonuses {money(st.bonuses)}",
        *([f"Late slots of earlier weeks: {format_minutes(st.late_minutes)} approved = {money(st.late_amount)}"
           f" · {format_minutes(st.late_waiting_minutes)} waiting for approval"] if st.late_minutes or st.late_waiting_minutes else []),
        f"Total {money(st.total)}",
        *([f"Weekly minimum: {sheet.against_minimum} (a goal, not enforced)"] if sheet.against_minimum else []),
        f"Approve or dispute by {review_deadline_text(week)}; undisputed hours are approved then.",
    ))


# Cached: on Monday thousands of messages name the same few days and deadlines.
@lru_cache(maxsize=512)
def day_name(day: date) -> str:
    return f"{day:%a}"


@lru_cache(maxsize=512)
def review_deadline_text(week: BillingWeek) -> str:
    return describe_instant(week.review_deadline, week.tz)


def auto_approved_text(s: Session, contract: Contract, week: BillingWeek, review: WeekReview) -> str:
    st, freelancer = review.statement, s.get(Member, contract.freelancer_id).name
    return (f"Week {week.label} of {freelancer} was approved automatically: nobody approved or disputed it by "
            f"{describe_instant(week.review_deadline, week.tz)}. Total {format_money(Decimal(st['total']), st['currency'])}.")
