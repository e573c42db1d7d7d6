"""Reads of many contracts at once, for the jobs that go through all of them."""

from datetime import date
from typing import NamedTuple

from sqlalchemy import or_, select
from sqlmodel import Session

from storage.tables import Contract, ContractChange, Member


class ContractDays(NamedTuple):
    """What it takes to know which of a contract's weeks are due to close."""

    id: int
    tz: str
    start_day: date
    end_day: date | None


def contracts_not_ended_before(s: Session, *, ended_status: str, ended_since: date) -> list[ContractDays]:
    """Contracts not in `ended_status`, or that ended on or after `ended_since`, by id."""
    rows = s.execute(select(Contract.id, Contract.tz, Contract.start_day, Contract.end_day).where(
        or_(Contract.status != ended_status, Contract.end_day >= ended_since)).order_by(Contract.id))
    return [ContractDays(*row) for row in rows]


def contracts_running_in(s: Session, *, workspace_id: int, first_day: date, last_day: date) -> list[Contract]:
    """The workspace's contracts that ran on some day from `first_day` to `last_day`, by id."""
    return list(s.scalars(select(Contract).where(
        Contract.workspace_id == workspace_id, Contract.start_day <= last_day,
        or_(Contract.end_day.is_(None), Contract.end_day >= first_day)).order_by(Contract.id)))


def contracts_with_minimum(s: Session, *, status: str) -> list[Contract]:
    """Contracts of that status that have, or once had, a weekly minimum (in its column or its
    history: a minimum set this week applies from the next), by id."""
    had = select(ContractChange.contract_id).where(ContractChange.field == "min", ContractChange.value.is_not(None))
    return list(s.scalars(select(Contract).where(
        Contract.status == status, or_(Contract.weekly_min_hours.is_not(None), Contract.id.in_(had))).order_by(Contract.id)))


def members(s: Session, *, ids: list[int]) -> dict[int, Member]:
    """Members by id, read at once (a job about to message many of them)."""
    return {m.id: m for m in s.scalars(select(Member).where(Member.id.in_(ids)))} if ids else {}
