"""The HTTP client against a fake agent API on a real socket."""

import json
from datetime import UTC, datetime

import pytest

from agent.client import ApiClient, ApiError, Unreachable
from tests.agent.fake_server import CODE, TOKEN

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
META = json.dumps(
    {"session_id": 1, "slot_start": T0.isoformat(), "minutes": [{"keys": 1, "mouse": 2}] * 10,
     "screenshot_at": T0.isoformat(), "memo": None, "window": None, "agent_version": "t"}
)  # fmt: skip


def test_pairing_returns_the_device_token(server):
    reply = ApiClient(server.url).pair(CODE, "laptop", "Linux", "0.1.0")
    assert (reply["device_id"], reply["token"]) == (7, TOKEN)


def test_errors_carry_the_servers_reason(server):
    with pytest.raises(ApiError) as caught:
        ApiClient(server.url).pair("WRONG-CODE", "laptop", "Linux", "0.1.0")
    assert (caught.value.status, caught.value.error, caught.value.retryable) == (404, "unknown_code", False)


def test_the_state_follows_the_server(server):
    client = ApiClient(server.url, TOKEN)
    assert not client.state().tracking
    server.api.clock_in("homepage", slot_seconds=60)
    state = client.state()
    assert (state.tracking, state.memo, state.slot_seconds, state.contract) == (True, "homepage", 60, "Website rebuild")


def test_a_slot_travels_as_multipart_meta_and_screenshot(server):
    ApiClient(server.url, TOKEN).post_slot(META, b"\xff\xd8 not really a jpeg")
    [received] = server.api.slots.values()
    assert received.report.minutes[0].mouse == 2 and received.screenshot == b"\xff\xd8 not really a jpeg"


@pytest.mark.parametrize("status, retryable", [(409, False), (422, False), (401, True), (429, True), (503, True)])
def test_which_refusals_are_worth_retrying(server, status, retryable):
    server.api.fail_slots_with = status
    with pytest.raises(ApiError) as caught:
        ApiClient(server.url, TOKEN).post_slot(META, None)
    assert caught.value.status == status and caught.value.retryable is retryable


def test_a_wrong_token_is_refused(server):
    with pytest.raises(ApiError) as caught:
        ApiClient(server.url, "stolen").state()
    assert caught.value.status == 401


def test_a_server_that_is_down_is_unreachable(server):
    client = ApiClient(server.url, TOKEN, timeout=2)
    server.stop()
    with pytest.raises(Unreachable):
        client.state()


def test_only_http_urls_are_accepted():
    with pytest.raises(ValueError):
        ApiClient("ftp://example.org")
