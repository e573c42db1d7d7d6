"""A Slack command or click, or a Discord interaction, is acted on once.

Slack signs a request with a timestamp and accepts it for five minutes, so a captured request
could be sent again (a `/bonus` thrice gave three bonuses). Each trigger (Slack's trigger_id and
action, Discord's interaction id) is kept in the database for longer than that window; a second
arrival is dropped, whichever web process it reaches.
"""

from datetime import datetime, timedelta

from bot.services.context import Context
from storage import replays

# Slack's window is five minutes either side of its clock; kept twice as long, for clock skew.
KEEP = timedelta(minutes=10)


def first_time(ctx: Context, key: str, *, now: datetime) -> bool:
    """True the first time `key` is seen (and then never again while it is kept)."""
    with ctx.unit() as s:
        replays.forget_before(s, cutoff=now - KEEP)
        return replays.first_time(s, key=key[:200], now=now)
