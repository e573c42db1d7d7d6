"""An agent that cannot track where it runs (a Wayland session) says so with a `capabilities`
event: /clockin is refused with the reason and the fix, and the contract and the client's diary
say it instead of showing silent gaps, until a device can track again."""

import io
from datetime import timedelta

from bot.services import devices, links
from bot.shell import Shell
from storage import repo
from storage.tables import Contract
from tests.api.conftest import NOW
from tests.api.world import API, bearer, pair_agent

CANNOT = {"screenshots": False, "input": False, "reason": "Wayland"}
CAN = {"screenshots": True, "input": True}


def report(api, token: str, at=NOW, **fields) -> dict:
    answer = api.post(f"{API}/events", json={"kind": "capabilities", "at": at.isoformat(), **fields},
                      headers=bearer(token))  # fmt: skip
    assert answer.status_code == 200, answer.text
    return answer.json()


def shell(ctx, who: str, *lines: str, at=NOW) -> str:
    out = io.StringIO()
    Shell(ctx, who, out=out, clock=lambda: at).run(list(lines), echo=True)
    return out.getvalue()


def diary_page(ctx, api, member: str) -> str:
    with ctx.unit() as s:
        contract = s.get(Contract, 1)
        member_id = contract.client_id if member == "alice" else contract.freelancer_id
        url = links.link_for(ctx, member_id, contract, now=NOW).url
    return api.get(url.removeprefix(ctx.public_url)).text


def test_a_wayland_device_blocks_clockin_with_the_fix_and_everyone_sees_why(ctx, api, agent, clock):
    """Rule: docs/rules.md#devices-that-cannot-track"""
    said = report(api, agent, **CANNOT)
    assert said["ok"] is True and "X11 session" in said["message"]
    refused = shell(ctx, "bob", "/clockin fixing the header")
    assert "Your agent cannot track here (Wayland)" in refused and "Log in with an X11 session" in refused
    assert "Clocked in" not in refused
    with ctx.unit() as s:
        assert repo.open_session(s, freelancer_id=s.get(Contract, 1).freelancer_id) is None  # nothing changed
    local = api.post(f"{API}/events", json={"kind": "local_clockin", "at": NOW.isoformat()}, headers=bearer(agent))
    assert local.status_code == 422 and "X11 session" in local.json()["detail"]

    notice = "Agent cannot track here (Wayland)"
    assert notice in shell(ctx, "alice", "/contract show")
    assert notice in shell(ctx, "alice", "/diary @bob")
    assert notice in shell(ctx, "bob", "/diary")
    assert "agent cannot track here (Wayland)" in diary_page(ctx, api, "alice").replace("Agent", "agent")

    clock.advance(minutes=5)
    report(api, agent, at=NOW + timedelta(minutes=5), **CAN)  # logged in with X11 and ran the agent again
    report(api, agent, at=NOW + timedelta(minutes=1), **CANNOT)  # an older report arriving late changes nothing
    later = NOW + timedelta(minutes=6)
    assert "Clocked in on Website" in shell(ctx, "bob", "/clockin back", at=later)
    assert notice not in shell(ctx, "alice", "/contract show", at=later)
    assert "cannot track" not in diary_page(ctx, api, "alice")


def test_another_device_that_can_track_keeps_clockin_open(ctx, api, agent):
    """Rule: docs/rules.md#devices-that-cannot-track"""
    report(api, agent, **CANNOT)
    pair_agent(ctx, NOW)  # a second computer, never said it cannot: thought able
    assert "Clocked in on Website" in shell(ctx, "bob", "/clockin on the laptop")
    assert "cannot track" not in shell(ctx, "alice", "/contract show")


def test_revoking_the_unable_device_lifts_it(ctx, api, agent):
    """Rule: docs/rules.md#devices-that-cannot-track"""
    report(api, agent, **CANNOT)
    with ctx.unit() as s:
        device_id = repo.unrevoked_devices_of(s, member_id=s.get(Contract, 1).freelancer_id)[0].id
    devices.revoke(ctx, device_id, now=NOW)
    assert "Clocked in on Website" in shell(ctx, "bob", "/clockin")


def test_a_reason_that_is_not_plain_words_is_not_repeated_to_the_client(ctx, api, agent):
    """Rule: docs/rules.md#devices-that-cannot-track"""
    report(api, agent, screenshots=False, input=True, reason="<!channel> *click* https://evil.example")
    shown = shell(ctx, "alice", "/contract show")
    assert "Agent cannot track here (unsupported desktop session)" in shown
    assert "evil" not in shown and "<!channel>" not in shown


def test_a_malformed_capabilities_event_is_refused(api, agent):
    """Rule: docs/rules.md#devices-that-cannot-track"""
    for bad in ({"screenshots": "maybe"}, {"reason": "x" * 201}):
        answer = api.post(f"{API}/events", json={"kind": "capabilities", "at": NOW.isoformat(), **bad},
                          headers=bearer(agent))  # fmt: skip
        assert answer.status_code == 422 and set(answer.json()) == {"error", "detail"}
