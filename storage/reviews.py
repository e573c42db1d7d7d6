"""Reads of closed weeks' reviews for the jobs that follow them (reminders, summaries, the close)."""

from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import func, select
from sqlmodel import Session

from storage.tables import Contract, WeekReview, Workspace


class WorkspaceWeek(NamedTuple):
    workspace_id: int
    week_start: date


def reviews_since(s: Session, *, status: str, oldest_week: date) -> list[WeekReview]:
    """Reviews in that status of weeks beginning on or after `oldest_week`."""
    return list(s.scalars(select(WeekReview).where(WeekReview.status == status, WeekReview.week_start >= oldest_week)))


def summarised_weeks_closed_since(s: Session, *, since: datetime) -> list[WorkspaceWeek]:
    """(workspace, Monday) of the weeks closed since then in workspaces with a summary channel."""
    rows = s.execute(
        select(Contract.workspace_id, WeekReview.week_start).distinct()
        .join(Contract, Contract.id == WeekReview.contract_id)
        .join(Workspace, Workspace.id == Contract.workspace_id)
        .where(WeekReview.closed_at >= since, Workspace.summary_channel.is_not(None)))
    return [WorkspaceWeek(*row) for row in rows]


def reviews_of_week(s: Session, *, contract_ids: list[int], week_start: date) -> dict[int, WeekReview]:
    """These contracts' reviews of the week beginning on `week_start`, by contract."""
    rows = s.scalars(select(WeekReview).where(WeekReview.contract_id.in_(contract_ids), WeekReview.week_start == week_start))
    return {review.contract_id: review for review in rows}


def last_closed_weeks(s: Session) -> dict[int, date]:
    """Every contract's latest closed week (its Monday), by contract."""
    rows = s.execute(select(WeekReview.contract_id, func.max(WeekReview.week_start)).group_by(WeekReview.contract_id))
    return dict(rows.all())
