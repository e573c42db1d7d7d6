"""One neutral shape for every reply and post: a card. Each platform draws cards its own way.

The shell prints a card as text, Slack as Block Kit, Discord as an embed with a view, so all
three say the same things from the same service results.
"""

from dataclasses import dataclass, field
from functools import singledispatch

from bot.services.results import (
    AppsReport, Button, Cell, Choice, Clicked, ClockedIn, ClockedOut, ContractCard, ContractEarnings, DayDiary, DeviceList, Done, Earnings,
    PaidMarked, PairingIssued, Profile, Timesheet,
)
from bot.services.button_refs import ButtonAction, ButtonRef
from bot.services.links import Link
from diary.contract_terms import TERMS
from diary.apps import AppsTally
from diary.earnings import Totals, format_totals
from diary.money import format_minutes, format_money
from diary.refusal import Refusal
from diary.weeks import describe_instant

# A slot that did not count shows its activity with x: "4x" had 4 active minutes and is worth 0.
LEGEND = ("cells: activity 0-10 per slot · M manual · ! over limit · ? disputed · x did not count (0 min) · * private app"
          " · P private · L late · . nothing recorded")


@dataclass(frozen=True)
class Card:
    title: str = ""
    lines: list[str] = field(default_factory=list)  # plain sentences
    fields: list[tuple[str, str]] = field(default_factory=list)  # label, value
    grid: list[str] = field(default_factory=list)  # monospace lines (diary rows, timesheet table)
    buttons: list[Button] = field(default_factory=list)
    footer: str = ""
    refusal: bool = False  # a "no": platforms show it privately and plainly


@dataclass(frozen=True)
class Help:
    text: str


@dataclass(frozen=True)
class CsvRequest:
    """A timesheet asked for as CSV: platforms attach it as a file, the shell prints it."""

    timesheet: Timesheet


def post_card(payload: dict) -> Card:
    """An outbox message (channel post or direct message) as a card."""
    buttons = [Button.from_payload(b) for b in payload.get("buttons") or []]
    return Card(title=payload.get("title", ""), lines=[payload.get("text", "")], buttons=buttons)


@singledispatch
def card_for(result) -> Card:
    return Card(lines=[str(result)])


@card_for.register
def _(result: Refusal) -> Card:
    return Card(lines=[result.message], refusal=True)


@card_for.register
def _(result: Done) -> Card:
    return Card(lines=[result.text])


@card_for.register
def _(result: Clicked) -> Card:
    return Card(lines=[result.text])


@card_for.register
def _(result: Help) -> Card:
    return Card(lines=result.text.splitlines())


@card_for.register
def _(result: Choice) -> Card:
    repeat = result.repeat or tuple(f"{result.command} contract={cid}" for cid, _ in result.options)
    options = [f"{label} → {line}" for (_, label), line in zip(result.options, repeat, strict=True)]
    return Card(lines=[result.prompt, *options])


@card_for.register
def _(c: ContractCard) -> Card:
    terms = [(term.label.capitalize(), term.show(getattr(c, term.attr), c.currency)
              + (f" — {c.webcam_consent}" if term.name == "webcam" and c.webcam_consent else "")) for term in TERMS if term.on_card]
    fields = [("Client", c.client), ("Freelancer", c.freelancer), ("Channel", c.channel), *terms,
              ("Started", f"{c.start_day}"), ("Status", f"{c.status} since {c.status_since or c.start_day}")]
    warning = [f"⚠ Messages to the channel fail: {c.delivery_error}"] if c.delivery_error else []
    warning += [f"⚠ {_sentence(c.cannot_track)}."] if c.cannot_track else []
    return Card(title=f"{c.headline}: #{c.id} {c.title or '(untitled)'}", lines=[*c.changes, *warning], fields=fields)


@card_for.register
def _(result: ClockedIn) -> Card:
    line = f"Clocked in on {result.title}" + (f" — {result.memo}" if result.memo else "") + "."
    extra = [f"Clocked out of {result.switched_from} first."] if result.switched_from else []
    return Card(lines=[line, *extra, *([result.agent_hint] if result.agent_hint else [])])


@card_for.register
def _(result: ClockedOut) -> Card:
    activity = "no activity recorded" if result.activity is None else f"activity {result.activity}%"
    lines = [f"Clocked out of {result.title}: {format_minutes(result.counted_minutes)} counted, {activity}."]
    if result.coming:
        more = "One more slot is" if result.coming == 1 else f"{result.coming} more slots are"
        lines.append(f"{more} on its way from your agent: its time comes on top, and I'll send you the corrected total when it arrives.")
    return Card(lines=lines)


@card_for.register
def _(result: Link) -> Card:
    return Card(lines=[f"Your diary link, for you only, valid until {describe_instant(result.expires_at, result.tz)}:", result.url],
                buttons=[Button("Open diary", url=result.url)])


@card_for.register
def _(result: PaidMarked) -> Card:
    buttons = [Button(label if len(result.undo) > 1 else "Undo", ButtonRef(ButtonAction.UNDO_PAID, mark)) for label, mark in result.undo]
    return Card(lines=[result.text], buttons=buttons)


@card_for.register
def _(result: DeviceList) -> Card:
    lines = [f"{i}. {d.name}{f' ({d.os})' if d.os else ''} — paired {d.paired_at:%Y-%m-%d}, last seen "
             f"{f'{d.last_seen_at:%Y-%m-%d %H:%M} UTC' if d.last_seen_at else 'never'}" for i, d in enumerate(result.devices, 1)]
    buttons = [Button("Revoke", ButtonRef(ButtonAction.REVOKE_DEVICE, d.id)) for d in result.devices]
    return Card(title="Your paired devices (Revoke stops one; it delivers what it recorded before)", lines=lines, buttons=buttons)


@card_for.register
def _(result: PairingIssued) -> Card:
    return Card(
        lines=[f"Your pairing code is {result.code} (valid until {result.expires_at:%H:%M} UTC, once).",
               "On your computer run:"],
        grid=[result.command],
    )


def _cell(cell: Cell) -> str:
    if cell.slot_id is None:
        return "  P" if cell.private else "  ."
    mark = "M" if cell.manual else str(cell.activity)
    flag = ("!" if cell.over_limit else "?" if cell.disputed else "x" if cell.uncounted else "*" if cell.private_app
            else "L" if cell.late else " ")
    return f"{mark:>2}{flag}"


def _memos(cells: list[Cell]) -> str:
    return " / ".join(dict.fromkeys(c.memo for c in cells if c.memo))


@card_for.register
def _(d: DayDiary) -> Card:
    rows = [f"{row.start:%H:%M} " + "".join(_cell(c) for c in row.cells) + "  " + _memos(row.cells) for row in d.rows]
    rows = [_minutes_header(d), *rows] if rows else rows
    activity = "—" if d.activity is None else f"{d.activity}%"
    fields = [("Counted", format_minutes(d.counted_minutes)), ("Manual", format_minutes(d.manual_minutes)),
              ("Over limit", format_minutes(d.over_limit_minutes)), ("Activity", activity)]
    now = f"Tracking now — {d.memo}" if d.tracking else "Not tracking."
    now += f" ⚠ {_sentence(d.cannot_track)}." if d.cannot_track else ""
    return Card(
        title=f"Diary of {d.freelancer} — {d.title or f'contract #{d.contract_id}'} — {d.day:%a %Y-%m-%d} ({d.tz})",
        grid=rows or ["nothing recorded this day"], fields=fields, lines=[now], buttons=list(d.buttons),
        footer=LEGEND + _delete_hint(d),
    )


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _minutes_header(d: DayDiary) -> str:
    """Each cell's minute past the hour, so a slot reads as its row's hour and its column: 09:10."""
    widest = max(d.rows, key=lambda row: len(row.cells))
    return "      " + "".join(f":{cell.start:%M}" for cell in widest.cells)


def _delete_hint(d: DayDiary) -> str:
    recorded = next((c for row in d.rows for c in row.cells if c.slot_id is not None), None)
    if recorded is None:
        return ""
    return f" · /delete {recorded.start:%H:%M} {d.day.isoformat()} deletes the slot starting then (the freelancer's own)"


def _late_fields(st) -> list[tuple[str, str]]:
    """The late slots' line, only where there are any."""
    fields = []
    if st.late_minutes or st.late_amount:
        fields.append(("Late slots", f"{format_minutes(st.late_minutes)} = {format_money(st.late_amount, st.currency)}"))
    if st.late_waiting_minutes:
        fields.append(("Late, waiting for approval", format_minutes(st.late_waiting_minutes)))
    return fields


def _sheet_row(label: str, counted: int, billable: int, over: int, manual: int, disputed: int) -> str:
    values = (counted, billable, over, manual, disputed)
    return f"{label:<10}" + "".join(f"{format_minutes(v):>9}" for v in values)


@card_for.register
def _(t: Timesheet) -> Card:
    st = t.statement
    grid = [f"{'day':<10}{'counted':>9}{'billable':>9}{'over':>9}{'manual':>9}{'disputed':>9}"]
    grid += [_sheet_row(f"{d.day:%a %m-%d}", d.counted, d.billable, d.over_limit, d.manual, d.disputed) for d in t.days]
    grid.append(_sheet_row("week", st.counted_minutes, st.billable_minutes, st.over_limit_minutes, st.manual_minutes,
                           st.disputed_minutes + st.removed_minutes))
    fields = [("Hours", format_money(st.hours_amount, st.currency)), ("Weekly payment", format_money(st.weekly_payment, st.currency)),
              ("Bonuses", format_money(st.bonuses, st.currency)), *_late_fields(st), ("Total", format_money(st.total, st.currency)),
              ("Review", t.status), *([("Weekly minimum", t.against_minimum)] if t.against_minimum else [])]
    title = f"Timesheet {t.week} of {t.freelancer} — {t.title or f'contract #{t.contract_id}'} ({t.tz})"
    return Card(title=title, grid=grid, fields=fields, buttons=list(t.buttons))


def _amounts(c: ContractEarnings) -> str:
    money = lambda amount: format_money(amount, c.currency)  # noqa: E731
    parts = [f"pending {money(c.pending)}", f"available {money(c.available)}", f"paid {money(c.paid)}"]
    if c.held:
        parts.append(f"held by a dispute {money(c.held)}")
    if c.next_due:
        parts.append(f"next available {describe_instant(c.next_due, c.tz)}")
    return " · ".join(parts)


def _earned_line(c: ContractEarnings) -> str:
    return f"#{c.contract_id} {c.title} (client {c.counterpart}): {_amounts(c)} · {format_minutes(c.minutes)} h"


def _owed_line(c: ContractEarnings) -> str:
    weeks = f" (weeks {', '.join(c.available_weeks)})" if c.available_weeks else ""
    return f"{c.counterpart} — #{c.contract_id} {c.title}: {_amounts(c)}{weeks}"


def _total_line(t: Totals) -> str:
    return (f"pending {format_totals(t.pending)} · available {format_totals(t.available)} · paid {format_totals(t.paid)}"
            + (f" · held by a dispute {format_totals(t.held)}" if t.held and any(t.held.values()) else ""))


@card_for.register
def _(e: Earnings) -> Card:
    lines = []
    if e.earned:
        lines += ["As the freelancer:", *map(_earned_line, e.earned),
                  f"Total: {_total_line(e.earned_totals)} · lifetime {format_minutes(e.lifetime_minutes)} h"]
    if e.owed:
        lines += ["As the client (due to whom):", *map(_owed_line, e.owed), f"Total: {_total_line(e.owed_totals)}"]
    footer = "Pending: closed weeks and bonuses not yet due · available: due now · paid: marked paid by the client"
    if any(c.available for c in e.owed):
        footer += " · /paid WEEK @user marks a week's available amount paid"
    return Card(title=f"Earnings of {e.name}", lines=lines, footer=footer)


@card_for.register
def _(p: Profile) -> Card:
    fields = [("Hours tracked", format_minutes(p.lifetime_minutes)), (f"This month ({p.month})", format_minutes(p.month_minutes)),
              ("Contracts", f"{p.active_contracts} active, {p.ended_contracts} ended"),
              ("First tracked day", p.first_day.isoformat() if p.first_day else "none yet")]
    if p.client_contracts:
        fields.append(("Contracts as a client", str(p.client_contracts)))
    return Card(title=f"Profile of {p.name}", fields=fields)


def _time_row(label: str, seconds: int, tally: AppsTally) -> str:
    """One line of the apps table: the name cut to fit, its hours (h:mm) and share of counted time."""
    label = label.replace("`", "'")  # a window title cannot close the code block a grid is drawn in
    name = label if len(label) <= 40 else label[:39] + "…"
    return f"{name:<40}{format_minutes(round(seconds / 60)):>8}{tally.share(seconds):>6}%"


def apps_grid(tally: AppsTally) -> list[str]:
    grid = [f"{'app / window title':<40}{'hours':>8}{'share':>7}"]
    for app in tally.apps:
        grid.append(_time_row(app.app, app.seconds, tally))
        grid += [_time_row(f"  {t.title}", t.seconds, tally) for t in app.titles]
        if app.other_titles:
            grid.append(_time_row("  other titles", app.other_titles, tally))
    if tally.other_apps:
        grid.append(_time_row("other apps", tally.other_apps, tally))
    if tally.unrecorded:
        grid.append(_time_row("no window recorded", tally.unrecorded, tally))
    grid.append(_time_row("week (counted)", tally.counted_seconds, tally))
    return grid


@card_for.register
def _(a: AppsReport) -> Card:
    title = f"Apps {a.week} of {a.freelancer} — {a.title or f'contract #{a.contract_id}'} ({a.tz})"
    lines = [] if a.window_on else ["Window tracking is off on this contract now: nothing more is sampled."]
    if not a.tally.counted_seconds:
        return Card(title=title, lines=["No tracked time this week.", *lines])
    return Card(title=title, grid=apps_grid(a.tally), lines=lines,
                footer="Hours are counted time; each minute goes to the window the agent saw in it.")
