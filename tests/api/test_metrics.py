"""`GET /metrics`: what an operator's Prometheus reads, and who may read it."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from bot import scheduler
from bot.http_app import create_app
from bot.settings import Settings
from tests.api.world import Clock, Slot, clock_in, hire, pair_agent, upload

NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)
LOCAL = ("127.0.0.1", 40000)
OUTSIDE = ("203.0.113.7", 50000)


def client(ctx, address=LOCAL, **settings) -> TestClient:
    app = create_app(ctx, Settings(_env_file=None, **settings))
    app.state.clock = Clock(NOW)
    return TestClient(app, client=address)


def samples(text: str) -> dict[tuple, float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def scrape(web: TestClient) -> dict[tuple, float]:
    answer = web.get("/metrics")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    return samples(answer.text)


def test_slots_ingested_refused_and_their_latency_are_counted(ctx):
    hire(ctx, NOW - timedelta(days=1))
    token = pair_agent(ctx, NOW - timedelta(hours=1))
    session = clock_in(ctx, NOW - timedelta(minutes=30))
    with client(ctx) as web:
        before = scrape(web)
        slot = Slot(session, NOW - timedelta(minutes=30))
        assert upload(web, token, slot).status_code == 201
        assert upload(web, token, slot).status_code == 200
        assert upload(web, "not-a-token", slot).status_code == 401
        after = scrape(web)

    def grew(name, **labels):
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)

    assert grew("tally_slots_ingested_total", result="new") == 1
    assert grew("tally_slots_ingested_total", result="repeated") == 1
    assert grew("tally_slots_refused_total", reason="unauthorized") == 1
    assert grew("tally_ingest_seconds_count") == 3


def test_the_outbox_and_long_polling_agents_are_read_at_scrape_time(ctx):
    hire(ctx, NOW - timedelta(days=1))
    pair_agent(ctx, NOW - timedelta(hours=1))
    clock_in(ctx, NOW - timedelta(minutes=30))  # the outbox holds the contract's and the clock-in's posts
    with client(ctx) as web:
        found = scrape(web)

    assert found[("tally_outbox_messages", (("status", "pending"),))] >= 1
    assert found[("tally_outbox_messages", (("status", "failed"),))] == 0
    assert found[("tally_outbox_oldest_waiting_seconds", ())] == pytest.approx(24 * 3600)  # the contract's announcement
    assert found[("tally_agents_long_polling", ())] == 0
    assert found[("tally_database_up", ())] == 1


def test_job_runs_and_durations_are_counted(ctx):
    with client(ctx) as web:
        before = scrape(web)
        scheduler.run_job(ctx, "agent-lost", lambda: None, now=NOW)
        after = scrape(web)

    key = ("tally_job_runs_total", (("job", "agent-lost"), ("outcome", "done")))
    assert after[key] - before.get(key, 0) == 1
    assert after[("tally_job_seconds_count", (("job", "agent-lost"),))] >= 1


def test_without_a_token_only_this_machine_may_read_them(ctx):
    with client(ctx, OUTSIDE) as web:
        refused = web.get("/metrics")
    with client(ctx) as web:
        proxied = web.get("/metrics", headers={"X-Forwarded-For": "198.51.100.4"})

    assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
    assert "TALLY_METRICS_TOKEN" in refused.json()["detail"]
    assert proxied.status_code == 403  # a reverse proxy on this machine must not open them to everyone


def test_with_a_token_anyone_holding_it_may_read_them_and_nobody_else(ctx):
    with client(ctx, OUTSIDE, TALLY_METRICS_TOKEN="s3cret-metrics") as web:
        missing = web.get("/metrics")
        wrong = web.get("/metrics", headers={"Authorization": "Bearer guess"})
        right = web.get("/metrics", headers={"Authorization": "Bearer s3cret-metrics"})
    with client(ctx, LOCAL, TALLY_METRICS_TOKEN="s3cret-metrics") as web:
        local_without = web.get("/metrics")

    assert (missing.status_code, wrong.status_code, local_without.status_code) == (401, 401, 401)
    assert right.status_code == 200 and "tally_slots_ingested_total" in right.text
