"""One typed request per chat command, the same whichever platform it came from.

Slack and the shell fill a request by parsing the typed text (bot.commands); Discord fills it from
its typed options (bot.discord.cog); bot.dispatch runs it. A request can also be spelled back as
the command that makes it — with the option names every platform uses — so that a question ("which
contract?") suggests the very command the person typed, with the missing choice added.

Fields are in the order the text form takes them; `named` fields are written `name=value` in text,
the others are positional words. Every field is also a Discord option of the same name.
"""

import shlex
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from datetime import time
from decimal import Decimal

from bot.services.actors import UserRef
from bot.terms_parse import parse_values
from diary.contract_terms import BY_NAME
from diary.dates import parse_range
from diary.refusal import Refusal, then
from diary.text import clean
from diary.terms import ContractStatus

NAMED = {"named": True}


def _contract() -> int | None:
    return field(default=None, metadata=NAMED)


@dataclass(frozen=True)
class ClockIn:
    memo: str = ""
    contract: int | None = _contract()
    COMMAND = "clockin"


@dataclass(frozen=True)
class ClockOut:
    COMMAND = "clockout"


@dataclass(frozen=True)
class SetMemo:
    text: str
    COMMAND = "memo"


@dataclass(frozen=True)
class ShowDiary:
    date: str | None = None
    user: UserRef | None = None
    contract: int | None = _contract()
    COMMAND = "diary"


@dataclass(frozen=True)
class ShowTimesheet:
    week: str | None = None
    user: UserRef | None = None
    csv: bool = False
    contract: int | None = _contract()
    COMMAND = "timesheet"


@dataclass(frozen=True)
class ShowApps:
    week: str | None = None
    user: UserRef | None = None
    contract: int | None = _contract()
    COMMAND = "apps"


@dataclass(frozen=True)
class Span:
    """A time range of one day, HH:MM-HH:MM; an end of 00:00 is midnight at the end of the day."""

    start: time
    end: time

    def __str__(self) -> str:
        end = "24:00" if self.end == time(0) else f"{self.end:%H:%M}"
        return f"{self.start:%H:%M}-{end}"

    @classmethod
    def parse(cls, text: str, example: str) -> "Span | Refusal":
        return then(parse_range(text, example), lambda times: cls(*times))


@dataclass(frozen=True)
class AskManual:
    range: Span
    date: str | None = None
    memo: str = ""
    contract: int | None = _contract()
    COMMAND = "manual"


@dataclass(frozen=True)
class NewContract:
    """The terms by their chat names, parsed (`rate` Decimal("40"), `manual` True)."""

    freelancer: UserRef | None = None
    terms: dict[str, object] = field(default_factory=dict, metadata=NAMED)
    COMMAND = "contract new"


@dataclass(frozen=True)
class ShowContract:
    user: UserRef | None = None
    contract: int | None = _contract()
    COMMAND = "contract show"


STATUS_WORDS = {ContractStatus.PAUSED: "pause", ContractStatus.ACTIVE: "resume", ContractStatus.ENDED: "end"}


@dataclass(frozen=True)
class SetStatus:
    status: ContractStatus = field(default=ContractStatus.PAUSED, metadata={"hidden": True})
    user: UserRef | None = None
    contract: int | None = _contract()

    @property
    def COMMAND(self) -> str:  # noqa: N802 - read like the other requests' constant
        return f"contract {STATUS_WORDS[self.status]}"


@dataclass(frozen=True)
class SetRate:
    rate: Decimal
    user: UserRef | None = None
    contract: int | None = _contract()
    COMMAND = "contract rate"


@dataclass(frozen=True)
class SetLimit:
    limit: Decimal | None = field(metadata={"none": "none"})  # None: no limit, typed "none"
    user: UserRef | None = None
    contract: int | None = _contract()
    COMMAND = "contract limit"


def limit_hours(text: str) -> Decimal | None | Refusal:
    """A weekly limit as typed ("30", "none"), read by the same parser as `limit=` of /contract new."""
    return BY_NAME["limit"].parse(text)


def term_values(options: dict[str, str]) -> dict[str, object] | Refusal:
    """Contract terms as typed (text form or Discord options), each read by its declaration."""
    return parse_values(options)


@dataclass(frozen=True)
class SetTerms:
    """The changed terms by their chat names, parsed (`screenshots` "blur", `limit` None: no limit)."""

    terms: dict[str, object] = field(default_factory=dict, metadata=NAMED)
    user: UserRef | None = None
    contract: int | None = _contract()
    COMMAND = "contract set"


@dataclass(frozen=True)
class Connect:
    COMMAND = "connect"


@dataclass(frozen=True)
class ListDevices:
    COMMAND = "devices"


@dataclass(frozen=True)
class PayBonus:
    user: UserRef
    amount: Decimal
    note: str = ""
    contract: int | None = _contract()
    COMMAND = "bonus"


@dataclass(frozen=True)
class SetSummaryChannel:
    COMMAND = "tally summary-channel"


@dataclass(frozen=True)
class ShowHelp:
    COMMAND = "tally help"


# The buttons' actions, as commands for the shell (Slack and Discord show them as buttons).
@dataclass(frozen=True)
class ApproveWeek:
    week: str | None = None
    user: UserRef | None = None
    contract: int | None = _contract()
    COMMAND = "approve"


@dataclass(frozen=True)
class DecideManual:
    entry: int
    approve: bool = field(default=True, metadata={"hidden": True})

    @property
    def COMMAND(self) -> str:  # noqa: N802
        return "approve manual" if self.approve else "decline"


@dataclass(frozen=True)
class DecideLate:
    """Approve or decline late slots (their message's buttons)."""

    request: int
    approve: bool = field(default=True, metadata={"hidden": True})

    @property
    def COMMAND(self) -> str:  # noqa: N802
        return "approve late" if self.approve else "decline late"


@dataclass(frozen=True)
class DisputeHours:
    range: Span
    date: str | None = None
    reason: str = ""
    user: UserRef | None = None
    contract: int | None = _contract()
    COMMAND = "dispute"


@dataclass(frozen=True)
class DisputeStep:
    step: str = field(metadata={"hidden": True})  # accept, answer, withdraw, confirm
    dispute: int = 0
    text: str = ""

    @property
    def COMMAND(self) -> str:  # noqa: N802
        return self.step


@dataclass(frozen=True)
class RevokeDevice:
    device: int
    COMMAND = "revoke"


@dataclass(frozen=True)
class DeleteSlot:
    slot: str  # the slot's start as /diary shows it, e.g. 14:20, with an optional day
    date: str | None = None
    contract: int | None = _contract()
    COMMAND = "delete"


@dataclass(frozen=True)
class SetPrivate:
    switch: str  # on | off
    COMMAND = "private"


@dataclass(frozen=True)
class ShowEarnings:
    user: UserRef | None = None
    COMMAND = "earnings"


@dataclass(frozen=True)
class MarkPaid:
    week: str
    user: UserRef | None = None
    contract: int | None = _contract()
    COMMAND = "paid"


@dataclass(frozen=True)
class UndoPaid:
    """Takes back a paid mark (the Undo button of /paid)."""

    mark: int
    COMMAND = "paid undo"


@dataclass(frozen=True)
class ShowProfile:
    user: UserRef | None = None
    COMMAND = "profile"


Request = (ClockIn | ClockOut | SetMemo | ShowDiary | ShowTimesheet | ShowApps | AskManual | NewContract | ShowContract | SetStatus
           | SetRate | SetLimit | SetTerms | Connect | PayBonus | SetSummaryChannel | ShowHelp | ApproveWeek | DecideManual | DecideLate
           | DisputeHours | DisputeStep | DeleteSlot | ListDevices | RevokeDevice | SetPrivate | ShowEarnings | MarkPaid | UndoPaid
           | ShowProfile)


def _clean_value(value):
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {clean(k): clean(v) if isinstance(v, str) else v for k, v in value.items()}
    if isinstance(value, UserRef):
        return UserRef(clean(value.id), clean(value.name))
    return value


def cleaned(request: Request) -> Request:
    """The request with NUL and other control characters taken out of its text, whichever
    platform filled it in (diary.text says how)."""
    return replace(request, **{f.name: _clean_value(getattr(request, f.name)) for f in fields(request)})


def with_contract(request: Request, contract_id: int) -> Request:
    return replace(request, contract=contract_id)


def options(request: Request) -> list[tuple[str, object, bool]]:
    """The request's values in text order as (option name, value, named); empty ones left out."""
    found = []
    for f in fields(request):
        value = getattr(request, f.name)
        value = f.metadata.get("none") if value is None else value
        if f.metadata.get("hidden") or value in (None, "", False, {}):
            continue
        if isinstance(value, dict):  # contract terms, written as their declaration reads them back
            found += [(key, BY_NAME[key].text(term) or "none", True) for key, term in value.items()]
        else:
            found.append((f.name, value, bool(f.metadata.get("named"))))
    return found


def _shown(value: object, mention: Callable[[UserRef], str]) -> str:
    if isinstance(value, UserRef):
        return mention(value)
    return "on" if value is True else str(value)


def text_line(request: Request, mention: Callable[[UserRef], str]) -> str:
    """The request as typed in Slack or the shell: positional words, then key=value."""
    words = [f"/{request.COMMAND}"]
    for name, value, named in options(request):
        shown = _shown(value, mention)
        if named:
            words.append(f"{name}={shlex.quote(shown) if ' ' in shown else shown}")
        else:
            words.append(name if value is True else shown)
    return " ".join(words)


def option_line(request: Request, mention: Callable[[UserRef], str]) -> str:
    """The request as Discord shows a command with its options: /contract rate rate:50 contract:2."""
    return " ".join([f"/{request.COMMAND}", *(f"{name}:{_shown(value, mention)}" for name, value, _ in options(request))])
