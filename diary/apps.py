"""Where a week's time went: counted time per app and per window title (docs/rules.md#apps).

The agent samples the focused window once a minute where the contract has `window=on`. A slot's
counted minutes are shared equally among its tracked minutes, and each tracked minute goes to the
window sampled in it. An older agent sends one window, read at the screenshot: it stands for the
whole slot. Time with no window (a private app had focus, the window could not be read, or the
slot began under `window=off`) stays in the total as "no window recorded", so shares add up.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from diary.changes import Change, value_at
from diary.terms import SLOT_MINUTES

NO_APP = "(unnamed app)"
NO_TITLE = "(no title)"
TOP_APPS = 10  # apps listed; the rest are summed as "other apps"
TOP_TITLES = 5  # titles listed under each app


@dataclass(frozen=True)
class Sample:
    app: str
    title: str


@dataclass(frozen=True)
class SlotWindows:
    """One slot as the report reads it. `windows`: a sample per minute (None: none in that minute)
    from a current agent, or None; `window`: the single window an older agent read."""

    counted: int  # the slot's counted minutes
    tracked: int  # its minutes inside the session (the minutes not sent as null)
    window_on: bool  # `window=on` was in force at its start
    windows: Sequence[Sample | None] | None = None
    window: Sample | None = None


@dataclass(frozen=True)
class TitleTime:
    title: str
    seconds: int


@dataclass(frozen=True)
class AppTime:
    app: str
    seconds: int
    titles: tuple[TitleTime, ...]  # the top titles, longest first
    other_titles: int = 0  # seconds of the titles not listed


@dataclass(frozen=True)
class AppsTally:
    counted_seconds: int  # the counted tracked time of the week: what shares are of
    apps: tuple[AppTime, ...]  # the top apps, longest first
    other_apps: int = 0  # seconds of the apps not listed
    unrecorded: int = 0  # seconds with no window

    def share(self, seconds: int) -> int:
        """Percent of the counted time, rounded half up (12.5 -> 13)."""
        return (200 * seconds + self.counted_seconds) // (2 * self.counted_seconds) if self.counted_seconds else 0


def samples_of(slot: SlotWindows) -> list[tuple[Sample, Fraction]]:
    """Each sample of the slot with the counted minutes it stands for."""
    if not slot.window_on or slot.counted <= 0:
        return []
    if slot.windows is not None:
        sampled = [w for w in slot.windows[:SLOT_MINUTES] if w is not None]
        # Never more than the slot's counted time, even for samples outside its tracked minutes.
        per_minute = Fraction(slot.counted, max(slot.tracked, len(sampled), 1))
        return [(w, per_minute) for w in sampled]
    return [(slot.window, Fraction(slot.counted))] if slot.window is not None else []


def tally(slots: Iterable[SlotWindows]) -> AppsTally:
    """The week's time per app and title, from its tracked slots."""
    by_app: dict[str, dict[str, Fraction]] = defaultdict(lambda: defaultdict(Fraction))
    counted = 0
    for slot in slots:
        counted += slot.counted
        for sample, minutes in samples_of(slot):
            by_app[sample.app or NO_APP][sample.title or NO_TITLE] += minutes
    apps = sorted((_app_time(app, titles) for app, titles in by_app.items()), key=lambda a: (-a.seconds, a.app))
    recorded = sum(a.seconds for a in apps)
    return AppsTally(counted_seconds=counted * 60, apps=tuple(apps[:TOP_APPS]),
                     other_apps=sum(a.seconds for a in apps[TOP_APPS:]), unrecorded=max(0, counted * 60 - recorded))


def _app_time(app: str, titles: dict[str, Fraction]) -> AppTime:
    ranked = sorted(((title, round(minutes * 60)) for title, minutes in titles.items()), key=lambda t: (-t[1], t[0]))
    shown = tuple(TitleTime(title, seconds) for title, seconds in ranked[:TOP_TITLES])
    return AppTime(app=app, seconds=round(sum(titles.values()) * 60), titles=shown,
                   other_titles=sum(seconds for _, seconds in ranked[TOP_TITLES:]))


def window_on_during(changes: Sequence[Change], start: datetime, end: datetime) -> bool:
    """Whether `window=on` was in force at any instant of [start, end)."""
    return bool(value_at(changes, start)) or any(c.value for c in changes if start <= c.at < end)
