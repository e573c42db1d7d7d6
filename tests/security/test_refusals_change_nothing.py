"""Whatever anyone types, a refusal changes nothing.

Hypothesis types command lines made of plausible and hostile words (other people's names, weeks,
times, every term, ids, junk) as the client, the freelancer, a stranger in the same channel and
someone in another channel, against a workspace with a closed week, a bonus, an open dispute and a
second contract. Every line gets an answer (never an exception); every refusal or question (a
contract to pick) leaves every table as it was (a stranger named is not recorded); and no line
but a dispute's steps changes what the closed week's statement, books and slots are. SQLite only: the rule under test is the
services', and the database is restored before each line so that each example stands alone.
"""

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlmodel import SQLModel

from bot import commands
from bot.services import review
from bot.services.context import Context
from bot.services.results import Choice, Done
from bot.services.views import pick_week
from diary.refusal import Refusal
from storage.blobs import FolderBlobs
from tests.conftest import new_database, utc
from tests.services.helpers import ALICE, BOB, as_admin, hire, pair_device, person, work
from tests.services.test_earnings import mention

CAROL, MALLORY, DAVE = person("carol", "C2"), person("mallory"), person("dave", "C3")
PEOPLE = [ALICE, BOB, CAROL, MALLORY, DAVE, as_admin(MALLORY)]
MON, WED, CLOSE, NOW = utc(2026, 11, 16, 9), utc(2026, 11, 18, 9), utc(2026, 11, 23, 12), utc(2026, 11, 24, 9)

WORDS = [
    "@alice", "@bob", "@carol", "@mallory", "@dave", "@nobody", "#1", "#2", "#99", "1", "2", "0", "-1",
    "99999999999999999999", "2026-W47", "2026-W48", "2026-W53", "W47", "last", "this", "2026-11-16",
    "2026-11-24", "2026-02-30", "tomorrow", "09:00-10:00", "08:00", "10:00", "25:99", "10:00-09:00",
    "rate=50", "rate=-5", "rate=abc", "weekly=100", "limit=0", "limit=200", "currency=EUR", "tz=Mars/Base",
    "tz=Europe/Berlin", "screenshots=off", "screenshots=blur", "window=on", "webcam=on", "min=10", "min=-1",
    "idle=0", "manual=on", "billing=weekly", "title=x", "contract=1", "contract=#2", "contract=abc",
    "new", "set", "show", "end", "pause", "resume", "undo", "on", "off", "summary-channel", "help",
    "yes", "50", "12.345", "1e9", "no work shown", "ü", "😀", "x" * 600, "'", "\"",
]
DISPUTE_STEPS = {"dispute", "accept", "answer", "withdraw", "confirm"}  # the only changes a closed week takes
NAMES = sorted(commands.PARSERS) + ["nosuch"]
# Well-formed lines of every command, which the words above then bend: refusals deep in a use case,
# after it has read and perhaps begun to write, are the ones that could leave something behind.
LINES = [
    "clockin fixing the header", "clockin contract=2 logo", "clockout", "memo polishing", "diary 2026-11-16 @bob",
    "timesheet last", "timesheet 2026-W47 @bob csv", "apps last @bob", "manual 07:00-08:00 2026-11-24 call",
    "manual 10:00-11:00 2026-11-16 late", "delete 09:00 2026-11-16", "delete 09:10", "contract new @bob rate=40",
    "contract new @mallory rate=30 limit=10", "contract show", "contract pause", "contract resume", "contract end",
    "contract limit 20", "contract rate 55", "contract set rate=45 window=on min=5", "contract set currency=EUR",
    "contract set tz=Asia/Kolkata", "private on", "private off", "connect", "bonus @bob 20 thanks", "devices",
    "revoke 1", "earnings", "earnings @bob", "paid 2026-W47 @bob", "paid undo 1", "profile @bob",
    "tally summary-channel", "tally help", "approve 1", "decline 1", "dispute 09:00-10:00 2026-11-16 idle",
    "accept 1", "answer 1 I was there", "withdraw 1", "confirm 1", "approve 2026-W47",
]


def snapshot(engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {t.name: sorted(map(tuple, conn.execute(t.select())), key=repr) for t in SQLModel.metadata.sorted_tables}


def closed_week(rows: dict[str, list[tuple]]) -> tuple:
    """What alice and bob were told week 2026-W47 is: its stored statement and books, and its slots."""
    reviews = [row[4:6] for row in rows["week_review"] if row[1] == 1]  # contract 1, closed in setup
    return reviews, [row for row in rows["slot"] if str(row[3]) < "2026-11-23"]  # start before 2026-W48


def restore(engine, rows: dict[str, list[tuple]]) -> None:
    tables = SQLModel.metadata.sorted_tables
    with engine.begin() as conn:
        conn.execute(text("PRAGMA defer_foreign_keys = ON"))
        for table in reversed(tables):
            conn.execute(table.delete())
        for table in tables:
            if rows[table.name]:
                conn.execute(table.insert(), [dict(zip(table.columns.keys(), row)) for row in rows[table.name]])


def say(ctx, who, line: str, now):
    name, _, rest = line.partition(" ")
    return commands.run(ctx, who, name, rest, now=now, mention=mention)


def a_workspace_with_books(ctx) -> None:
    """alice hired bob (a closed week with a bonus, a manual-time request waiting); carol hired bob
    in another channel; everyone has spoken once, so nobody is new to Tally."""
    hire(ctx, MON - timedelta(days=1), title="Docs")
    work(ctx, pair_device(ctx, BOB, MON), BOB, MON, 12)
    say(ctx, ALICE, "bonus @bob 50 thanks", WED)
    review.close_week(ctx, 1, pick_week("2026-W47", "UTC", MON), now=CLOSE)
    hire(ctx, MON, client=CAROL, title="Logo")
    say(ctx, BOB, "manual 08:00-09:00 2026-11-23 planning contract=1", NOW)
    say(ctx, ALICE, "dispute 10:00-10:30 2026-11-16 idle screens", NOW)
    for who in PEOPLE:
        say(ctx, who, "profile", NOW)


def test_a_refusal_never_changes_anything(tmp_path):
    engine, _ = new_database("sqlite", tmp_path)
    ctx = Context(engine=engine, blobs=FolderBlobs(tmp_path / "blobs"), slot_seconds=600, public_url="http://tally.test")
    a_workspace_with_books(ctx)
    world = snapshot(engine)

    @settings(max_examples=800, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(who=st.sampled_from(PEOPLE), line=st.sampled_from(LINES), name=st.sampled_from(NAMES),
           bend=st.sampled_from(["as is", "add", "replace", "junk"]), words=st.lists(st.sampled_from(WORDS), max_size=4),
           at=st.integers(0, 3))
    def typed(who, line, name, bend, words, at):
        restore(engine, world)
        typed_words = line.split()
        if bend == "add":
            typed_words[at:at] = words
        elif bend == "replace":
            typed_words[1 + at:2 + at + len(words)] = words
        elif bend == "junk":
            typed_words = [name, *words]
        result = say(ctx, who, " ".join(typed_words), NOW)
        assert result is not None and not isinstance(result, BaseException)
        if isinstance(result, Refusal | Choice):
            assert snapshot(engine) == world, f"{who.name} typed /{' '.join(typed_words)} and was refused, yet tables changed"
        if isinstance(result, Done):
            assert "Traceback" not in result.text
        if typed_words[0] not in DISPUTE_STEPS:
            assert closed_week(snapshot(engine)) == closed_week(world), f"/{' '.join(typed_words)} by {who.name} changed a closed week"

    typed()
    engine.dispose()
