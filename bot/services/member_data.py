"""A person's data on request: everything as a zip (export), or their diary texts and screenshots
removed while the books stay (erase). The operator runs these from the command line."""

import json
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.services import images, webcam
from bot.services.context import Context
from diary.refusal import Refusal
from storage import member_data
from storage.tables import Member, Workspace

README = """Everything this Tally server holds about {name}, as of {now}.

member.json       who you are in each chat workspace, and your paired devices
contracts/N.json  each contract you are a party to: its terms and their changes, the weeks'
                  statements and reviews, disputes, bonuses and manual time; as its freelancer
                  also your work sessions, every slot of the diary (activity counts per minute,
                  memo, windows), the list of screenshots and of webcam frames
screenshots/      the screenshots themselves, as stored
webcam/           the webcam frames (contracts with webcam=on, once you consented), as stored
Device tokens and pairing codes are kept only as hashes and are not included.
"""


@dataclass(frozen=True)
class Person:
    member_id: int
    describe: str  # e.g. "bob (slack workspace Acme, U123)"


def find(ctx: Context, name: str, member_id: int | None = None) -> Person | Refusal:
    with ctx.unit() as s:
        found = member_data.members_named(s, name)
    if member_id is not None:
        found = [(m, w) for m, w in found if m.id == member_id]
    if not found:
        return Refusal(f"Nobody called {name!r} is known here; names are as chat shows them, e.g. bob.", "not_found")
    if len(found) > 1:
        listed = "; ".join(f"--member {m.id} for {_describe(m, w)}" for m, w in found)
        return Refusal(f"{len(found)} people are called {name!r}: say which with {listed}.", "conflict")
    return Person(found[0][0].id, _describe(*found[0]))


def _describe(member: Member, ws: Workspace) -> str:
    return f"{member.name} ({ws.platform} workspace {ws.name or ws.external_id}, {member.external_id})"


def export(ctx: Context, person: Person, target: Path, *, now: datetime) -> int:
    """Writes the zip (never over a file, never half: it is renamed once whole); returns how many screenshots it holds."""
    if target.exists():
        raise FileExistsError(target)
    about, records = _gather(ctx, person)
    partial = target.with_name(target.name + ".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("README.txt", README.format(name=person.describe, now=now.isoformat()))
        zf.writestr("member.json", json.dumps(about, indent=2, ensure_ascii=False))
        shots = sum(_write_contract(zf, ctx, record) for record in records)
    partial.rename(target)
    return shots


def _gather(ctx: Context, person: Person) -> tuple[dict, list[dict]]:
    with ctx.unit() as s:
        member, contracts = s.get(Member, person.member_id), member_data.all_contracts_of(s, person.member_id)
        about = {"member": member_data.plain(member), "workspace": member_data.plain(s.get(Workspace, member.workspace_id)),
                 "devices": member_data.all_devices_of(s, member.id)}
        return about, [member_data.contract_record(s, c, member.id) for c in contracts]


def _write_contract(zf: zipfile.ZipFile, ctx: Context, record: dict) -> int:
    zf.writestr(f"contracts/{record['contract']['id']}.json", json.dumps(record, indent=2, ensure_ascii=False))
    shots = 0
    for shot in record.get("screenshots", []):
        data = ctx.blobs.get(shot["blob_key"])
        if data is not None:  # images are already compressed
            zf.writestr(f"screenshots/{shot['blob_key']}", data, compress_type=zipfile.ZIP_STORED)
            shots += 1
    for frame in record.get("webcam_frames", []):
        data = ctx.blobs.get(frame["blob_key"])
        if data is not None:
            zf.writestr(f"webcam/{frame['blob_key']}", data, compress_type=zipfile.ZIP_STORED)
    return shots


@dataclass(frozen=True)
class ErasedReport:
    contracts: int
    screenshots: int
    slots: int
    messages: int


def erase(ctx: Context, person: Person) -> ErasedReport:
    """Screenshots, memos and window titles of the person's own diary; hours and statements stay.
    Images go first and again after the rows: a crash in between leaves rows a rerun erases."""
    with ctx.unit() as s:
        own = [c.id for c in member_data.all_contracts_of(s, person.member_id) if c.freelancer_id == person.member_id]
        keys = [shot.blob_key for shot in member_data.screenshots_of(s, own)]
    _delete(ctx, keys)
    webcam.erase_frames(ctx, own)
    with ctx.unit() as s:
        keys = [shot.blob_key for shot in member_data.screenshots_of(s, own)]  # with any uploaded meanwhile
        erased = member_data.erase_diary_texts(s, own)
    _delete(ctx, keys)
    return ErasedReport(len(own), erased.screenshots, erased.slots, erased.messages)


def _delete(ctx: Context, keys: list[str]) -> None:
    for key in keys:
        images.delete_files(ctx.blobs, key)
