"""Chat commands as text (Slack and the shell): split the words, call one service, return its result.

No rules here: only the shape of each command's arguments (DESIGN §5), and a usage line with an
example when the shape is wrong.
"""

import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from bot.services import contracts, devices, edits, manual, review, sessions, views, workspaces
from bot.services.actors import Actor, UserRef
from bot.services.context import Context
from bot.services.results import Timesheet
from bot.render.cards import CsvRequest, Help
from bot.terms_parse import parse_terms
from diary.dates import looks_like_day, parse_range
from diary.money import parse_amount
from diary.refusal import Refusal
from diary.terms import ContractStatus

MentionParser = Callable[[str], UserRef | None]


@dataclass
class Call:
    """One command as typed: its words split into mentions, key=value options and the rest."""

    ctx: Context
    actor: Actor
    now: datetime
    words: list[str]
    options: dict[str, str] = field(default_factory=dict)
    mentions: list[UserRef] = field(default_factory=list)
    raw: str = ""

    @property
    def other(self) -> UserRef | None:
        return self.mentions[0] if self.mentions else None

    @property
    def contract_id(self) -> int | None:
        value = self.options.get("contract", "").lstrip("#")
        return int(value) if value.isdigit() else None


def split(text: str, mention: MentionParser) -> tuple[list[str], dict[str, str], list[UserRef]]:
    try:
        tokens = shlex.split(text)
    except ValueError:  # a lone apostrophe, as in "/clockin don't stop": plain words then
        tokens = text.split()
    words, options, mentions = [], {}, []
    for token in tokens:
        key, sep, value = token.partition("=")
        ref = mention(token)
        if ref is not None:
            mentions.append(ref)
        elif sep and key.isidentifier():
            options[key.lower()] = value
        else:
            words.append(token)
    return words, options, mentions


def run(ctx: Context, actor: Actor, name: str, text: str, *, now: datetime, mention: MentionParser):
    """The result of `/name text` typed by `actor`: a service result or a Refusal, never an exception."""
    handler = HANDLERS.get(name.lstrip("/").lower())
    if handler is None:
        return Refusal(f"I don't know /{name.lstrip('/')}. Try /tally help for the list of commands.")
    words, options, mentions = split(text, mention)
    return handler(Call(ctx, actor, now, words, options, mentions, text.strip()))


def _id(word: str | None, usage: str) -> int | Refusal:
    if word and word.lstrip("#").isdigit():
        return int(word.lstrip("#"))
    return Refusal(f"Name it by its number, e.g. {usage}.")


def clockin(c: Call):
    return sessions.clock_in(c.ctx, c.actor, memo=" ".join(c.words), now=c.now, contract_id=c.contract_id)


def clockout(c: Call):
    return sessions.clock_out(c.ctx, c.actor, now=c.now)


def memo(c: Call):
    return sessions.set_memo(c.ctx, c.actor, " ".join(c.words), now=c.now)


def diary(c: Call):
    day = next((w for w in c.words if looks_like_day(w)), None)
    stray = [w for w in c.words if w != day]
    if stray:
        return Refusal(f'"{stray[0]}" is neither a day nor a person; e.g. /diary yesterday @bob.')
    return views.day_diary(c.ctx, c.actor, now=c.now, day=day, other=c.other, contract_id=c.contract_id)


def timesheet(c: Call):
    as_csv = "csv" in c.words
    weeks = [w for w in c.words if w != "csv"]
    if len(weeks) > 1:
        return Refusal("Name one week: /timesheet [this|last|2026-W47] [@user] [csv].")
    result = views.timesheet(c.ctx, c.actor, now=c.now, week=weeks[0] if weeks else None, other=c.other, contract_id=c.contract_id)
    return CsvRequest(result) if as_csv and isinstance(result, Timesheet) else result


MANUAL_EXAMPLE = "e.g. /manual 09:00-10:30 2026-11-20 fixing the login page"


def manual_time(c: Call):
    if not c.words:
        return Refusal(f"Say which time and what you did, {MANUAL_EXAMPLE}.")
    span = parse_range(c.words[0], MANUAL_EXAMPLE)
    if isinstance(span, Refusal):
        return span
    rest = c.words[1:]
    day = rest.pop(0) if rest and looks_like_day(rest[0]) else None
    return manual.request(c.ctx, c.actor, start=span[0], end=span[1], day=day, memo=" ".join(rest), now=c.now, contract_id=c.contract_id)


CONTRACT_USAGE = "/contract new @freelancer rate=40 [limit=40] …, or /contract show|pause|resume|end|limit N|rate N|set key=value"


def contract(c: Call):
    sub = c.words.pop(0).lower() if c.words else ""
    handler = CONTRACT_SUBCOMMANDS.get(sub)
    if handler is None:
        return Refusal(f"Use {CONTRACT_USAGE}.")
    return handler(c)


def contract_new(c: Call):
    if c.other is None or "rate" not in c.options:
        return Refusal("Name the freelancer and the rate, e.g. /contract new @bob rate=40 limit=40.")
    terms = parse_terms(c.options)
    return terms if isinstance(terms, Refusal) else contracts.create(c.ctx, c.actor, c.other, terms, now=c.now)


def contract_show(c: Call):
    return contracts.show(c.ctx, c.actor, contract_id=c.contract_id, other=c.other)


def _status(status: ContractStatus):
    def change(c: Call):
        return contracts.set_status(c.ctx, c.actor, status, now=c.now, contract_id=c.contract_id, other=c.other)

    return change


def contract_rate(c: Call):
    amount = parse_amount(c.words[0]) if c.words else Refusal("Give the new rate, e.g. /contract rate 45.")
    if isinstance(amount, Refusal):
        return amount
    return contracts.set_rate(c.ctx, c.actor, amount, now=c.now, contract_id=c.contract_id, other=c.other)


def contract_limit(c: Call):
    terms = parse_terms({"rate": "1", "limit": c.words[0]}) if c.words else Refusal("Give the new limit, e.g. /contract limit 30 or /contract limit none.")
    if isinstance(terms, Refusal):
        return terms
    return contracts.set_limit(c.ctx, c.actor, terms.limit_hours, now=c.now, contract_id=c.contract_id, other=c.other)


def contract_set(c: Call):
    settings = {k: v for k, v in c.options.items() if k != "contract"}
    if not settings:
        return Refusal("Say what to change, e.g. /contract set screenshots=blur idle=15.")
    terms = parse_terms({"rate": "1", **settings})
    if isinstance(terms, Refusal):
        return terms
    fields = tuple(SETTING_FIELDS.get(k, k) for k in settings)
    return contracts.configure(c.ctx, c.actor, terms, fields, now=c.now, contract_id=c.contract_id, other=c.other)


SETTING_FIELDS = {"manual": "manual_allowed", "weekly": "weekly_payment", "idle": "idle_minutes"}


def connect(c: Call):
    return devices.issue_code(c.ctx, c.actor, now=c.now)


def bonus(c: Call):
    if c.other is None or not c.words:
        return Refusal("Name the person and the amount, e.g. /bonus @bob 50 thanks for the weekend fix.")
    amount = parse_amount(c.words[0])
    if isinstance(amount, Refusal):
        return amount
    return review.bonus(c.ctx, c.actor, c.other, amount, note=" ".join(c.words[1:]), now=c.now, contract_id=c.contract_id)


HELP = """Tally keeps the work diary of hourly contracts. Commands:
/clockin [memo] — start tracking on this channel's contract, e.g. /clockin writing docs
/clockout — stop; shows the session's counted time and activity
/memo TEXT — what you are working on from now on, e.g. /memo code review
/diary [DATE] [@user] — a day's slots, e.g. /diary yesterday @bob
/timesheet [this|last|2026-W47] [@user] [csv] — the week per day, with the amount
/manual HH:MM-HH:MM [DATE] MEMO — ask for manual time, e.g. /manual 09:00-10:30 fixing the login page
/contract new @freelancer rate=40 [currency=USD] [limit=40] [weekly=0] [manual=on] [screenshots=on|blur|off] [billing=segments|minutes] [tz=UTC] [idle=10] [title="..."]
/contract show|pause|resume|end|limit N|rate N|set key=value — manage this channel's contract (client)
/connect — a one-time code to pair the desktop agent (freelancer)
/bonus @user AMOUNT [NOTE] — pay a bonus on this week's statement (client)
/tally summary-channel — post the weekly summary of every contract here (client)
/tally help — this list"""


def tally(c: Call):
    sub = c.words[0].lower() if c.words else "help"
    if sub == "summary-channel":
        return workspaces.set_summary_channel(c.ctx, c.actor)
    if sub == "help":
        return Help(HELP)
    return Refusal("Use /tally help or /tally summary-channel.")


def approve(c: Call):
    """Approve a week (the Approve button) or a manual-time request (`/approve manual ID`)."""
    if c.words[:1] == ["manual"]:
        entry = _id(c.words[1] if len(c.words) > 1 else None, "/approve manual 4")
        return entry if isinstance(entry, Refusal) else manual.decide(c.ctx, c.actor, entry, approve=True, now=c.now)
    week = c.words[0] if c.words else None
    return review.approve_week(c.ctx, c.actor, now=c.now, week=week, other=c.other, contract_id=c.contract_id)


def decline(c: Call):
    entry = _id(c.words[0] if c.words else None, "/decline 4")
    return entry if isinstance(entry, Refusal) else manual.decide(c.ctx, c.actor, entry, approve=False, now=c.now)


DISPUTE_EXAMPLE = "e.g. /dispute 10:00-11:30 2026-11-20 no work in the screenshots"


def dispute(c: Call):
    span = parse_range(c.words[0], DISPUTE_EXAMPLE) if c.words else Refusal(f"Name the time and the reason, {DISPUTE_EXAMPLE}.")
    if isinstance(span, Refusal):
        return span
    rest = c.words[1:]
    day = rest.pop(0) if rest and looks_like_day(rest[0]) else None
    return review.dispute(c.ctx, c.actor, start=span[0], end=span[1], day=day, reason=" ".join(rest), now=c.now, other=c.other, contract_id=c.contract_id)


def _dispute_step(step: str):
    def act(c: Call):
        number = _id(c.words[0] if c.words else None, f"/{step} 3")
        if isinstance(number, Refusal):
            return number
        return review.dispute_action(c.ctx, c.actor, number, step, now=c.now, text=" ".join(c.words[1:]))

    return act


def delete(c: Call):
    slot = _id(c.words[0] if c.words else None, "/delete 120 (the slot number shown by /diary)")
    return slot if isinstance(slot, Refusal) else edits.delete_slot(c.ctx, c.actor, slot, now=c.now)


CONTRACT_SUBCOMMANDS = {
    "new": contract_new, "show": contract_show, "pause": _status(ContractStatus.PAUSED),
    "resume": _status(ContractStatus.ACTIVE), "end": _status(ContractStatus.ENDED),
    "rate": contract_rate, "limit": contract_limit, "set": contract_set,
}

HANDLERS = {
    "clockin": clockin, "clockout": clockout, "memo": memo, "diary": diary, "timesheet": timesheet,
    "manual": manual_time, "contract": contract, "connect": connect, "bonus": bonus, "tally": tally,
    # The buttons' actions, as commands for the shell (Slack and Discord show them as buttons).
    "approve": approve, "decline": decline, "dispute": dispute, "accept": _dispute_step("accept"),
    "answer": _dispute_step("answer"), "withdraw": _dispute_step("withdraw"), "confirm": _dispute_step("confirm"),
    "delete": delete,
}

