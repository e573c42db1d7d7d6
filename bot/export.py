"""`tally export --week YYYY-Www [--contract ID]`: a week's timesheets and statements as CSV.

One row per contract and day, then the contract's total row with the money and review status,
in the same columns as `/timesheet ... csv` plus the statement's, the week's earnings and (where the
contract had `window=on`) its top apps and window titles with hours and share.
"""

import csv
import io
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from bot.render.csv import COLUMNS as DAY_COLUMNS
from bot.services import apps, earnings, views
from bot.services.context import Context
from bot.services.results import AppsReport, Timesheet
from diary.apps import AppsTally
from diary.earnings import WeekEarnings
from diary.money import minutes_to_hours
from diary.refusal import Refusal
from diary.weeks import parse_week
from storage.tables import Contract

COLUMNS = [*DAY_COLUMNS, "status", "currency", "rate", "hours_amount", "weekly_payment", "bonuses", "total", "late_hours", "late_amount",
           # the week's earnings at the export's instant (docs/rules.md#earnings), from its stored statement
           "pending", "available", "paid", "paid_at",
           # where the week's counted time went, on contracts with window=on (docs/rules.md#apps)
           "apps", "window_titles"]
States = dict[tuple[int, str], WeekEarnings]


def export_week(ctx: Context, week: str, *, now: datetime, contract_id: int | None = None) -> str | Refusal:
    try:
        monday = parse_week(week, "UTC").monday
    except ValueError as error:
        return Refusal(str(error))
    with ctx.unit() as s:
        query = select(Contract).where(Contract.start_day <= monday + timedelta(days=6),
                                       or_(Contract.end_day.is_(None), Contract.end_day >= monday))
        if contract_id is not None:
            query = query.where(Contract.id == contract_id)
        contracts = list(s.scalars(query.order_by(Contract.id)))
        if contract_id is not None and not contracts:
            return Refusal(f"Contract #{contract_id} does not exist or did not run in {week}.", "not_found")
        sheets = [views.build_timesheet(s, ctx, c, parse_week(week, c.tz), now) for c in contracts]
        states = earnings.week_earnings(s, contracts, now)
        reports = [apps.build_apps(s, ctx, c, parse_week(week, c.tz)) for c in contracts]
    return sheets_csv(sheets, states, [r if isinstance(r, AppsReport) else None for r in reports])


def sheets_csv(sheets: list[Timesheet], states: States | None = None, reports: list[AppsReport | None] | None = None) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for sheet, report in zip(sheets, reports or [None] * len(sheets), strict=True):
        writer.writerows(_rows(sheet, (states or {}).get((sheet.contract_id, sheet.week)), report))
    return out.getvalue()


def _time(name: str, seconds: int, tally: AppsTally) -> str:
    return f"{name} {minutes_to_hours(round(seconds / 60))} h ({tally.share(seconds)}%)"


def _apps_cells(report: AppsReport | None) -> list[str]:
    """The week's top apps, and their top window titles, on the contract's total row: "code 5.50 h (55%); ..."
    Blank where window tracking was off all week."""
    if report is None:
        return ["", ""]
    ta = report.tally
    titles = [_time(f"{app.app} — {t.title}", t.seconds, ta) for app in ta.apps for t in app.titles]
    return ["; ".join(_time(app.app, app.seconds, ta) for app in ta.apps), "; ".join(titles)]


def _states(e: WeekEarnings | None) -> list:
    if e is None:  # nothing owed on the week (yet)
        return ["0.00", "0.00", "0.00", ""]
    return [e.pending, e.available, e.paid, e.paid_at.isoformat() if e.paid_at else ""]


def _hours(*minutes: int) -> list:
    return [minutes_to_hours(m) for m in minutes]


def _rows(sheet: Timesheet, state: WeekEarnings | None = None, report: AppsReport | None = None) -> list[list]:
    who = [sheet.week, sheet.contract_id, sheet.freelancer]
    money_blank = [""] * (len(COLUMNS) - len(DAY_COLUMNS))
    days = [[*who, d.day.isoformat(), *_hours(d.counted, d.billable, d.over_limit, d.manual, d.disputed), *money_blank]
            for d in sheet.days]
    st = sheet.statement
    total = [*who, "total", *_hours(st.counted_minutes, st.billable_minutes, st.over_limit_minutes, st.manual_minutes,
                                     st.disputed_minutes + st.removed_minutes),
             sheet.status, st.currency, st.rate, st.hours_amount, st.weekly_payment, st.bonuses, st.total,
             *_hours(st.late_minutes), st.late_amount, *_states(state), *_apps_cells(report)]
    return [*days, total]
