"""/contract from Slack: created by text or by the modal, shown, paused; refusals stay private."""

from tests.slack.conftest import deliver
from tests.slack.harness import ALICE, BOB, CAROL, CHANNEL, text_of, view_of


def test_contract_new_with_arguments_creates_it_and_tells_the_channel(slack, fake, ctx, clock):
    reply = slack.ask(ALICE, "contract", f'new {BOB.mention} rate=40 limit=30h currency=eur title="Landing page"')

    assert reply["response_type"] == "ephemeral"
    assert "Contract created: #1 Landing page" in reply["text"]
    assert "40.00 EUR/h" in reply["text"] and "30 h/week" in reply["text"]
    [post] = deliver(ctx, fake, clock)
    assert post["channel"] == CHANNEL
    assert "alice started a contract with bob: 40.00 EUR/h." in post["text"]


def test_curly_quotes_and_a_bare_mention_are_understood(slack):
    reply = slack.ask(ALICE, "contract", "new <@UBOB> rate=40 title=“Landing page” limit=none")

    assert "Contract created: #1 Landing page" in reply["text"] and "no limit" in reply["text"]


def test_contract_show_pause_and_resume(slack, fake):
    slack.ask(ALICE, "contract", f"new {BOB.mention} rate=40")

    assert "Contract #1" in slack.ask(BOB, "contract", "show")["text"]
    assert "Contract paused" in slack.ask(ALICE, "contract", "pause")["text"]
    assert "Contract resumed" in slack.ask(ALICE, "contract", "resume")["text"]
    assert "Hourly rate changed" in slack.ask(ALICE, "contract", "rate 45")["text"]


def test_contract_refusals_are_private_and_explain_the_usage(slack):
    cases = [
        (ALICE, f"new {BOB.mention}", "Name the freelancer and the rate, e.g. /contract new @bob rate=40"),
        (ALICE, f"new {BOB.mention} rate=lots", "That is not an amount"),
        (ALICE, f"new {BOB.mention} rate=40 screenshots=sometimes", "screenshots is one of on|blur|off"),
        (ALICE, "sing", "Use /contract new @freelancer rate=40"),
    ]
    for user, text, expected in cases:
        reply = slack.ask(user, "contract", text)
        assert reply["response_type"] == "ephemeral"
        assert expected in reply["text"], (text, reply["text"])
        assert ":no_entry_sign:" in text_of(reply["blocks"])
    slack.ask(ALICE, "contract", f"new {BOB.mention} rate=40")
    assert "Only the client of this contract can change" in slack.ask(BOB, "contract", "pause")["text"]
    assert "You have no contract here yet" in slack.ask(CAROL, "contract", "show")["text"]


def test_contract_new_alone_opens_the_form_and_shows_errors_under_their_fields(slack, fake, ctx, clock):
    sent = slack.command(ALICE, "contract", "new")
    assert sent.http.status_code == 200
    [opened] = fake.wait("views.open")
    assert opened.args["trigger_id"] == f"trigger-{sent.key}"
    form = view_of(opened)

    bad = slack.submit(ALICE, form, {"freelancer": BOB.id, "rate": "forty", "tz": "Mars/Olympus", "idle": "99"})

    assert bad.status_code == 200
    assert bad.json()["response_action"] == "errors"
    assert set(bad.json()["errors"]) == {"rate", "tz", "idle"}
    assert "Mars/Olympus" in bad.json()["errors"]["tz"]
    assert "Idle minutes run from 1 to 60" in bad.json()["errors"]["idle"]

    fake.names[BOB.id] = "bob"
    good = slack.submit(ALICE, form, {"freelancer": BOB.id, "rate": "40", "limit": "none", "screenshots": "blur", "title": "API"})

    assert good.status_code == 200 and good.text in ("", "null")
    [confirmation] = fake.wait("chat.postEphemeral")
    assert confirmation.args["user"] == ALICE.id and confirmation.args["channel"] == CHANNEL
    assert "Contract created: #1 API" in confirmation.args["text"]
    assert "Freelancer: bob" in confirmation.args["text"] and "no limit" in confirmation.args["text"]
    assert "Screenshots: blur" in confirmation.args["text"]


def test_the_form_refuses_hiring_yourself_under_the_freelancer_field(slack, fake):
    slack.command(ALICE, "contract", "new")
    form = view_of(fake.wait("views.open")[0])

    answer = slack.submit(ALICE, form, {"freelancer": ALICE.id, "rate": "40"})

    assert answer.json() == {"response_action": "errors", "errors": {"freelancer": "You cannot hire yourself: name the freelancer, e.g. /contract new @bob rate=40."}}
