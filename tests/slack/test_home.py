"""App Home: what the freelancer and the client see, and clocking in and out from it."""

from datetime import timedelta

from tests.slack.conftest import MONDAY, deliver, hire, work_an_hour
from tests.slack.harness import ALICE, BOB, CAROL, CHANNEL, labels, text_of


def published(fake, user, count: int) -> dict:
    [*_, call] = fake.wait("views.publish", count=count)
    assert call.args["user_id"] == user.id
    view = call.args["view"]
    assert view["type"] == "home"
    return view


def test_home_shows_today_this_week_and_devices_and_clocks_in_and_out(slack, fake, ctx, clock):
    hire(slack, "limit=30")
    work_an_hour(ctx, MONDAY)
    deliver(ctx, fake, clock)
    clock.now = MONDAY + timedelta(hours=2)

    assert slack.home_opened(BOB).status_code == 200
    home = published(fake, BOB, 1)
    text = text_of(home["blocks"])
    assert "Not tracking." in text
    assert "the freelancer, with alice" in text
    assert "1:00 counted, activity 70%" in text
    assert "This week (2026-W47)" in text and "1:00 of 30 h" in text
    assert "laptop (linux)" in text
    assert labels(home["blocks"]) == ["Clock in"]

    slack.click_home(BOB, home, "Clock in")
    home = published(fake, BOB, 2)
    assert "Clocked in on contract #1." in text_of(home["blocks"])
    assert "Tracking contract #1" in text_of(home["blocks"])
    assert labels(home["blocks"]) == ["Clock out"]
    [post] = deliver(ctx, fake, clock)
    assert post["channel"] == CHANNEL and post["text"] == "bob clocked in"

    clock.now += timedelta(minutes=30)
    slack.click_home(BOB, home, "Clock out")
    home = published(fake, BOB, 3)
    assert "Clocked out of contract #1" in text_of(home["blocks"]) and "Not tracking." in text_of(home["blocks"])


def test_the_client_sees_the_contract_without_a_clock_button(slack, fake, ctx, clock):
    hire(slack)
    slack.ask(BOB, "clockin", "design review")

    slack.home_opened(ALICE)

    home = published(fake, ALICE, 1)
    assert "the client, with bob" in text_of(home["blocks"])
    assert "tracking now — design review" in text_of(home["blocks"])
    assert labels(home["blocks"]) == []


def test_a_stranger_gets_directions(slack, fake):
    slack.home_opened(CAROL)

    text = text_of(published(fake, CAROL, 1)["blocks"])
    assert "You have no contract yet" in text and "No device paired yet: /connect" in text
