"""Screenshots in an S3-compatible bucket: uploaded by the agent, shown by the diary, deleted with the slot."""

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from bot.services import links
from storage.blobs import open_blobs
from tests.api.world import BOB, Clock, Slot, clock_in, hire, make_app, pair_agent, screenshot, upload
from tests.blobs.conftest import object_keys

NOW = datetime(2026, 11, 18, 10, 30, tzinfo=UTC)


def test_a_screenshot_travels_through_the_bucket(ctx, s3_endpoint, bucket, tmp_path):
    ctx.blobs = open_blobs(f"s3://{bucket}/tally", tmp_path, endpoint_url=s3_endpoint)
    contract_id = hire(ctx, NOW - timedelta(hours=1))
    token = pair_agent(ctx, NOW - timedelta(hours=1))
    session_id = clock_in(ctx, NOW - timedelta(minutes=30))
    with TestClient(make_app(ctx, Clock(NOW)), follow_redirects=False) as client:
        accepted = upload(client, token, Slot(session_id, NOW - timedelta(minutes=30)), screenshot())
        assert accepted.status_code == 201
        key, thumb = sorted(object_keys(s3_endpoint, bucket))
        assert thumb == f"{key}.thumb.webp"
        assert key.startswith(f"tally/{contract_id}/2026/11/18/100000-") and key.endswith(".webp")

        page = links.diary_link(ctx, BOB, contract_id, now=NOW).url.removeprefix(ctx.public_url)
        slot_id = accepted.json()["id"]
        assert client.get(f"{page}/shots/{slot_id}").content == screenshot()
        deleted = client.post(f"{page}/slots/{slot_id}/delete", data={"day": "2026-11-18", "confirm": "yes"})
        assert deleted.status_code == 303
    assert object_keys(s3_endpoint, bucket) == []
