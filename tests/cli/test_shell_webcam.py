"""The webcam term in `tally shell`: set by the client, refused to the freelancer, shown with
whether the freelancer consented. Rule: docs/rules.md#webcam"""

from tests.cli.test_shell import replies, run_shell

SCRIPT = """\
/contract new @bob rate=40 title="Docs"
/contract set webcam=on
/contract set webcam=maybe
/contract show
/as bob
/contract set webcam=off
"""


def test_the_client_turns_the_webcam_on_and_show_says_consent_is_missing(tmp_path):
    said = replies(run_shell(tmp_path, SCRIPT))
    assert "Webcam: on from the next slot on" in said["/contract set webcam=on"]
    assert "webcam is on or off, e.g. webcam=on." in said["/contract set webcam=maybe"]
    assert "the freelancer has not consented" in said["/contract show"]
    assert "Only the client of this contract" in said["/contract set webcam=off"]
