"""Plain text for every service result: the shell prints it, chat platforms use it as fallback."""

from functools import singledispatch

from bot.commands import CsvRequest, Help
from bot.render.csv import timesheet_csv
from bot.services.results import (
    Cell, Choice, ClockedIn, ClockedOut, ContractCard, DayDiary, Done, PairingIssued, Timesheet,
)
from diary.money import format_minutes, format_money
from diary.refusal import Refusal

LEGEND = "cells: activity 0-10 per slot · M manual · ! over limit · ? disputed · . nothing recorded"


@singledispatch
def render(result) -> str:
    return str(result)


@render.register
def _(result: Refusal) -> str:
    return result.message


@render.register
def _(result: Done) -> str:
    return result.text


@render.register
def _(result: Help) -> str:
    return result.text


@render.register
def _(result: Choice) -> str:
    lines = [result.prompt] + [f"  {label}   → {result.command} contract={cid}" for cid, label in result.options]
    return "\n".join(lines)


@render.register
def _(card: ContractCard) -> str:
    limit = "no limit" if card.limit_hours is None else f"{card.limit_hours} h/week"
    lines = [
        f"{card.headline}: #{card.id} {card.title or '(untitled)'} — {card.client} hires {card.freelancer} in {card.channel}",
        f"  rate {format_money(card.rate, card.currency)}/h · {limit} · weekly payment {format_money(card.weekly_payment, card.currency)}",
        f"  screenshots {card.screenshots} · billing {card.billing} · manual time {'on' if card.manual else 'off'} · idle {card.idle_minutes} min · {card.tz}",
        f"  status {card.status} since {card.start_day}",
    ]
    if card.delivery_error:
        lines.append(f"  ⚠ messages to the channel fail: {card.delivery_error}")
    return "\n".join(lines)


@render.register
def _(result: ClockedIn) -> str:
    text = f"Clocked in on {result.title}" + (f" — {result.memo}" if result.memo else "") + "."
    if result.switched_from:
        text += f" (Clocked out of {result.switched_from} first.)"
    return text + (f"\n{result.agent_hint}" if result.agent_hint else "")


@render.register
def _(result: ClockedOut) -> str:
    activity = "no activity recorded" if result.activity is None else f"activity {result.activity}%"
    return f"Clocked out of {result.title}: {format_minutes(result.counted_minutes)} counted, {activity}."


@render.register
def _(result: PairingIssued) -> str:
    return (f"Your pairing code is {result.code} (valid until {result.expires_at:%H:%M} UTC, once).\n"
            f"On your computer run:\n  {result.command}")


def _cell(cell: Cell) -> str:
    if cell.slot_id is None:
        return "  ."
    mark = "M" if cell.manual else str(cell.activity)
    flag = "!" if cell.over_limit else "?" if cell.disputed else " "
    return f"{mark:>2}{flag}"


@render.register
def _(d: DayDiary) -> str:
    head = f"Diary of {d.freelancer} — {d.title or f'contract #{d.contract_id}'} — {d.day:%a %Y-%m-%d} ({d.tz})"
    rows = [f"  {row.start:%H:%M} " + "".join(_cell(c) for c in row.cells) + "   " + _memos(row.cells) for row in d.rows]
    activity = "—" if d.activity is None else f"{d.activity}%"
    totals = (f"  total {format_minutes(d.counted_minutes)} · manual {format_minutes(d.manual_minutes)} · "
              f"over limit {format_minutes(d.over_limit_minutes)} · activity {activity}")
    now = f"  tracking now — {d.memo}" if d.tracking else "  not tracking"
    return "\n".join([head, *(rows or ["  nothing recorded this day"]), totals, now, f"  {LEGEND}"])


def _memos(cells: list[Cell]) -> str:
    memos = list(dict.fromkeys(c.memo for c in cells if c.memo))
    return " / ".join(memos)


@render.register
def _(t: Timesheet) -> str:
    st = t.statement
    lines = [f"Timesheet {t.week} of {t.freelancer} — {t.title or f'contract #{t.contract_id}'} ({t.tz}) — {t.status}",
             "  day         counted  billable  over  manual  disputed"]
    for d in t.days:
        lines.append(f"  {d.day:%a %m-%d}   {format_minutes(d.counted):>7}  {format_minutes(d.billable):>8}  "
                     f"{format_minutes(d.over_limit):>4}  {format_minutes(d.manual):>6}  {format_minutes(d.disputed):>8}")
    lines.append(f"  week        {format_minutes(st.counted_minutes):>7}  {format_minutes(st.billable_minutes):>8}  "
                 f"{format_minutes(st.over_limit_minutes):>4}  {format_minutes(st.manual_minutes):>6}  {format_minutes(st.disputed_minutes + st.removed_minutes):>8}")
    lines.append(f"  hours {format_money(st.hours_amount, st.currency)} · weekly payment {format_money(st.weekly_payment, st.currency)}"
                 f" · bonuses {format_money(st.bonuses, st.currency)} · total {format_money(st.total, st.currency)}")
    return "\n".join(lines)


@render.register
def _(result: CsvRequest) -> str:
    return timesheet_csv(result.timesheet)
