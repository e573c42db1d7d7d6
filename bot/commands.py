"""Chat commands as text (Slack and the shell): the typed words into one typed request (bot.requests).

No rules here: only the shape of each command's words (the README's command table), and a usage
line with an example when the shape is wrong. bot.dispatch runs the request.
"""

import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from bot import requests as rq
from bot.dispatch import HELP, Spell, dispatch
from bot.services.actors import Actor, UserRef
from bot.services.context import Context
from diary.dates import looks_like_day
from diary.money import parse_amount
from diary.refusal import Refusal, then
from diary.terms import ContractStatus
from diary.text import clean

MentionParser = Callable[[str], UserRef | None]


@dataclass
class Words:
    """One command as typed: its words split into mentions, key=value options and the rest."""

    words: list[str]
    options: dict[str, str] = field(default_factory=dict)
    mentions: list[UserRef] = field(default_factory=list)
    # Every token in the order typed, as free text reads it: (kind, text), kind word|option|mention.
    typed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def user(self) -> UserRef | None:
        return self.mentions[0] if self.mentions else None

    @property
    def contract(self) -> int | None:
        value = self.options.get("contract", "").lstrip("#")
        return int(value) if value.isdigit() else None

    def rest(self, start: int = 0, *, people: bool = True) -> str:
        """The free text after the first `start` plain words, every token as typed: a memo "fix
        timeout=30" keeps its "timeout=30" and "with @carol" its person. Only `contract=` (which
        contract) is taken out, and with `people=False` the mentions, where one names the command's person."""
        seen, text = 0, []
        for kind, token in self.typed:
            if seen >= start and not (kind == "mention" and not people) and not token.lower().startswith("contract="):
                text.append(token)
            seen += kind == "word"
        return " ".join(text)


def split(text: str, mention: MentionParser) -> Words:
    try:
        tokens = shlex.split(text)
    except ValueError:  # a lone apostrophe, as in "/clockin don't stop": plain words then
        tokens = text.split()
    found = Words([])
    for token in tokens:
        key, sep, value = token.partition("=")
        ref = mention(token)
        if ref is not None:
            found.mentions.append(ref)
            found.typed.append(("mention", f"@{ref.name or ref.id}"))
        elif sep and key.isidentifier():
            found.options[key.lower()] = value
            found.typed.append(("option", token))
        else:
            found.words.append(token)
            found.typed.append(("word", token))
    return found


def parse(name: str, text: str, mention: MentionParser) -> rq.Request | Refusal:
    """The request `/name text` stands for, or why the words do not make one."""
    command = name.lstrip("/").lower()
    parser = PARSERS.get(command)
    if parser is None:
        return Refusal(f"I don't know /{name.lstrip('/')}. Try /tally help for the list of commands.")
    words = split(text, mention)
    return _stray_option(command, words) or parser(words)


# Commands whose key=value words mean something: a contract's terms, or free text (a memo, a note, a reason).
TAKES_OPTIONS = {"clockin", "memo", "manual", "bonus", "dispute", "answer"}


def _stray_option(command: str, w: Words) -> Refusal | None:
    """/timesheet week=2026-W47 would quietly show this week: an option a command takes nothing
    for is refused, with the command's form (only contract=N is understood everywhere)."""
    if command in TAKES_OPTIONS or (command == "contract" and w.words[:1] in ([], ["new"], ["set"])):
        return None
    stray = next((key for key in w.options if key != "contract"), None)
    if stray is None:
        return None
    if command == "contract":
        return Refusal(f'/contract {w.words[0]} takes no "{stray}=": terms change with /contract set, '
                       "e.g. /contract set screenshots=blur.")
    return Refusal(f'/{command} takes no "{stray}=": {usage_of(command)}.')


def usage_of(command: str) -> str:
    """The command's line of /tally help, e.g. "/timesheet [this|last|2026-W47] [@user] [csv]"."""
    forms = [line.split(" — ")[0] for line in HELP.splitlines() if line.startswith(f"/{command} ")]
    return "use " + " or ".join(forms) if forms else "see /tally help"


def run(ctx: Context, actor: Actor, name: str, text: str, *, now: datetime, mention: MentionParser, spell: Spell | None = None):
    """The result of `/name text` typed by `actor`: a service result or a Refusal, never an exception."""
    text = clean(text)  # no NUL or other control character goes further, not even into a refusal's echo
    return then(parse(name, text, mention), lambda request: dispatch(ctx, actor, request, now=now, spell=spell))


def _number(word: str | None, usage: str) -> int | Refusal:
    if word and word.lstrip("#").isdigit():
        return int(word.lstrip("#"))
    return Refusal(f"Name it by its number, e.g. {usage}.")


def _day_then_rest(w: Words, start: int, *, people: bool = True) -> tuple[str | None, str]:
    """An optional day after the first `start` words, then the rest as free text."""
    day = w.words[start] if len(w.words) > start and looks_like_day(w.words[start]) else None
    return day, w.rest(start + (day is not None), people=people)


def diary(w: Words):
    day = next((word for word in w.words if looks_like_day(word)), None)
    stray = [word for word in w.words if word != day]
    if stray:
        return Refusal(f'"{stray[0]}" is neither a day nor a person; e.g. /diary yesterday @bob.')
    return rq.ShowDiary(day, w.user, w.contract)


def timesheet(w: Words):
    weeks = [word for word in w.words if word != "csv"]
    if len(weeks) > 1:
        return Refusal("Name one week: /timesheet [this|last|2026-W47] [@user] [csv].")
    return rq.ShowTimesheet(weeks[0] if weeks else None, w.user, "csv" in w.words, w.contract)


def apps(w: Words):
    if len(w.words) > 1:
        return Refusal("Name one week: /apps [this|last|2026-W47] [@user], e.g. /apps last @bob.")
    return rq.ShowApps(w.words[0] if w.words else None, w.user, w.contract)


MANUAL_EXAMPLE = "e.g. /manual 09:00-10:30 2026-11-20 fixing the login page"


def manual_time(w: Words):
    if not w.words:
        return Refusal(f"Say which time and what you did, {MANUAL_EXAMPLE}.")
    day, memo = _day_then_rest(w, 1)
    return then(rq.Span.parse(w.words[0], MANUAL_EXAMPLE), lambda times: rq.AskManual(times, day, memo, w.contract))


CONTRACT_USAGE = "/contract new @freelancer rate=40 [limit=40] …, or /contract show|pause|resume|end|limit N|rate N|set key=value"


def contract(w: Words):
    sub = w.words.pop(0).lower() if w.words else ""
    parser = CONTRACT_SUBCOMMANDS.get(sub)
    return Refusal(f"Use {CONTRACT_USAGE}.") if parser is None else parser(w)


def contract_new(w: Words):
    if w.user is None or "rate" not in w.options:
        return Refusal("Name the freelancer and the rate, e.g. /contract new @bob rate=40 limit=40.")
    return then(rq.term_values(w.options), lambda values: rq.NewContract(w.user, values))


def _status(status: ContractStatus):
    return lambda w: rq.SetStatus(status, w.user, w.contract)


def contract_rate(w: Words):
    amount = parse_amount(w.words[0]) if w.words else Refusal("Give the new rate, e.g. /contract rate 45.")
    return then(amount, lambda rate: rq.SetRate(rate, w.user, w.contract))


def contract_limit(w: Words):
    if not w.words:
        return Refusal("Give the new limit, e.g. /contract limit 30 or /contract limit none.")
    return then(rq.limit_hours(w.words[0]), lambda hours: rq.SetLimit(hours, w.user, w.contract))


def contract_set(w: Words):
    return then(rq.term_values(w.options), lambda values: rq.SetTerms(values, w.user, w.contract))


def bonus(w: Words):
    if w.user is None or not w.words:
        return Refusal("Name the person and the amount, e.g. /bonus @bob 50 thanks for the weekend fix.")
    return then(parse_amount(w.words[0]), lambda amount: rq.PayBonus(w.user, amount, w.rest(1, people=False), w.contract))


def tally(w: Words):
    sub = w.words[0].lower() if w.words else "help"
    if sub == "summary-channel":
        return rq.SetSummaryChannel()
    return rq.ShowHelp() if sub == "help" else Refusal("Use /tally help or /tally summary-channel.")


def approve(w: Words):
    """Approve a week (the Approve button), a manual-time request (`/approve manual ID`) or late
    slots (`/approve late ID`)."""
    if w.words[:1] == ["late"]:
        request = _number(w.words[1] if len(w.words) > 1 else None, "/approve late 4")
        return then(request, lambda number: rq.DecideLate(number, approve=True))
    if w.words[:1] == ["manual"]:
        entry = _number(w.words[1] if len(w.words) > 1 else None, "/approve manual 4")
        return then(entry, lambda number: rq.DecideManual(number, approve=True))
    return rq.ApproveWeek(w.words[0] if w.words else None, w.user, w.contract)


def decline(w: Words):
    if w.words[:1] == ["late"]:
        request = _number(w.words[1] if len(w.words) > 1 else None, "/decline late 4")
        return then(request, lambda number: rq.DecideLate(number, approve=False))
    entry = _number(w.words[0] if w.words else None, "/decline 4")
    return then(entry, lambda number: rq.DecideManual(number, approve=False))


DISPUTE_EXAMPLE = "e.g. /dispute 10:00-11:30 2026-11-20 no work in the screenshots"


def dispute(w: Words):
    if not w.words:
        return Refusal(f"Name the time and the reason, {DISPUTE_EXAMPLE}.")
    day, reason = _day_then_rest(w, 1, people=False)  # a mention names the freelancer disputed
    return then(rq.Span.parse(w.words[0], DISPUTE_EXAMPLE), lambda times: rq.DisputeHours(times, day, reason, w.user, w.contract))


def _dispute_step(step: str):
    def parse_step(w: Words):
        number = _number(w.words[0] if w.words else None, f"/{step} 3")
        return then(number, lambda dispute_id: rq.DisputeStep(step, dispute_id, w.rest(1)))

    return parse_step


def revoke(w: Words):
    number = _number(w.words[0] if w.words else None, "/revoke 2 (the device's number, as its Revoke button says)")
    return then(number, rq.RevokeDevice)


DELETE_EXAMPLE = "e.g. /delete 14:20 or /delete 14:20 yesterday (a slot's start, as /diary shows it)"


def delete(w: Words):
    if not w.words:
        return Refusal(f"Say which slot, {DELETE_EXAMPLE}.")
    day = w.words[1] if len(w.words) > 1 and looks_like_day(w.words[1]) else None
    return rq.DeleteSlot(w.words[0], day, w.contract)


def paid(w: Words):
    if w.words[:1] == ["undo"]:
        mark = _number(w.words[1] if len(w.words) == 2 else None, "/paid undo 5 (the number its Undo button carries)")
        return then(mark, rq.UndoPaid)
    if len(w.words) != 1:
        return Refusal("Name one week and the freelancer, e.g. /paid 2026-W47 @bob (in the contract's channel the week is enough).")
    return rq.MarkPaid(w.words[0], w.user, w.contract)


def _only_a_person(command: str):
    def parse_person(w: Words):
        if w.words:
            return Refusal(f'"{w.words[0]}" is not a person; name one with @, e.g. /{command} @bob.')
        return rq.ShowEarnings(w.user) if command == "earnings" else rq.ShowProfile(w.user)

    return parse_person


CONTRACT_SUBCOMMANDS = {
    "new": contract_new, "show": lambda w: rq.ShowContract(w.user, w.contract),
    "pause": _status(ContractStatus.PAUSED), "resume": _status(ContractStatus.ACTIVE), "end": _status(ContractStatus.ENDED),
    "rate": contract_rate, "limit": contract_limit, "set": contract_set,
}

PARSERS = {
    "clockin": lambda w: rq.ClockIn(w.rest(), w.contract), "clockout": lambda w: rq.ClockOut(),
    "memo": lambda w: rq.SetMemo(w.rest()), "diary": diary, "timesheet": timesheet, "apps": apps, "manual": manual_time,
    "contract": contract, "connect": lambda w: rq.Connect(), "bonus": bonus, "tally": tally,
    # The buttons' actions, as commands for the shell (Slack and Discord show them as buttons).
    "approve": approve, "decline": decline, "dispute": dispute, "accept": _dispute_step("accept"),
    "answer": _dispute_step("answer"), "withdraw": _dispute_step("withdraw"), "confirm": _dispute_step("confirm"),
    "delete": delete, "devices": lambda w: rq.ListDevices(), "revoke": revoke,
    "private": lambda w: rq.SetPrivate(w.rest()),
    "earnings": _only_a_person("earnings"), "paid": paid, "profile": _only_a_person("profile"),
}
