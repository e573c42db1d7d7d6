"""The durable local queue: every slot and event is here before any upload is tried.

One SQLite file in the agent's folder (its name carries the schema version). A row is `open`
while its slot is being recorded (a checkpoint a crash cannot take away), `ready` once it
waits for upload, `rejected` when the server refused it for good. A row leaves only when the
server said 2xx. Screenshots sit in the rows; past the disk budget the oldest lose theirs first.
"""

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from agent.slotclock import OpenSlot
from agent.wire import instant

SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('slot', 'event')),
    state TEXT NOT NULL CHECK (state IN ('open', 'ready', 'rejected')),
    session_id INTEGER,
    slot_start TEXT,
    body TEXT NOT NULL,
    shot BLOB,
    not_before REAL NOT NULL DEFAULT 0,
    reason TEXT,
    UNIQUE (kind, session_id, slot_start)
);
CREATE TABLE IF NOT EXISTS facts (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
# Added with the webcam: a slot's camera frame beside its screenshot. A queue file from before
# gains the column in place (empty), so an update keeps what waits in it.
WEBCAM_COLUMN = "ALTER TABLE items ADD COLUMN webcam BLOB"

UPSERT_SLOT = """
INSERT INTO items (kind, state, session_id, slot_start, body, shot, webcam, not_before, reason)
VALUES ('slot', :state, :session_id, :slot_start, :body, :shot, :webcam, :not_before, :reason)
ON CONFLICT (kind, session_id, slot_start) DO UPDATE SET
    state = excluded.state, body = excluded.body, not_before = excluded.not_before, reason = excluded.reason,
    shot = COALESCE(excluded.shot, items.shot), webcam = COALESCE(excluded.webcam, items.webcam)
WHERE items.state = 'open'
"""

# A clock-in made offline tracks under a local session id (negative) until the server answers:
# then its rows take the server's session id, or are held here when the clock-in was refused.
LOCAL_FACT = "local:{}"
REFUSED = "refused"
CLOCKIN_REFUSED = "clock-in refused: "

# The uploader keeps the server's refusal as "<status> <error>: <detail>" (client.ApiError).
REFUSED_LATE = ("state = 'rejected' AND kind = 'slot' AND (reason LIKE '422 too_late:%'"
                " OR (reason LIKE '422 invalid:%' AND reason LIKE '%memo%'))")


@dataclass(frozen=True)
class Item:
    id: int
    kind: str
    body: str
    shot: bytes | None
    not_before: float
    session_id: int | None = None
    webcam: bytes | None = None

    @property
    def local_clockin(self) -> bool:
        """A clock-in made offline, whose session the server has yet to open."""
        return self.kind == "event" and (self.session_id or 0) < 0 and json.loads(self.body).get("kind") == "local_clockin"


@dataclass(frozen=True)
class Rejected:
    what: str
    reason: str


class Queue:
    """One connection. Each thread opens its own Queue on the same file; a Queue may be made
    in one thread and handed to another, never used by two at once."""

    def __init__(
        self, path: Path, version: str = "", max_bytes: int = 500 << 20, on_ready: Callable[[], None] | None = None
    ) -> None:
        self.version, self.max_bytes, self.on_ready = version, max_bytes, on_ready
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA auto_vacuum = INCREMENTAL")  # only takes effect on a new file: that is when it matters
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA synchronous = FULL")  # a queued slot survives a power cut, not only a crash
        self.db.executescript(SCHEMA)
        if "webcam" not in {row[1] for row in self.db.execute("PRAGMA table_info(items)").fetchall()}:
            self.db.execute(WEBCAM_COLUMN)
        path.chmod(0o600)

    def close(self) -> None:
        self.db.close()

    # The slot clock's side (SlotSink).
    def save_open(self, slot: OpenSlot, screenshot: bytes | None = None, webcam: bytes | None = None) -> None:
        if slot.discarded:  # deleted in the tracker window: it never leaves the device
            self.drop(slot.session_id, slot.start)
            return
        self._upsert(slot, "open", slot.to_json(), screenshot, 0.0, webcam)
        if screenshot is not None:
            self.keep_within_budget()

    def finish(self, slot: OpenSlot, not_before: datetime) -> None:
        if slot.discarded:
            self.drop(slot.session_id, slot.start)
            return
        self._upsert(slot, "ready", json.dumps(slot.report(self.version)), None, not_before.timestamp())
        self._ready()

    def drop(self, session_id: int, start: datetime) -> bool:
        """Forgets a slot not yet uploaded (the freelancer deleted it); False when there is none here."""
        gone = self.db.execute(
            "DELETE FROM items WHERE kind = 'slot' AND session_id = ? AND slot_start = ?", (session_id, instant(start))
        ).rowcount
        if gone:
            self.db.execute("PRAGMA incremental_vacuum")  # its screenshot's pages go back to the disk
        return bool(gone)

    def holds(self, session_id: int, start: datetime) -> bool:
        """Whether that slot is still on this computer (recording, waiting or rejected)."""
        rows = self.db.execute(
            "SELECT 1 FROM items WHERE kind = 'slot' AND session_id = ? AND slot_start = ?", (session_id, instant(start))
        ).fetchall()
        return bool(rows)

    def add_event(self, body: dict[str, Any], not_before: datetime, session_id: int | None = None) -> None:
        """`session_id`: the session the event belongs to (a clock-out, an idle stop), so that it is
        held with that session's slots if a clock-in made offline is refused."""
        with self._transaction():
            state, sid, reason = self._where_it_goes(session_id)
            self.db.execute(
                "INSERT INTO items (kind, state, session_id, body, not_before, reason) VALUES ('event', ?, ?, ?, ?, ?)",
                (state, sid, json.dumps(body), not_before.timestamp(), reason),
            )
        self._ready()

    # Clock-ins made offline (docs/rules.md#offline-clock-in).
    def attach(self, local_id: int, session_id: int) -> None:
        """The server opened the session of a clock-in made offline: what was recorded under the
        local id goes as that session's."""
        with self._transaction():
            self.db.execute("INSERT OR REPLACE INTO facts VALUES (?, ?)", (LOCAL_FACT.format(local_id), str(session_id)))
            self.db.execute(
                "UPDATE OR IGNORE items SET session_id = :real, body = json_set(body, '$.session_id', :real) "
                "WHERE session_id = :local AND kind = 'slot'", {"real": session_id, "local": local_id})
            self.db.execute("UPDATE items SET session_id = ? WHERE session_id = ? AND kind = 'event'", (session_id, local_id))

    def refuse_local(self, local_id: int, reason: str) -> int:
        """The server refused a clock-in made offline: its slots and events stay here, held with the
        reason, until the freelancer deletes them. How many slots."""
        with self._transaction():
            self.db.execute("INSERT OR REPLACE INTO facts VALUES (?, ?)", (LOCAL_FACT.format(local_id), REFUSED))
            self.db.execute("UPDATE items SET state = 'rejected', reason = ? WHERE session_id = ?",
                            ((CLOCKIN_REFUSED + reason)[:500], local_id))
        return self.held_count()

    def local_outcome(self, local_id: int) -> int | str | None:
        """The server's session id for a clock-in made offline, REFUSED, or None while unanswered."""
        rows = self.db.execute("SELECT value FROM facts WHERE key = ?", (LOCAL_FACT.format(local_id),)).fetchall()
        if not rows:
            return None
        return REFUSED if rows[0][0] == REFUSED else int(rows[0][0])

    def unanswered_clockins(self) -> set[int]:
        """Local session ids of clock-ins made offline that still wait for the server (from any run)."""
        rows = self.db.execute("SELECT DISTINCT session_id FROM items WHERE kind = 'event' AND state = 'ready' "
                               "AND session_id < 0").fetchall()
        return {sid for (sid,) in rows if self.local_outcome(sid) is None}

    def held(self) -> list[Rejected]:
        """Slots recorded under a refused clock-in: kept here, never sent."""
        return [r for r in self.rejected() if r.reason.startswith(CLOCKIN_REFUSED) and r.what[:1].isdigit()]

    def held_count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM items WHERE kind = 'slot' AND state = 'rejected' AND reason LIKE ?",
                               (CLOCKIN_REFUSED + "%",)).fetchall()[0][0]

    def delete_held(self) -> int:
        """The freelancer deletes the slots of refused clock-ins (and their screenshots). How many slots."""
        gone = self.held_count()
        self.db.execute("DELETE FROM items WHERE state = 'rejected' AND reason LIKE ?", (CLOCKIN_REFUSED + "%",))
        self.db.execute("PRAGMA incremental_vacuum")
        return gone

    def _where_it_goes(self, session_id: int | None) -> tuple[str, int | None, str | None]:
        """(state, session id, reason) for a row of `session_id`: a local id the server has answered
        for takes its session id, or is held if the clock-in was refused."""
        if session_id is None or session_id >= 0:
            return "ready", session_id, None
        outcome = self.local_outcome(session_id)
        if outcome == REFUSED:
            return "rejected", session_id, CLOCKIN_REFUSED + "the server refused this clock-in"
        return "ready", session_id if outcome is None else int(outcome), None

    def open_slots(self) -> list[OpenSlot]:
        """Slots a previous run was recording when it stopped without finishing them."""
        rows = self.db.execute("SELECT body FROM items WHERE state = 'open' ORDER BY id").fetchall()
        return [OpenSlot.from_json(body) for (body,) in rows]

    # The uploader's side.
    def head(self) -> Item | None:
        """The oldest row waiting for upload: order is kept, so a slot never overtakes an older one."""
        rows = self.db.execute(
            "SELECT id, kind, body, shot, not_before, session_id, webcam FROM items WHERE state = 'ready' ORDER BY id LIMIT 1"
        ).fetchall()  # fetchall ends the statement: a half-read one would hold a read transaction open
        return Item(*rows[0]) if rows else None

    def still_ready(self, item_id: int) -> bool:
        return bool(self.db.execute("SELECT 1 FROM items WHERE id = ? AND state = 'ready'", (item_id,)).fetchall())

    def sent(self, item_id: int, at: datetime) -> None:
        with self._transaction():
            self.db.execute("DELETE FROM items WHERE id = ?", (item_id,))
            self.db.execute("INSERT OR REPLACE INTO facts VALUES ('last_upload', ?)", (instant(at),))

    def reject(self, item_id: int, reason: str) -> None:
        self.db.execute("UPDATE items SET state = 'rejected', reason = ? WHERE id = ?", (reason[:500], item_id))

    def resend_refused_late(self) -> int:
        """Slots an older server refused as too late, or for a memo over its limit, wait for upload
        again (oldest first, as before): a server that keeps late slots takes them. How many."""
        changed = self.db.execute(f"UPDATE items SET state = 'ready', reason = NULL, not_before = 0 WHERE {REFUSED_LATE}").rowcount
        if changed:
            self._ready()
        return changed

    # What `status` and the terminal line show.
    def pending(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM items WHERE state = 'ready'").fetchall()[0][0]

    def pending_events(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM items WHERE state = 'ready' AND kind = 'event'").fetchall()[0][0]

    def rejected(self) -> list[Rejected]:
        rows = self.db.execute("SELECT kind, slot_start, body, reason FROM items WHERE state = 'rejected' ORDER BY id")
        return [
            Rejected(slot_start or json.loads(body).get("kind", kind), reason or "")
            for kind, slot_start, body, reason in rows
        ]

    def last_upload(self) -> datetime | None:
        rows = self.db.execute("SELECT value FROM facts WHERE key = 'last_upload'").fetchall()
        return datetime.fromisoformat(rows[0][0]) if rows else None

    def keep_within_budget(self) -> None:
        """Past the budget, screenshots go oldest first; the slots' metadata always stays."""
        rows = self.db.execute("SELECT id, COALESCE(length(shot), 0) + COALESCE(length(webcam), 0) FROM items "
                               "WHERE shot IS NOT NULL OR webcam IS NOT NULL ORDER BY id DESC").fetchall()
        total, drop = 0, []
        for item_id, size in rows:
            total += size
            if total > self.max_bytes:
                drop.append(item_id)
        if drop:
            self.db.executemany("UPDATE items SET shot = NULL, webcam = NULL WHERE id = ?", [(i,) for i in drop])
            self.db.execute("PRAGMA incremental_vacuum")

    def _upsert(self, slot: OpenSlot, state: str, body: str, shot: bytes | None, not_before: float,
                webcam: bytes | None = None) -> None:
        # One transaction: a clock-in answered between the look-up and the write cannot strand the row.
        with self._transaction():
            session_id, reason = slot.session_id, None
            if session_id < 0:
                placed, session_id, reason = self._where_it_goes(session_id)
                state = "rejected" if placed == "rejected" else state
                body = json.dumps({**json.loads(body), "session_id": session_id})
            self.db.execute(
                UPSERT_SLOT,
                {"state": state, "session_id": session_id, "slot_start": instant(slot.start),
                 "body": body, "shot": shot, "webcam": webcam, "not_before": not_before, "reason": reason},
            )  # fmt: skip

    def _ready(self) -> None:
        if self.on_ready:
            self.on_ready()

    def _transaction(self) -> "sqlite3.Connection":
        self.db.execute("BEGIN IMMEDIATE")  # the write lock at once: a read-then-write cannot interleave
        return self.db
