"""The workspace's weekly summary, and `tally export` of a week as CSV."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

from PIL import Image

from bot import jobs
from bot.export import COLUMNS, export_week
from bot.services import weekly, workspaces
from bot.services.chart import BILLABLE
from bot.services.summary import MOST_BARS, summary_chart
from diary.refusal import Refusal
from tests.conftest import utc
from tests.services.helpers import BOB, as_admin, hire, outbox, pair_device, person, work

MON = utc(2026, 11, 16, 9)
CAROL = person("carol", "C2")


def two_contracts(ctx) -> None:
    """bob bills in UTC (C1), carol in Los Angeles (C2); both work an hour on Monday."""
    hire(ctx, MON, title="Landing page")
    hire(ctx, MON, client=person("alice", "C2"), freelancer=CAROL, tz="America/Los_Angeles", rate=Decimal("50"))
    work(ctx, pair_device(ctx, BOB, MON), BOB, MON, 6)
    work(ctx, pair_device(ctx, CAROL, MON), CAROL, MON + timedelta(hours=9), 6)  # 09:00 in Los Angeles


def test_the_summary_waits_for_every_contract_of_the_workspace_then_lists_them_once(ctx):
    two_contracts(ctx)
    workspaces.set_summary_channel(ctx, as_admin(person("alice", "C-summary")))
    jobs.week_close(ctx, now=utc(2026, 11, 23, 12))  # bob's week closes; carol's Monday noon is 20:00 UTC
    assert outbox(ctx, "summary") == []
    assert jobs.week_close(ctx, now=utc(2026, 11, 23, 20)) == "week-close: 1 weeks closed, 1 workspace summaries queued"
    jobs.week_close(ctx, now=utc(2026, 11, 23, 20, 5))
    (summary,) = outbox(ctx, "summary")
    assert (summary.channel, summary.payload["title"]) == ("C-summary", "Weekly summary 2026-W47")
    assert summary.payload["text"].splitlines() == [
        "bob — Landing page: 1:00 counted, 40.00 USD, waiting for review",
        "carol — contract #2: 1:00 counted, 50.00 USD, waiting for review",
        "Total 90.00 USD",
        "Earnings so far, every week of these contracts: available to pay 0.00 · pending 90.00 USD · paid 0.00",
    ]


def test_the_summary_carries_a_chart_of_each_freelancer_s_hours_drawn_like_the_review_chart(ctx):
    two_contracts(ctx)
    workspaces.set_summary_channel(ctx, as_admin(person("alice", "C-summary")))
    jobs.week_close(ctx, now=utc(2026, 11, 24))
    (summary,) = outbox(ctx, "summary")
    assert summary.payload["chart"] == {"title": "Hours per freelancer, 2026-W47",
                                        "bars": [["bob", 60, 0, 0], ["carol", 60, 0, 0]]}
    weekly.draw_chart(ctx, summary.payload)
    image = Image.open(io.BytesIO(ctx.blobs.get(summary.payload["image_key"])))
    assert (image.format, image.size, image.mode) == ("PNG", (560, 260), "P")
    assert image.getcolors() and BILLABLE in {colour for _, colour in image.getcolors()}


def test_the_summary_chart_adds_up_a_freelancer_s_contracts_and_keeps_a_dozen_bars():
    week = {"billable_minutes": 60, "over_limit_minutes": 10, "disputed_minutes": 20}
    names = ["bob", "bob"] + [f"f{n:02d}" for n in range(14)]
    chart = summary_chart([(name, week) for name in names], "2026-W47")
    assert len(chart["bars"]) == MOST_BARS
    assert chart["bars"][0] == ["bob", 120, 20, 40]
    assert chart["bars"][-1] == ["4 others", 240, 40, 80]


def test_no_summary_without_a_summary_channel(ctx):
    two_contracts(ctx)
    jobs.week_close(ctx, now=utc(2026, 11, 24))
    assert outbox(ctx, "summary") == []


def test_export_gives_every_contract_s_days_and_statement_of_the_week(ctx):
    two_contracts(ctx)
    jobs.week_close(ctx, now=utc(2026, 11, 24))
    table = list(csv.reader(io.StringIO(export_week(ctx, "2026-W47", now=utc(2026, 11, 24)))))
    assert table[0] == COLUMNS and len(table) == 1 + 2 * 8
    monday, total = dict(zip(COLUMNS, table[1])), dict(zip(COLUMNS, table[8]))
    assert (monday["day"], monday["counted_hours"], monday["total"]) == ("2026-11-16", "1.00", "")
    assert (total["day"], total["billable_hours"], total["total"], total["status"]) == ("total", "1.00", "40.00", "pending")
    assert (total["pending"], total["available"], total["paid"], total["paid_at"]) == ("40.00", "0.00", "0.00", "")
    only = list(csv.reader(io.StringIO(export_week(ctx, "2026-W47", now=utc(2026, 11, 24), contract_id=2))))
    assert {row[1] for row in only[1:]} == {"2"}


def test_export_refuses_a_bad_week_or_an_unknown_contract(ctx):
    two_contracts(ctx)
    assert isinstance(export_week(ctx, "2026-47", now=MON), Refusal)
    missing = export_week(ctx, "2026-W47", now=MON, contract_id=99)
    assert isinstance(missing, Refusal) and missing.code == "not_found"
