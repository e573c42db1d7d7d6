"""Signed, expiring diary links, minted for one viewer who is a party of the contract."""

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.services.actors import Actor, resolve
from bot.services.context import Context
from bot.services.picking import role
from bot.services.results import Button, DayDiary
from diary.refusal import Refusal
from diary.terms import Role
from diary.weeks import local_day
from storage import repo
from storage.tables import Contract

LIFETIME = timedelta(hours=24)


@dataclass(frozen=True)
class Grant:
    """What a link lets its holder see: one contract's diary, as one member, until `expires`."""

    member_id: int
    contract_id: int
    day: str  # the local day the page opens on, YYYY-MM-DD
    expires: int  # unix seconds


@dataclass(frozen=True)
class Link:
    url: str
    expires_at: datetime
    tz: str = "UTC"  # the contract's, to say when it expires


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _sign(secret: str, body: str) -> str:
    return _b64(hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()[:18])


def mint(secret: str, grant: Grant) -> str:
    body = _b64(json.dumps([grant.member_id, grant.contract_id, grant.day, grant.expires]).encode())
    return f"{body}.{_sign(secret, body)}"


def verify(secret: str, token: str, *, now: datetime) -> Grant | None:
    """The grant of a genuine, unexpired token; None for anything tampered, malformed or old."""
    body, _, signature = token.partition(".")
    # As bytes: compare_digest refuses str with non-ASCII characters, and addresses can carry any.
    if not hmac.compare_digest(_sign(secret, body).encode(), signature.encode()):
        return None
    try:
        member_id, contract_id, day, expires = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        grant = Grant(int(member_id), int(contract_id), str(day), int(expires))
    except (ValueError, TypeError):
        return None
    return grant if now.timestamp() < grant.expires else None


def diary_link(ctx: Context, actor: Actor, contract_id: int, *, now: datetime, day: str | None = None) -> Link | Refusal:
    with ctx.unit() as s:
        _, me = resolve(s, actor)
        contract = repo.by_id(s, Contract, contract_id)
        if contract is None or role(contract, me) is Role.NONE:
            return Refusal("Only the client and the freelancer of a contract can open its diary.", "forbidden")
        return link_for(ctx, me.id, contract, now=now, day=day)


def link_for(ctx: Context, member_id: int, contract: Contract, *, now: datetime, day: str | None = None) -> Link:
    expires = now + LIFETIME
    grant = Grant(member_id, contract.id, day or local_day(now, contract.tz).isoformat(), int(expires.timestamp()))
    return Link(f"{ctx.public_url}/diary/{mint(ctx.secret_key, grant)}", expires, contract.tz)


def with_diary_link(ctx: Context, actor: Actor, day: DayDiary, *, now: datetime) -> DayDiary:
    """The day's page, signed for this viewer only (replies with a diary are private), as an Open diary button."""
    link = diary_link(ctx, actor, day.contract_id, now=now, day=day.day.isoformat())
    if isinstance(link, Refusal):
        return day
    return replace(day, buttons=[*day.buttons, Button("Open diary", url=link.url)])
