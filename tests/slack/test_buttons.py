"""Approvals in the channel: the weekly review, disputes and manual time, clicked as in Slack."""

from datetime import UTC, datetime, timedelta

from bot import jobs
from tests.slack.conftest import MONDAY, deliver, hire, work_an_hour
from tests.slack.harness import ALICE, BOB, CAROL, CHANNEL, labels, text_of, view_of

REVIEW_OPEN = datetime(2026, 11, 23, 12, 30, tzinfo=UTC)  # week 2026-W47's edits closed at 12:00


def refused(slack, fake, sent, expected: str) -> None:
    """The click got a private "no" and left the message as it was."""
    assert sent.http.status_code == 200
    reply = slack.reply(sent)
    assert reply["response_type"] == "ephemeral" and reply["replace_original"] is False
    assert expected in reply["text"], reply["text"]


def updated(fake, message: dict, count: int = 1) -> dict:
    """The message after the app's chat.update, as Slack now shows it."""
    [*_, update] = fake.wait("chat.update", count=count)
    assert update.args["channel"] == message["channel"] and update.args["ts"] == message["ts"]
    return fake.messages[message["ts"]]


def review_message(slack, fake, ctx, clock) -> dict:
    hire(slack)
    work_an_hour(ctx, MONDAY)
    deliver(ctx, fake, clock)
    clock.now = REVIEW_OPEN
    jobs.week_close(ctx, now=clock.now)
    [review] = deliver(ctx, fake, clock)
    return review


def test_the_weekly_review_is_approved_by_the_client_only(slack, fake, ctx, clock):
    review = review_message(slack, fake, ctx, clock)
    assert review["channel"] == CHANNEL
    assert "Week 2026-W47 of bob" in review["text"] and "1:00 counted" in review["text"]
    assert labels(review["blocks"]) == ["Approve", "Dispute", "Open diary"]

    refused(slack, fake, slack.click(CAROL, review, "Approve"), "There is no contract #1 of yours.")
    refused(slack, fake, slack.click(BOB, review, "Approve"), "Only the client of this contract can approve its hours.")
    assert fake.of("chat.update") == []

    slack.click(ALICE, review, "Approve")

    now = updated(fake, review)
    assert labels(now["blocks"]) == ["Open diary"]
    assert f"Week 2026-W47 approved by alice. (<@{ALICE.id}>)" in text_of(now["blocks"])
    refused(slack, fake, slack.click(ALICE, review, "Approve"), "Week 2026-W47 is already approved and can no longer be approved.")


def test_open_diary_on_the_review_gives_each_party_their_own_link(slack, fake, ctx, clock):
    review = review_message(slack, fake, ctx, clock)

    links = []
    for user in (ALICE, BOB):
        reply = slack.reply(slack.click(user, review, "Open diary"))
        assert reply["response_type"] == "ephemeral"
        [url] = [e["url"] for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]
        links.append(url)
    assert links[0] != links[1] and all(u.startswith("http://tally.test/diary/") for u in links)
    refused(slack, fake, slack.click(CAROL, review, "Open diary"), "Only the client and the freelancer of a contract can open its diary.")


def test_dispute_answer_and_confirm(slack, fake, ctx, clock):
    review = review_message(slack, fake, ctx, clock)

    refused(slack, fake, slack.click(BOB, review, "Dispute"), "Only the client of this contract can dispute its hours.")
    assert fake.of("views.open") == []

    slack.click(ALICE, review, "Dispute")
    form = view_of(fake.wait("views.open")[0])
    bad = slack.submit(ALICE, form, {"range": "nine to ten", "reason": "idle"})
    assert bad.json()["response_action"] == "errors" and "is not a time range" in bad.json()["errors"]["range"]

    assert slack.submit(ALICE, form, {"range": "09:00-09:30", "reason": "no work visible"}).status_code == 200
    now = updated(fake, review)
    assert labels(now["blocks"]) == ["Approve", "Dispute", "Open diary"]  # the week stays under review
    assert "Dispute #1 opened" in text_of(now["blocks"])

    [dispute] = deliver(ctx, fake, clock)
    assert "alice disputes Mon 2026-11-16 09:00–09:30 (UTC) of week 2026-W47: no work visible" in dispute["text"]
    assert labels(dispute["blocks"]) == ["Accept", "Answer"]
    refused(slack, fake, slack.click(ALICE, dispute, "Accept"), "Only the freelancer of this contract can accept or answer a dispute")
    refused(slack, fake, slack.click(ALICE, dispute, "Answer"), "Only the freelancer of this contract can accept or answer a dispute")

    slack.click(BOB, dispute, "Answer")
    answer_form = view_of(fake.wait("views.open", count=2)[1])
    assert slack.submit(BOB, answer_form, {"answer": "the screenshots show the staging server"}).status_code == 200
    assert "Dispute #1 answered by bob." in text_of(updated(fake, dispute, count=2)["blocks"])
    assert labels(fake.messages[dispute["ts"]]["blocks"]) == []

    [answered] = deliver(ctx, fake, clock)
    assert answered["text"] == "bob answers dispute #1: the screenshots show the staging server"
    assert labels(answered["blocks"]) == ["Withdraw", "Confirm"]
    refused(slack, fake, slack.click(BOB, answered, "Confirm"), "Only the client of this contract can dispute its hours.")

    slack.click(ALICE, answered, "Confirm")
    assert "Dispute #1 confirmed by alice." in text_of(updated(fake, answered, count=3)["blocks"])


def test_dispute_accepted_and_another_withdrawn(slack, fake, ctx, clock):
    review = review_message(slack, fake, ctx, clock)
    for n, span in enumerate(("09:00-09:20", "09:40-10:00"), start=1):
        slack.click(ALICE, review, "Dispute")
        form = view_of(fake.wait("views.open", count=n)[n - 1])
        assert slack.submit(ALICE, form, {"range": span, "reason": "too long"}).status_code == 200
    first, second = deliver(ctx, fake, clock)

    slack.click(BOB, first, "Accept")
    assert "Dispute #1 accepted by bob." in text_of(updated(fake, first, count=3)["blocks"])

    slack.click(BOB, second, "Answer")
    form = view_of(fake.wait("views.open", count=3)[2])
    slack.submit(BOB, form, {"answer": "I was on a call"})
    [answered] = deliver(ctx, fake, clock)
    slack.click(ALICE, answered, "Withdraw")
    assert "Dispute #2 withdrawn by alice." in text_of(updated(fake, answered, count=5)["blocks"])

    sheet = slack.ask(ALICE, "timesheet", "2026-W47")
    assert "Review: approved" in sheet["text"]  # no dispute left pending: the rest of the week stands


def test_manual_time_approved_and_declined_by_the_client(slack, fake, ctx, clock):
    hire(slack)
    deliver(ctx, fake, clock)

    asked = slack.ask(BOB, "manual", "07:00-08:00 2026-11-16 fixing the login page")
    assert "Asked the client to approve Mon 2026-11-16 07:00–08:00 (UTC) of manual time" in asked["text"]
    slack.ask(BOB, "manual", "06:00-06:30 mon call with the designer")
    first, second = deliver(ctx, fake, clock)
    assert first["text"] == "bob asks for manual time: Mon 2026-11-16 07:00–08:00 (UTC) — fixing the login page"
    assert labels(first["blocks"]) == ["Approve", "Decline"]

    refused(slack, fake, slack.click(CAROL, first, "Approve"), "There is no manual time request #1 of yours.")
    refused(slack, fake, slack.click(BOB, first, "Approve"), "Only the client of this contract can approve or decline manual time")

    slack.click(ALICE, first, "Approve")
    assert "Manual time Mon 2026-11-16 07:00–08:00 (UTC) approved by alice." in text_of(updated(fake, first)["blocks"])
    slack.click(ALICE, second, "Decline")
    assert "Manual time Mon 2026-11-16 06:00–06:30 (UTC) declined by alice." in text_of(updated(fake, second, count=2)["blocks"])
    refused(slack, fake, slack.click(ALICE, second, "Approve"), "That request was already declined.")

    clock.now += timedelta(minutes=1)
    monday = next(line for line in slack.ask(ALICE, "timesheet")["text"].splitlines() if "Mon 11-16" in line)
    assert monday.split() == ["Mon", "11-16", "1:00", "1:00", "0:00", "1:00", "0:00"]  # the approved hour, manual


def test_manual_refusals(slack):
    hire(slack, "manual=off")
    assert "Say which time and what you did" in slack.ask(BOB, "manual")["text"]
    assert '"7-8" is not a time range' in slack.ask(BOB, "manual", "7-8 fixing")["text"]
    assert "manual" in slack.ask(BOB, "manual", "07:00-08:00 fixing")["text"].lower()
