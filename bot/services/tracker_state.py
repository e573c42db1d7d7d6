"""What the freelancer's tracker window shows beside the state an agent acts on: the contracts to
pick from, the week so far against its limit, and a link to today's diary page.

These are added to the answer of `GET /api/v1/agent/state` only; they are left out of the
long-poll's change mark (a new slot changes the week, but must not wake every waiting agent).
"""

from datetime import datetime

from sqlmodel import Session

from bot.services import ledger, links
from bot.services.context import Context
from diary.protocol import AgentState, ContractBrief, WeekFigures
from diary.terms import ContractStatus
from diary.weeks import local_day, week_of
from storage import repo
from storage.tables import Contract, WorkSession

DETAILS = {"contracts", "week", "diary_url"}


def _title(contract: Contract) -> str:
    return contract.title or f"contract #{contract.id}"


def detailed(s: Session, ctx: Context, member_id: int, running: WorkSession | None, state: AgentState,
             *, now: datetime) -> AgentState:
    mine = [c for c in repo.live_contracts_of(s, member_id=member_id)
            if c.freelancer_id == member_id and c.status == ContractStatus.ACTIVE]
    update: dict = {"contracts": [ContractBrief(id=c.id, title=_title(c)) for c in mine]}
    contract = s.get(Contract, running.contract_id) if running is not None else None
    if contract is not None:
        update["week"] = week_figures(s, ctx, contract, now)
        update["diary_url"] = links.link_for(ctx, member_id, contract, now=now).url
    return state.model_copy(update=update)


def week_figures(s: Session, ctx: Context, contract: Contract, now: datetime) -> WeekFigures:
    """Counted minutes of this week and of today, as the timesheet counts them (docs/rules.md#weekly-limit)."""
    week = week_of(now, contract.tz)
    rec = ledger.records(s, contract, week, ctx.slot_seconds)
    days, _ = ledger.week_days(contract, week, rec, ctx.slot_seconds)
    today = local_day(now, contract.tz)
    return WeekFigures(tracked=sum(d.counted for d in days), today=sum(d.counted for d in days if d.day == today),
                       limit=ledger.limit_minutes(contract, rec, week), minimum=ledger.minimum_minutes(contract, rec, week))
