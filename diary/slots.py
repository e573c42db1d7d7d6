"""Slot arithmetic: a slot is [t, t + slot_seconds) with t a multiple of slot_seconds since the epoch."""

from datetime import UTC, datetime, timedelta

from diary.terms import DEFAULT_SLOT_SECONDS, SLOT_MINUTES


def _require_aware(t: datetime) -> None:
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError("instants must be timezone-aware")


def slot_floor(t: datetime, slot_seconds: int = DEFAULT_SLOT_SECONDS) -> datetime:
    """The start of the slot that contains t, in UTC."""
    _require_aware(t)
    seconds = int(t.timestamp() // slot_seconds) * slot_seconds
    return datetime.fromtimestamp(seconds, UTC)


def is_aligned(t: datetime, slot_seconds: int = DEFAULT_SLOT_SECONDS) -> bool:
    _require_aware(t)
    return t.microsecond == 0 and int(t.timestamp()) % slot_seconds == 0


def slot_end(start: datetime, slot_seconds: int = DEFAULT_SLOT_SECONDS) -> datetime:
    return start + timedelta(seconds=slot_seconds)


def minute_length(slot_seconds: int = DEFAULT_SLOT_SECONDS) -> timedelta:
    """A slot always has ten equal "minutes", whatever its length."""
    return timedelta(seconds=slot_seconds / SLOT_MINUTES)


def minute_index(t: datetime, slot_seconds: int = DEFAULT_SLOT_SECONDS) -> int:
    """Which of its slot's ten minutes t falls in (0-9)."""
    offset = (t - slot_floor(t, slot_seconds)).total_seconds()
    return min(SLOT_MINUTES - 1, int(offset * SLOT_MINUTES // slot_seconds))


def slots_overlapping(
    begin: datetime, end: datetime, slot_seconds: int = DEFAULT_SLOT_SECONDS
) -> list[datetime]:
    """Starts of every slot that shares time with [begin, end), in order."""
    starts, t = [], slot_floor(begin, slot_seconds)
    while t < end:
        starts.append(t)
        t = slot_end(t, slot_seconds)
    return starts


def still_on_the_way(*, started_at: datetime, ended_at: datetime, received: set[datetime], reported: bool,
                     slot_seconds: int = DEFAULT_SLOT_SECONDS) -> list[datetime]:
    """Starts of a just-ended session's last slots that its agent is most likely still uploading:
    the slot the session ended in and the one before (an agent sends a slot as it closes, after a
    random wait), those of the session not received yet. Nothing is expected from an agent that never
    reported in a session older than those two slots."""
    last = slot_floor(ended_at - timedelta(microseconds=1), slot_seconds)
    candidates = [last - timedelta(seconds=slot_seconds), last]
    young = ended_at - started_at <= timedelta(seconds=2 * slot_seconds)
    if not (reported or young):
        return []
    return [t for t in candidates if t + timedelta(seconds=slot_seconds) > started_at and t not in received]
