"""The day diary and the week timesheet, as both parties of a contract see them."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.services import capabilities, ledger
from bot.services.actors import Actor, UserRef, resolve, resolve_ref
from bot.services.context import Context
from bot.services.picking import pick
from bot.services.results import Cell, Choice, DayDiary, DayLine, HourRow, Timesheet
from diary.activity import activity_percent, slot_counts
from diary.closed_week import ClosedBooks, books_of, statement_of
from diary.dates import resolve_day
from diary.weeks import local_day
from diary.permissions import Action
from diary.refusal import Refusal, then
from diary.statements import Statement
from diary.weeks import BillingWeek, day_bounds, parse_week, week_of
from storage import repo
from storage.tables import Contract, LateRequest, Member, WorkSession

CELLS_PER_ROW = 6


def _viewed(s: Session, actor: Actor, command: str, contract_id: int | None, other: UserRef | None):
    ws, me = resolve(s, actor)
    who = resolve_ref(s, ws, other) if other else None
    return pick(s, me, channel=actor.channel, action=Action.VIEW, command=command, contract_id=contract_id, other=who)


def day_diary(ctx: Context, actor: Actor, *, now: datetime, day: str | None = None,
              other: UserRef | None = None, contract_id: int | None = None) -> DayDiary | Choice | Refusal:
    with ctx.unit() as s:
        contract = _viewed(s, actor, "/diary", contract_id, other)
        if isinstance(contract, Refusal | Choice):
            return contract
        wanted = resolve_day(day, local_day(now, contract.tz))
        _, me = resolve(s, actor)
        return then(wanted, lambda local: build_day(s, ctx, contract, local, viewer_id=me.id))


def build_day(s: Session, ctx: Context, contract: Contract, day: date, *, viewer_id: int | None = None) -> DayDiary:
    """The day as `viewer_id` sees it: the freelancer sees private time as private, anyone else a gap."""
    begin, end = day_bounds(day, contract.tz)
    week_lines = week_lines_of(s, ctx, contract, week_of(begin, contract.tz))
    todays = [line for line in week_lines if begin <= line.slot.start < end]
    late = late_cells(s, ctx, contract, begin, end)
    shots = repo.screenshots_for(s, slot_ids=[line.slot.id for line in todays])
    private = _private_offsets(s, contract, begin, end, ctx.slot_seconds) if viewer_id == contract.freelancer_id else set()
    running = repo.open_session(s, freelancer_id=contract.freelancer_id)
    tracking = running is not None and running.contract_id == contract.id
    return DayDiary(
        contract_id=contract.id, title=contract.title, freelancer=s.get(Member, contract.freelancer_id).name,
        day=day, tz=contract.tz, rows=_rows(todays, shots, begin, ctx.slot_seconds, contract.tz, private, late),
        counted_minutes=sum(line.item.counted for line in todays),
        manual_minutes=sum(line.item.counted for line in todays if line.item.manual),
        over_limit_minutes=sum(line.bill.over for line in todays),
        activity=activity_of([line.slot for line in todays]), tracking=tracking, memo=running.memo if tracking else "",
        late_minutes=sum(cell.counted for cell in late.values()),
        cannot_track=_cannot_track(s, contract),
    )


def _cannot_track(s: Session, contract: Contract) -> str:
    reason = capabilities.cannot_track(s, contract.freelancer_id)
    return capabilities.notice(reason) if reason is not None else ""


def late_cells(s: Session, ctx: Context, contract: Contract, begin: datetime, end: datetime) -> dict[datetime, Cell]:
    """The day's late slots, shown to both parties with the client's decision (docs/rules.md, late slots)."""
    slots = [x for x in repo.slots_between(s, contract_id=contract.id, start=begin, end=end) if x.late_request_id]
    shots = repo.screenshots_for(s, slot_ids=[x.id for x in slots])
    zone = ZoneInfo(contract.tz)
    return {x.start: Cell(start=x.start.astimezone(zone), slot_id=x.id, activity=x.active_minutes,
                          counted=ledger.slot_counted(x, s.get(WorkSession, x.session_id) if x.session_id else None, contract, ctx.slot_seconds),
                          screenshot=x.id in shots, memo=x.memo, late=s.get(LateRequest, x.late_request_id).status,
                          counts=slot_counts(x.minutes))
            for x in slots}


def week_lines_of(s: Session, ctx: Context, contract: Contract, week: BillingWeek) -> list[ledger.Line]:
    """The week's slots with what each counts for: as its close fixed them once the week is closed."""
    rec = ledger.records(s, contract, week, ctx.slot_seconds)
    books = closed_books(s, contract, week)
    return ledger.lines_of(contract, week, rec, ctx.slot_seconds) if books is None else ledger.closed_lines(books, rec)


def closed_books(s: Session, contract: Contract, week: BillingWeek) -> ClosedBooks | None:
    review = repo.week_review(s, contract_id=contract.id, week_start=week.monday)
    return None if review is None or review.books is None else books_of(review.books)


def activity_of(slots: list) -> int | None:
    """Activity of Slot rows (their minutes decoded: for a week close, closing counts them in SQL)."""
    tracked = [x for x in slots if not x.manual]
    minutes = sum(sum(1 for m in (x.minutes or []) if m is not None) for x in tracked)
    return activity_percent(sum(x.active_minutes for x in tracked), minutes)


def _cell(line: ledger.Line, has_shot: bool, zone: ZoneInfo) -> Cell:
    return Cell(
        start=line.slot.start.astimezone(zone), slot_id=line.slot.id, activity=line.slot.active_minutes,
        counted=line.item.counted, manual=line.slot.manual, over_limit=line.bill.over > 0,
        disputed=line.bill.held + line.bill.removed > 0, screenshot=has_shot, memo=line.slot.memo,
        private_app=line.slot.private_app, counts=slot_counts(line.slot.minutes),
    )


def _private_offsets(s: Session, contract: Contract, begin: datetime, end: datetime, slot_seconds: int) -> set[int]:
    """The day's slot positions that share time with a private period of the freelancer."""
    found: set[int] = set()
    for period in repo.private_periods(s, member_id=contract.freelancer_id, start=begin, end=end):
        first = max(period.started_at, begin)
        last = min(period.ended_at or end, end)
        found.update(range(int((first - begin).total_seconds()) // slot_seconds,
                           -(-int((last - begin).total_seconds()) // slot_seconds)))
    return found


def _rows(lines: list[ledger.Line], shots: dict, begin: datetime, slot_seconds: int, tz: str,
          private: set[int] = frozenset(), late: dict[datetime, Cell] | None = None) -> list[HourRow]:
    """Rows of six slots (an hour with 10-minute slots), only those with something in them;
    `private` are the positions of empty slots to show as private time, `late` the late slots' cells."""
    zone, row_length = ZoneInfo(tz), timedelta(seconds=slot_seconds * CELLS_PER_ROW)
    cells = {line.slot.start: _cell(line, line.slot.id in shots, zone) for line in lines} | (late or {})
    by_row: dict[int, dict[int, Cell]] = {}
    for offset in private:
        start = (begin + timedelta(seconds=offset * slot_seconds)).astimezone(zone)
        by_row.setdefault(offset // CELLS_PER_ROW, {})[offset % CELLS_PER_ROW] = Cell(start=start, private=True)
    for start, cell in cells.items():
        offset = int((start - begin).total_seconds()) // slot_seconds
        by_row.setdefault(offset // CELLS_PER_ROW, {})[offset % CELLS_PER_ROW] = cell
    rows = []
    for index in sorted(by_row):
        row_start = begin + index * row_length
        cells = [by_row[index].get(i) or Cell(start=(row_start + timedelta(seconds=i * slot_seconds)).astimezone(zone)) for i in range(CELLS_PER_ROW)]
        rows.append(HourRow(start=row_start.astimezone(zone), cells=cells))
    return rows


def pick_week(text: str | None, tz: str, now: datetime) -> BillingWeek:
    """this | last | YYYY-Www; ValueError with a sentence for anything else."""
    current = week_of(now, tz)
    if text in (None, "", "this"):
        return current
    if text == "last":
        return current.previous()
    return parse_week(text, tz)


def timesheet(ctx: Context, actor: Actor, *, now: datetime, week: str | None = None,
              other: UserRef | None = None, contract_id: int | None = None) -> Timesheet | Choice | Refusal:
    with ctx.unit() as s:
        contract = _viewed(s, actor, "/timesheet", contract_id, other)
        if isinstance(contract, Refusal | Choice):
            return contract
        try:
            billing_week = pick_week(week, contract.tz, now)
        except ValueError as error:
            return Refusal(f"{error} Or say this or last, e.g. /timesheet last.")
        return build_timesheet(s, ctx, contract, billing_week, now)


def week_status(s: Session, contract: Contract, week: BillingWeek, now: datetime) -> str:
    review = repo.week_review(s, contract_id=contract.id, week_start=week.monday)
    if review is not None:
        return review.status
    return "open" if now < week.end else "editing" if now < week.edit_deadline else "closing"


def build_timesheet(s: Session, ctx: Context, contract: Contract, week: BillingWeek, now: datetime) -> Timesheet:
    """The week's timesheet: once the week is closed, its stored statement and books, nothing else."""
    freelancer = s.get(Member, contract.freelancer_id).name
    review = repo.week_review(s, contract_id=contract.id, week_start=week.monday)
    if review is not None and review.books is not None:
        books = books_of(review.books)
        return timesheet_of(contract, week, freelancer, ledger.closed_days(week, books), statement_of(review.statement),
                            review.status, books.limit_minutes, ledger.closed_minimum(s, contract, week, books))
    rec = ledger.records(s, contract, week, ctx.slot_seconds)
    days, statement = ledger.week_days(contract, week, rec, ctx.slot_seconds)
    return timesheet_of(contract, week, freelancer, days, statement, week_status(s, contract, week, now),
                        ledger.limit_minutes(contract, rec, week), ledger.minimum_minutes(contract, rec, week))


def timesheet_of(contract: Contract, week: BillingWeek, freelancer: str, days: list[ledger.DayTotal],
                 statement: Statement, status: str, limit_minutes: int | None, minimum_minutes: int | None = None) -> Timesheet:
    """The timesheet of records already at hand (the week close reads many contracts at once)."""
    return Timesheet(
        contract_id=contract.id, title=contract.title, freelancer=freelancer, week=week.label, tz=contract.tz,
        days=[_day_line(day) for day in days], statement=statement, status=status,
        limit_hours=None if limit_minutes is None else Decimal(limit_minutes) / 60, minimum_minutes=minimum_minutes,
    )


def _day_line(total: ledger.DayTotal) -> DayLine:
    bill = total.bill
    return DayLine(day=total.day, counted=total.counted, billable=bill.billable, over_limit=bill.over,
                   manual=total.manual, disputed=bill.held + bill.removed)
