"""Prometheus metrics of this process (prometheus-client), and `GET /metrics` to read them.

Counters and histograms count what this process did; the outbox and the long-polling agents are
read when scraped. Each web process answers for itself, so scrape every one.
"""

import hmac
import time
from collections.abc import Iterator
from contextlib import contextmanager
from ipaddress import ip_address

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from bot.services.server_health import status

REGISTRY = CollectorRegistry(auto_describe=True)
SLOTS_INGESTED = Counter("tally_slots_ingested", "Slot uploads recorded, new or repeated.", ["result"], registry=REGISTRY)
SLOTS_REFUSED = Counter("tally_slots_refused", "Slot uploads refused, by reason.", ["reason"], registry=REGISTRY)
INGEST_SECONDS = Histogram("tally_ingest_seconds", "Time to answer a slot upload.", registry=REGISTRY,
                           buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
JOB_RUNS = Counter("tally_job_runs", "Scheduled job runs, by job and outcome.", ["job", "outcome"], registry=REGISTRY)
JOB_SECONDS = Histogram("tally_job_seconds", "How long scheduled jobs ran.", ["job"], registry=REGISTRY,
                        buckets=(0.01, 0.1, 0.5, 1, 5, 15, 60, 300, 900))
WORKER_ELECTED = Gauge("tally_worker_elected", "1 in the worker elected to run the jobs and send the outbox, else 0.",
                       registry=REGISTRY)

router = APIRouter(tags=["status"])
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@contextmanager
def timed_ingest() -> Iterator[None]:
    began = time.perf_counter()
    try:
        yield
    finally:
        INGEST_SECONDS.observe(time.perf_counter() - began)


_elected = False


def set_elected(elected: bool) -> None:
    """This worker won (True) or gave up (False) the election of the active worker."""
    global _elected
    _elected = elected
    WORKER_ELECTED.set(1 if elected else 0)


def is_elected() -> bool:
    return _elected


def health(ctx, **more) -> JSONResponse:
    """/healthz of the web and the worker: 200 {"ok": true}; 503 with "database": "down" while it is away."""
    if ctx.check():
        return JSONResponse({"ok": True, **more})
    return JSONResponse({"ok": False, **more, "database": "down"}, status_code=503)


def job_ran(job: str, outcome: str, seconds: float) -> None:
    JOB_RUNS.labels(job, outcome).inc()
    JOB_SECONDS.labels(job).observe(seconds)


class LiveCollector(Collector):
    """The outbox (from the database) and the agents long-polling this process, as of the scrape."""

    def __init__(self, app) -> None:
        self.app = app

    def collect(self):
        st = status(self.app.state.ctx, self.app.state.clock())
        polling = GaugeMetricFamily("tally_agents_long_polling", "Agents waiting on this process for a state change.")
        notifier = getattr(self.app.state, "notifier", None)
        polling.add_metric([], notifier.listeners() if notifier is not None else 0)
        yield polling
        up = GaugeMetricFamily("tally_database_up", "1 when the database answered the scrape.")
        up.add_metric([], 1 if st.reachable else 0)
        yield up
        if st.outbox is None:
            return
        messages = GaugeMetricFamily("tally_outbox_messages", "Outbox messages by status.", labels=["status"])
        for state in ("pending", "sending", "sent", "failed"):
            messages.add_metric([state], st.outbox.by_status.get(state, 0))
        yield messages
        oldest = GaugeMetricFamily("tally_outbox_oldest_waiting_seconds", "Age of the oldest message not yet sent (0: none).")
        oldest.add_metric([], st.oldest_waiting_seconds or 0.0)
        yield oldest


def may_read(request: Request, token: str | None) -> bool:
    """With a token set, only its holder; without, only this machine, and not through a proxy
    (a reverse proxy on the same machine makes every visitor look local)."""
    if token:
        given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(given.encode(), token.encode())
    if any(name in request.headers for name in ("x-forwarded-for", "forwarded", "x-real-ip")):
        return False
    return _loopback(request.client.host if request.client else "")


def _loopback(host: str) -> bool:
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def exposition(app) -> bytes:
    registry = CollectorRegistry(auto_describe=True)
    registry.register(LiveCollector(app))
    return generate_latest(REGISTRY) + generate_latest(registry)


@router.get("/metrics", response_class=PlainTextResponse, summary="Prometheus metrics",
            responses={401: {"description": "TALLY_METRICS_TOKEN is set and the request does not carry it."},
                       403: {"description": "No token is set, and the request is not from this machine."}})
def metrics(request: Request) -> Response:
    token = request.app.state.settings.metrics_token
    if not may_read(request, token):
        status_code = 401 if token else 403
        detail = "Send the metrics token: Authorization: Bearer <TALLY_METRICS_TOKEN>." if token else \
            "Metrics answer only this machine; set TALLY_METRICS_TOKEN to read them from elsewhere."
        return JSONResponse({"error": "unauthorized" if token else "forbidden", "detail": detail}, status_code=status_code)
    return Response(exposition(request.app), media_type=CONTENT_TYPE, headers={"Cache-Control": "no-store"})
