"""NUL and other control characters anywhere in a chat command get a sentence or are cleaned —
never a database error (PostgreSQL text cannot hold NUL)."""

import pytest

from bot import commands
from bot.services.results import Done
from bot.shell import mention
from diary.refusal import Refusal
from tests.api.conftest import NOW
from tests.api.world import ALICE, BOB, hire

LINES = [
    (ALICE, "contract new @bob rate=40 tz=Europe/Ber\x00lin"), (ALICE, "contract new @bob rate=40 currency=U\x00D"),
    (ALICE, "contract new @b\x00ob rate=40"), (ALICE, "contract set title=\x00\x01"), (ALICE, "diary 2026-11-1\x008"),
    (ALICE, "timesheet 2026-W4\x007"), (BOB, "manual 09:00-10:00 \x00"), (BOB, "clockin \x00\x1b[2J"),
    (ALICE, "dispute 09:00-10:00 2026-11-16 no\x00work"), (ALICE, "bonus @bob 5\x000"), (BOB, "memo \x00"),
    (BOB, "delete 10:\x0000"), (BOB, "revoke 1\x00"), (ALICE, "tally summary-\x00channel"),
]


@pytest.mark.parametrize("who, line", LINES, ids=[line.split()[0] + str(i) for i, (_, line) in enumerate(LINES)])
def test_control_characters_never_reach_the_database_as_an_error(ctx, who, line):
    hire(ctx, NOW)
    name, _, rest = line.partition(" ")
    result = commands.run(ctx, who, name, rest, now=NOW, mention=mention)
    assert result is not None and not isinstance(result, Exception)
    if isinstance(result, Refusal | Done):
        text = result.message if isinstance(result, Refusal) else result.text
        assert "\x00" not in text
