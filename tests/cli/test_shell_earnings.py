"""/earnings, /paid and /profile in `tally shell`, a real process reading commands from standard
input: what each person may see and do before any week has closed."""

import pytest

from tests.cli.test_shell import replies, run_shell

SCRIPT = """\
/contract new @bob rate=40 title="Docs"
/as bob
/earnings
/paid last
/profile
/as carol
/profile @bob
/earnings @bob
/paid last @bob
/as alice
/paid 2020-W01
"""


@pytest.fixture(scope="module")
def said(tmp_path_factory):
    return replies(run_shell(tmp_path_factory.mktemp("shell"), SCRIPT))


def test_each_person_sees_and_may_do_what_the_rules_say(said):
    """Rule: docs/rules.md#earnings"""
    assert "#1 Docs (client alice): pending 0.00 USD · available 0.00 USD · paid 0.00 USD" in said["/earnings"]
    assert "Only the client of this contract can mark its weeks paid." in said["/paid last"]
    assert "You have no contract with bob" in said["/earnings @bob"]
    assert "You are not the client of any contract with bob" in said["/paid last @bob"]
    assert "did not run in week 2020-W01, so it owes nothing" in said["/paid 2020-W01"]


def test_anyone_sees_a_profile_without_titles_or_amounts(said):
    """Rule: docs/rules.md#profile"""
    profile = said["/profile @bob"]
    assert "Profile of bob" in profile and "1 active, 0 ended" in profile and "none yet" in profile
    assert "Docs" not in profile and "USD" not in profile and "alice" not in profile
    assert "Profile of bob" in said["/profile"]
