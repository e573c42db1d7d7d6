"""Devices can be listed and revoked (chat, the agent itself, or by ending the last contract); a
revoked token gets 401 for everything but delivering what it recorded before its revocation."""

import os
import subprocess
import sys
from datetime import timedelta

from sqlmodel import select

from bot.services import contracts, devices, sessions
from bot.shell import Shell
from bot.services.actors import UserRef
from diary.contract_terms import Terms
from diary.terms import ContractStatus
from storage.tables import Device, Slot as SlotRow
from tests.api.conftest import NOW
from tests.api.world import ALICE, API, BOB, Slot, bearer, make_app, pair_agent, upload
from tests.slack.harness import serve

import io
from decimal import Decimal


def _devices(ctx) -> list[Device]:
    with ctx.unit() as s:
        return list(s.exec(select(Device).order_by(Device.id)))


def test_in_the_shell_devices_lists_them_with_revoke_and_only_their_owner_revokes(ctx, agent):
    out = io.StringIO()
    shell = Shell(ctx, "bob", out=out, clock=lambda: NOW)
    device_id = _devices(ctx)[0].id
    shell.run(["/devices", "/as carol", f"/revoke {device_id}", "/as bob", f"/revoke {device_id}", "/devices"], echo=True)
    said = out.getvalue()
    assert "1. laptop — paired 2026-11-18" in said and f"[Revoke: /revoke {device_id}]" in said
    assert "That is not one of your devices" in said
    assert "laptop is revoked" in said and "No device is paired" in said
    assert _devices(ctx)[0].revoked_at == NOW


def test_a_revoked_agent_still_delivers_what_it_recorded_before_and_nothing_after(ctx, api, agent, session_id, clock):
    devices.revoke(ctx, _devices(ctx)[0].id, now=NOW + timedelta(minutes=15))
    clock.advance(minutes=40)  # the agent was offline; it comes back with its queue
    before = upload(api, agent, Slot(session_id, NOW))
    after = upload(api, agent, Slot(session_id, NOW + timedelta(minutes=20)))
    assert before.status_code == 201
    assert after.status_code == 401 and after.json()["error"] == "revoked" and "revoked" in after.json()["detail"]
    early = api.post(f"{API}/events", json={"kind": "idle_stop", "at": (NOW + timedelta(minutes=12)).isoformat()}, headers=bearer(agent))
    late = api.post(f"{API}/events", json={"kind": "local_clockin", "at": clock.now.isoformat()}, headers=bearer(agent))
    assert early.status_code == 200 and late.status_code == 401
    state = api.get(f"{API}/state", headers=bearer(agent))
    assert state.status_code == 401 and "pair CODE" in state.json()["detail"]
    with ctx.unit() as s:
        assert [row.start for row in s.exec(select(SlotRow))] == [NOW]


def test_ending_the_last_contract_in_a_workspace_revokes_the_freelancers_devices(ctx, agent):
    second = contracts.create(ctx, ALICE, UserRef("bob", "bob"), Terms(rate=Decimal("30"), title="Other"), now=NOW).id
    contracts.set_status(ctx, ALICE, ContractStatus.ENDED, now=NOW, contract_id=1)
    assert _devices(ctx)[0].revoked_at is None  # bob still works on the other contract
    contracts.set_status(ctx, ALICE, ContractStatus.ENDED, now=NOW + timedelta(hours=1), contract_id=second)
    assert _devices(ctx)[0].revoked_at == NOW + timedelta(hours=1)
    assert isinstance(sessions.clock_in(ctx, BOB, memo="x", now=NOW), object)


def test_tally_agent_unpair_revokes_its_own_token_on_a_real_server(ctx, clock, tmp_path):
    from tests.api.world import hire

    hire(ctx, NOW)
    code = devices.issue_code(ctx, BOB, now=NOW).code
    env = {**os.environ, "TALLY_AGENT_HOME": str(tmp_path / "agent")}
    with serve(make_app(ctx, clock)) as url:
        def agent(*args):
            return subprocess.run([sys.executable, "-c", "from agent.cli import main; main()", *args], env=env, capture_output=True, text=True, timeout=60)

        assert agent("pair", code, "--server", url).returncode == 0
        done = agent("unpair")
        assert done.returncode == 0 and "unpaired" in done.stdout, done.stderr
        assert not (tmp_path / "agent" / "pairing.json").exists()
        assert agent("stop").returncode == 1  # nothing left to speak for this device
    assert _devices(ctx)[0].revoked_at is not None


def test_on_slack_devices_has_a_revoke_button_that_revokes(slack, fake, ctx):
    from tests.slack.conftest import bob_actor, hire as slack_hire
    from tests.slack.harness import BOB as SLACK_BOB
    from tests.slack.harness import CAROL as SLACK_CAROL
    from tests.slack.harness import CHANNEL, labels

    slack_hire(slack)
    code = devices.issue_code(ctx, bob_actor(), now=NOW).code
    devices.pair(ctx, __import__("diary.protocol", fromlist=["PairRequest"]).PairRequest(code=code, device_name="studio"), now=NOW)
    reply = slack.ask(SLACK_BOB, "devices")
    assert "1. studio" in str(reply) and labels(reply["blocks"]) == ["Revoke"]
    message = {"ts": "1700000000.000100", "channel": CHANNEL, "text": reply.get("text"), "blocks": reply["blocks"]}
    refused = slack.click(SLACK_CAROL, message, "Revoke")
    assert refused.http.status_code == 200
    assert "not one of your devices" in str(slack.reply(refused)) and _devices(ctx)[0].revoked_at is None
    slack.click(SLACK_BOB, message, "Revoke")
    (update,) = fake.wait("chat.update")  # the message that carried the button shows the outcome
    assert "studio is revoked" in update.args["text"] and _devices(ctx)[0].revoked_at is not None
