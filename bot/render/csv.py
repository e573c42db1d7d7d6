"""Timesheets as CSV, the same columns wherever they are exported."""

import csv
import io

from bot.services.results import Timesheet
from diary.money import minutes_to_hours

COLUMNS = ["week", "contract", "freelancer", "day", "counted_hours", "billable_hours", "over_limit_hours", "manual_hours", "disputed_hours"]


def timesheet_csv(sheet: Timesheet) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for d in sheet.days:
        writer.writerow([sheet.week, sheet.contract_id, sheet.freelancer, d.day.isoformat(),
                         *(minutes_to_hours(m) for m in (d.counted, d.billable, d.over_limit, d.manual, d.disputed))])
    st = sheet.statement
    writer.writerow([sheet.week, sheet.contract_id, sheet.freelancer, "total", minutes_to_hours(st.counted_minutes),
                     minutes_to_hours(st.billable_minutes), minutes_to_hours(st.over_limit_minutes),
                     minutes_to_hours(st.manual_minutes), minutes_to_hours(st.disputed_minutes + st.removed_minutes)])
    writer.writerow(["amount", st.currency, "hours", st.hours_amount, "weekly_payment", st.weekly_payment, "bonuses", st.bonuses, "total", st.total])
    return out.getvalue()
