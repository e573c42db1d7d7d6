"""One dispatcher for every platform: a typed request (bot.requests) in, the service's result out.

Slack and the shell reach it through bot.commands (text), Discord from its typed options, Slack's
App Home buttons directly. A question back ("which contract?") is answered with the command the
person used, spelled the way their platform types it, once per contract they may mean.
"""

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from bot import requests as rq
from bot.render.cards import CsvRequest, Help
from bot.services import apps, contracts, devices, earnings, edits, late, links, manual, private_mode, profile, review, sessions, views, workspaces
from bot.services.actors import Actor
from bot.services.context import Context
from bot.services.results import Choice, DayDiary, Timesheet
from bot.terms_parse import term_usage, terms_from
from diary.refusal import Refusal

log = logging.getLogger("tally.requests")
Spell = Callable[[rq.Request], str]
Handler = Callable[[Context, Actor, rq.Request, datetime], object]


def shell_mention(user) -> str:
    return f"@{user.name or user.id}"


def dispatch(ctx: Context, actor: Actor, request: rq.Request, *, now: datetime, spell: Spell | None = None):
    """The result of `request` made by `actor`: a service result or a Refusal, never an exception."""
    request = rq.cleaned(request)
    log.debug("%s request: %r", actor.platform, request)
    result = HANDLERS[type(request)](ctx, actor, request, now)
    if isinstance(result, Choice):
        line = spell or (lambda r: rq.text_line(r, shell_mention))
        result = replace(result, repeat=tuple(line(rq.with_contract(request, cid)) for cid, _ in result.options))
    return result


def show_diary(ctx, actor, r: rq.ShowDiary, now):
    day = views.day_diary(ctx, actor, now=now, day=r.date, other=r.user, contract_id=r.contract)
    # Every platform answers privately: the diary comes with its page's link, for the asker only.
    return links.with_diary_link(ctx, actor, day, now=now) if isinstance(day, DayDiary) else day


def show_timesheet(ctx, actor, r: rq.ShowTimesheet, now):
    sheet = views.timesheet(ctx, actor, now=now, week=r.week, other=r.user, contract_id=r.contract)
    return CsvRequest(sheet) if r.csv and isinstance(sheet, Timesheet) else sheet


def new_contract(ctx, actor, r: rq.NewContract, now):
    if r.freelancer is None or "rate" not in r.terms:
        return Refusal("Name the freelancer and the rate, e.g. /contract new @bob rate=40 limit=40.")
    return contracts.create(ctx, actor, r.freelancer, terms_from(r.terms), now=now)


def set_terms(ctx, actor, r: rq.SetTerms, now):
    if not r.terms:
        return Refusal("Say what to change, e.g. /contract set screenshots=blur idle=15.")
    return contracts.change_terms(ctx, actor, r.terms, now=now, contract_id=r.contract, other=r.user)


TERM_USAGE = term_usage()
HELP = f"""Tally keeps the work diary of hourly contracts. Commands:
/clockin [memo] — start tracking on this channel's contract, e.g. /clockin writing docs
/clockout — stop; shows the session's counted time and activity
/memo TEXT — what you are working on from now on, e.g. /memo code review
/diary [DATE] [@user] — a day's slots, e.g. /diary yesterday @bob
/timesheet [this|last|2026-W47] [@user] [csv] — the week per day, with the amount
/apps [this|last|2026-W47] [@user] — time per app and window title for the week (contracts with window=on), e.g. /apps last @bob
/manual HH:MM-HH:MM [DATE] MEMO — ask for manual time, e.g. /manual 09:00-10:30 fixing the login page
/delete HH:MM [DATE] — delete one of your slots (its screenshot and its time), e.g. /delete 14:20 yesterday
/private on|off — switch your tracker to private: nothing is recorded or sent until /private off
/contract new @freelancer rate=40 {TERM_USAGE}
/contract show|pause|resume|end|limit N|rate N|set key=value — manage this channel's contract (client); the answer says from when each change applies
/connect — a one-time code to pair the desktop agent (freelancer)
/bonus @user AMOUNT [NOTE] — pay a bonus on this week's statement (client)
/devices — your paired devices, with a Revoke button each (freelancer)
/earnings [@user] — pending, available and paid amounts per contract and in total, with lifetime hours
/paid WEEK [@user] — mark a week's available amount paid (client), e.g. /paid 2026-W47 @bob; its Undo button takes the mark back
/profile [@user] — a person's lifetime hours and contracts (anyone in the workspace; no amounts)
/tally summary-channel — post the weekly summary of every contract here (workspace admin; a move is announced in the old channel)
/tally help — this list"""

HANDLERS: dict[type, Handler] = {
    rq.ClockIn: lambda ctx, a, r, now: sessions.clock_in(ctx, a, memo=r.memo, now=now, contract_id=r.contract),
    rq.ClockOut: lambda ctx, a, r, now: sessions.clock_out(ctx, a, now=now),
    rq.SetMemo: lambda ctx, a, r, now: sessions.set_memo(ctx, a, r.text, now=now),
    rq.ShowDiary: show_diary,
    rq.ShowTimesheet: show_timesheet,
    rq.ShowApps: lambda ctx, a, r, now: apps.apps_report(ctx, a, now=now, week=r.week, other=r.user, contract_id=r.contract),
    rq.AskManual: lambda ctx, a, r, now: manual.request(
        ctx, a, start=r.range.start, end=r.range.end, day=r.date, memo=r.memo, now=now, contract_id=r.contract),
    rq.NewContract: new_contract,
    rq.ShowContract: lambda ctx, a, r, now: contracts.show(ctx, a, contract_id=r.contract, other=r.user),
    rq.SetStatus: lambda ctx, a, r, now: contracts.set_status(ctx, a, r.status, now=now, contract_id=r.contract, other=r.user),
    rq.SetRate: lambda ctx, a, r, now: contracts.set_rate(ctx, a, r.rate, now=now, contract_id=r.contract, other=r.user),
    rq.SetLimit: lambda ctx, a, r, now: contracts.set_limit(ctx, a, r.limit, now=now, contract_id=r.contract, other=r.user),
    rq.SetTerms: set_terms,
    rq.Connect: lambda ctx, a, r, now: devices.issue_code(ctx, a, now=now),
    rq.ListDevices: lambda ctx, a, r, now: devices.list_devices(ctx, a),
    rq.RevokeDevice: lambda ctx, a, r, now: devices.revoke_own(ctx, a, r.device, now=now),
    rq.PayBonus: lambda ctx, a, r, now: review.bonus(ctx, a, r.user, r.amount, note=r.note, now=now, contract_id=r.contract),
    rq.SetSummaryChannel: lambda ctx, a, r, now: workspaces.set_summary_channel(ctx, a, now=now),
    rq.ShowHelp: lambda ctx, a, r, now: Help(HELP),
    rq.ApproveWeek: lambda ctx, a, r, now: review.approve_week(ctx, a, now=now, week=r.week, other=r.user, contract_id=r.contract),
    rq.DecideManual: lambda ctx, a, r, now: manual.decide(ctx, a, r.entry, approve=r.approve, now=now),
    rq.DecideLate: lambda ctx, a, r, now: late.decide(ctx, a, r.request, approve=r.approve, now=now),
    rq.DisputeHours: lambda ctx, a, r, now: review.dispute(
        ctx, a, start=r.range.start, end=r.range.end, day=r.date, reason=r.reason, now=now, other=r.user, contract_id=r.contract),
    rq.DisputeStep: lambda ctx, a, r, now: review.dispute_action(ctx, a, r.dispute, r.step, now=now, text=r.text),
    rq.DeleteSlot: lambda ctx, a, r, now: edits.delete_at(ctx, a, r.slot, day=r.date, now=now, contract_id=r.contract),
    rq.SetPrivate: lambda ctx, a, r, now: private_mode.from_chat(ctx, a, r.switch, now=now),
    rq.ShowEarnings: lambda ctx, a, r, now: earnings.show(ctx, a, now=now, other=r.user),
    rq.MarkPaid: lambda ctx, a, r, now: earnings.mark_paid(ctx, a, r.week, now=now, other=r.user, contract_id=r.contract),
    rq.UndoPaid: lambda ctx, a, r, now: earnings.undo_paid(ctx, a, r.mark, now=now),
    rq.ShowProfile: lambda ctx, a, r, now: profile.profile(ctx, a, now=now, other=r.user),
}
