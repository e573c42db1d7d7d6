"""Pairing a device: one-time codes that expire, tokens kept only as hashes, rate-limited guessing."""

import hashlib
from datetime import timedelta

from sqlmodel import select

from bot.services import devices
from storage.tables import Device
from tests.api.conftest import NOW
from tests.api.world import API, BOB, bearer, hire

PAIR = {"device_name": "bob's laptop", "os": "Linux", "agent_version": "0.1.0"}


def _code(ctx) -> str:
    hire(ctx, NOW)
    return devices.issue_code(ctx, BOB, now=NOW).code


def test_a_code_from_chat_pairs_a_device_once(ctx, api):
    code = _code(ctx)
    first = api.post(f"{API}/pair", json={"code": code, **PAIR})
    assert first.status_code == 201
    assert first.headers["cache-control"] == "no-store"
    body = first.json()
    assert body["slot_seconds"] == 600 and body["server_time"] == "2026-11-18T10:00:00Z"
    assert api.get(f"{API}/state", headers=bearer(body["token"])).status_code == 200
    again = api.post(f"{API}/pair", json={"code": code, **PAIR})
    assert (again.status_code, again.json()["error"]) == (404, "not_found")


def test_the_token_is_stored_only_as_its_hash(ctx, api):
    token = api.post(f"{API}/pair", json={"code": _code(ctx), **PAIR}).json()["token"]
    with ctx.unit() as s:
        stored = s.exec(select(Device)).one()
    assert len(token) >= 43  # 32 random bytes, URL-safe base64
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in stored.model_dump_json()


def test_codes_are_typed_by_hand_so_case_and_dashes_do_not_matter(ctx, api):
    sloppy = _code(ctx).lower().replace("-", " ")
    assert api.post(f"{API}/pair", json={"code": sloppy, **PAIR}).status_code == 201


def test_a_code_expires_after_ten_minutes(ctx, api, clock):
    code = _code(ctx)
    clock.advance(minutes=10)
    late = api.post(f"{API}/pair", json={"code": code, **PAIR})
    assert (late.status_code, late.json()["error"]) == (422, "too_late")
    assert "expired" in late.json()["detail"]


def test_guessing_codes_is_stopped_per_address_and_allowed_again_later(ctx, api, clock):
    code = _code(ctx)
    for _ in range(10):
        assert api.post(f"{API}/pair", json={"code": "WRONG-CODE", **PAIR}).status_code == 404
    blocked = api.post(f"{API}/pair", json={"code": code, **PAIR})
    assert blocked.status_code == 429 and blocked.json()["error"] == "rate_limited"
    assert 0 < int(blocked.headers["retry-after"]) <= 600
    clock.advance(minutes=9, seconds=59)  # the code is still valid, the address still blocked
    assert api.post(f"{API}/pair", json={"code": code, **PAIR}).status_code == 429
    clock.advance(seconds=1)
    fresh = devices.issue_code(ctx, BOB, now=clock.now).code
    assert api.post(f"{API}/pair", json={"code": fresh, **PAIR}).status_code == 201


def test_a_revoked_device_is_refused_at_once(ctx, api):
    token = api.post(f"{API}/pair", json={"code": _code(ctx), **PAIR}).json()["token"]
    assert api.get(f"{API}/state", headers=bearer(token)).status_code == 200
    with ctx.unit() as s:
        device_id = s.exec(select(Device.id)).one()
    devices.revoke(ctx, device_id, now=NOW + timedelta(seconds=1))
    refused = api.get(f"{API}/state", headers=bearer(token))
    assert refused.status_code == 401 and refused.json()["error"] == "revoked"  # so the agent can say so
    assert refused.headers["www-authenticate"] == "Bearer"


def test_requests_without_a_valid_token_get_401(api):
    for headers in ({}, {"Authorization": "Basic Ym9iOnNlY3JldA=="}, bearer("not-a-token")):
        answer = api.get(f"{API}/state", headers=headers)
        assert answer.status_code == 401, headers
        assert set(answer.json()) == {"error", "detail"}
