"""Late requests as the slot ingest finds and makes them, on its bare connection."""

from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import Connection, insert, select

from storage.tables import Contract, LateRequest, Member, Workspace

REQUESTS, CONTRACTS, MEMBERS, WORKSPACES = LateRequest.__table__, Contract.__table__, Member.__table__, Workspace.__table__


class ChannelOf(NamedTuple):
    """Where a contract's channel messages go, and the freelancer's name they mention."""

    workspace: object  # a row with the workspace's id and platform
    channel_id: str
    freelancer_name: str


def pending_request_id(conn: Connection, *, contract_id: int, week_start: date, billed_week_start: date,
                       status: str) -> int | None:
    found = conn.execute(select(REQUESTS.c.id).where(
        REQUESTS.c.contract_id == contract_id, REQUESTS.c.week_start == week_start,
        REQUESTS.c.billed_week_start == billed_week_start, REQUESTS.c.status == status)).first()
    return found.id if found else None


def insert_request(conn: Connection, *, contract_id: int, week_start: date, billed_week_start: date, status: str,
                   requested_at: datetime) -> int:
    return conn.execute(insert(REQUESTS).returning(REQUESTS.c.id), [{
        "contract_id": contract_id, "week_start": week_start, "billed_week_start": billed_week_start,
        "status": status, "requested_at": requested_at}]).scalar_one()


def channel_of(conn: Connection, *, contract_id: int) -> ChannelOf:
    contract = conn.execute(select(CONTRACTS.c.workspace_id, CONTRACTS.c.channel_id, CONTRACTS.c.freelancer_id)
                            .where(CONTRACTS.c.id == contract_id)).one()
    ws = conn.execute(select(WORKSPACES.c.id, WORKSPACES.c.platform).where(WORKSPACES.c.id == contract.workspace_id)).one()
    name = conn.execute(select(MEMBERS.c.name).where(MEMBERS.c.id == contract.freelancer_id)).scalar_one()
    return ChannelOf(ws, contract.channel_id, name)
