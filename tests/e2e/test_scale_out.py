"""Scale-out as the README describes it, run whole: two `tally web` and two `tally worker` on
PostgreSQL (a schema of their own) with screenshots in an S3 store (moto's server).

Agents (clients speaking the agent API) are paired through one web process and talk to the
other; a /clockin through one web process wakes an agent long-polling the other within 3 s.
The workers elect one active; the review is held in flight at Slack when the active worker is
killed with SIGKILL, and the standby takes over within seconds: the review is posted exactly
once, every slot is recorded once with its screenshot in the bucket.
"""

import json
import math
import os
import re
import signal
import subprocess
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import httpx
import pytest
from sqlalchemy import text

from diary.weeks import week_of
from storage.engine import make_engine
from tests.api.world import screenshot
from tests.blobs.conftest import s3_endpoint  # noqa: F401 (the moto server, shared with the blob tests)
from tests.conftest import PG_URL
from tests.e2e.conftest import need_faketime
from tests.e2e.processes import (
    PLATFORM_VARIABLES,
    TALLY,
    faked_clock,
    free_port,
    wait_until,
)
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import ALICE, BOB, CAROL, CHANNEL, SECRET, SlackSide, labels

OTHER_CHANNEL = "C0OTHER"
AWS = {"AWS_ACCESS_KEY_ID": "tally-test", "AWS_SECRET_ACCESS_KEY": "tally-test", "AWS_DEFAULT_REGION": "us-east-1"}


class Process:
    """One `tally web` or `tally worker`, its output in a log file of the test's."""

    def __init__(self, folder: Path, name: str, args: list[str], env: dict) -> None:
        self.log_path, self.name = folder / f"{name}.log", name
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen(TALLY + args, env=env, cwd=folder, stdout=log, stderr=subprocess.STDOUT)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def says(self, words: str) -> bool:
        assert self.proc.poll() is None or words in self.log(), f"{self.name} exited:\n{self.log()}"
        return words in self.log()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


@pytest.fixture
def schema_url():
    schema = f"scale_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture
def fake_slack():
    server = FakeSlack()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def deployment(tmp_path, schema_url, s3_endpoint, fake_slack):  # noqa: F811
    bucket = f"tally-{uuid.uuid4().hex[:10]}"
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", aws_access_key_id="tally-test",
                 aws_secret_access_key="tally-test").create_bucket(Bucket=bucket)
    env = {k: v for k, v in os.environ.items() if k not in PLATFORM_VARIABLES and not k.startswith("AWS_")}
    env |= AWS | {"TALLY_DATABASE_URL": schema_url, "TALLY_BLOB_URL": f"s3://{bucket}/shots",
                  "TALLY_S3_ENDPOINT_URL": s3_endpoint, "TALLY_SECRET_KEY": "scale-out-secret-key-0123456789",
                  "TALLY_SLOT_SECONDS": "10", "SLACK_BOT_TOKEN": "xoxb-e2e", "SLACK_SIGNING_SECRET": SECRET,
                  "SLACK_API_URL": fake_slack.api_url, "HOST": "127.0.0.1"}
    released = subprocess.run(TALLY + ["db", "upgrade"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert released.returncode == 0, released.stderr
    started: list[Process] = []

    def start(name: str, role: str, **more: str) -> Process:
        (tmp_path / name).mkdir()  # each process a data folder of its own: nothing is shared on disk
        process = Process(tmp_path, name, [role], env | {"TALLY_DATA_DIR": str(tmp_path / name), **more})
        started.append(process)
        return process

    yield start, env, bucket
    for process in started:
        process.stop()


def start_web(start, name: str) -> str:
    port = free_port()
    web = start(name, "web", PORT=str(port), TALLY_PUBLIC_URL=f"http://127.0.0.1:{port}")
    url = f"http://127.0.0.1:{port}"
    assert wait_until(lambda: web.says("") and _answers(url), seconds=40), web.log()
    return url


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def pair(slack: SlackSide, who, agent_web: str) -> str:
    connect = slack.ask(who, "connect", channel=CHANNEL if who == BOB else OTHER_CHANNEL)
    [code] = re.findall(r"tally-agent pair (\S+) --server", connect["text"])
    answer = httpx.post(f"{agent_web}/api/v1/agent/pair", json={"code": code, "device_name": f"{who.name}-laptop"})
    assert answer.status_code == 201, answer.text
    return answer.json()["token"]


class LongPoll(threading.Thread):
    """An agent waiting on one web process for its state to change."""

    def __init__(self, web: str, token: str) -> None:
        super().__init__(daemon=True)
        self.web, self.token, self.answer, self.answered_at = web, token, None, None

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        self.answer = httpx.get(f"{self.web}/api/v1/agent/state", params={"wait": 30}, headers=headers, timeout=40).json()
        self.answered_at = time.monotonic()


def clock_in_wakes_the_other_web(slack: SlackSide, who, channel: str, poll: LongPoll) -> dict:
    poll.start()
    time.sleep(0.5)  # the poll is registered on its web process before the change is made elsewhere
    asked = time.monotonic()
    assert "Clocked in" in slack.ask(who, "clockin", "scaling out", channel=channel)["text"]
    poll.join(10)
    assert poll.answer is not None and poll.answer["tracking"] is True, poll.answer
    assert poll.answered_at - asked < 3.0, f"the agent heard of the clock-in after {poll.answered_at - asked:.1f} s"
    return poll.answer


def upload_slots(state: dict, token: str, webs: list[str]) -> int:
    """Two slots through the agent's web process, each sent again through the other (a retry after a lost answer)."""
    at = datetime.fromisoformat(state["server_time"])
    first = datetime.fromtimestamp(math.floor(at.timestamp() / 10) * 10, UTC)
    for n in range(2):
        start = first + timedelta(seconds=10 * n)
        shot_at = max(at, start + timedelta(seconds=1))
        while datetime.now(UTC) < shot_at + timedelta(milliseconds=200):
            time.sleep(0.1)  # the slot's screenshot instant has to have come
        meta = {"session_id": state["session_id"], "slot_start": start.isoformat(), "screenshot_at": shot_at.isoformat(),
                "minutes": [{"keys": 4, "mouse": 6}] * 10, "memo": "scaling out", "agent_version": "e2e"}
        files = {"meta": (None, json.dumps(meta), "application/json"), "screenshot": ("s.webp", screenshot(seed=n), "image/webp")}
        headers = {"Authorization": f"Bearer {token}"}
        codes = [httpx.post(f"{web}/api/v1/agent/slots", files=files, headers=headers, timeout=20).status_code for web in webs]
        assert codes == [201, 200], codes
    return 2


def reviews(fake: FakeSlack, channel: str) -> list[dict]:
    return [m for m in list(fake.messages.values()) if m["channel"] == channel and "Approve" in labels(m["blocks"])]


def test_two_webs_and_two_workers_on_postgresql_and_s3(deployment, fake_slack, s3_endpoint):  # noqa: F811
    need_faketime()
    start, env, bucket = deployment
    web_a, web_b = start_web(start, "web-a"), start_web(start, "web-b")
    via_a, via_b = SlackSide(web_a, fake_slack), SlackSide(web_b, fake_slack)

    assert "Contract created" in via_a.ask(ALICE, "contract", f"new {BOB.mention} rate=40")["text"]
    assert "Contract created" in via_b.ask(ALICE, "contract", f"new {CAROL.mention} rate=40", channel=OTHER_CHANNEL)["text"]
    bob, carol = pair(via_a, BOB, web_b), pair(via_b, CAROL, web_a)  # paired through one, talking to the other

    bob_state = clock_in_wakes_the_other_web(via_a, BOB, CHANNEL, LongPoll(web_b, bob))
    carol_state = clock_in_wakes_the_other_web(via_b, CAROL, OTHER_CHANNEL, LongPoll(web_a, carol))
    slots = upload_slots(bob_state, bob, [web_b, web_a]) + upload_slots(carol_state, carol, [web_a, web_b])
    assert "Clocked out" in via_b.ask(BOB, "clockout")["text"]
    assert "Clocked out" in via_a.ask(CAROL, "clockout", channel=OTHER_CHANNEL)["text"]

    db = make_engine(env["TALLY_DATABASE_URL"])
    with db.connect() as conn:
        recorded = conn.execute(text("SELECT count(*), count(DISTINCT (contract_id, start)) FROM slot")).one()
        shots = conn.execute(text("SELECT blob_key FROM screenshot")).scalars().all()
    objects = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", aws_access_key_id="tally-test",
                           aws_secret_access_key="tally-test").list_objects_v2(Bucket=bucket, Prefix="shots/")
    assert tuple(recorded) == (slots, slots) and len(shots) == slots
    assert {f"shots/{key}" for key in shots} <= {o["Key"] for o in objects.get("Contents", [])}

    # The Monday after, past the edit deadline: the workers' clocks read that instant.
    monday = week_of(datetime.now(UTC), "UTC").edit_deadline + timedelta(minutes=5)
    fake_slack.hold(lambda args: args.get("channel") == CHANNEL and "Approve" in str(args.get("blocks")))
    first = start("worker-1", "worker", **faked_clock(monday))
    assert wait_until(lambda: first.says("scheduler and outbox dispatcher running"), seconds=40), first.log()
    second = start("worker-2", "worker", **faked_clock(monday))
    assert wait_until(lambda: second.says("standby"), seconds=40), second.log()

    fake_slack.wait("held", timeout=40)  # the active worker is sending bob's review

    def carol_settled() -> bool:  # a send in flight at the kill may go twice (at least once): not hers
        with db.connect() as conn:
            return not conn.execute(text("SELECT count(*) FROM outbox WHERE status <> 'sent' AND channel = :c"),
                                    {"c": OTHER_CHANNEL}).scalar()

    assert wait_until(carol_settled, seconds=30), first.log()
    first.proc.kill()
    killed = time.monotonic()
    first.proc.wait(10)
    fake_slack.release()

    assert wait_until(lambda: reviews(fake_slack, CHANNEL), seconds=30), second.log()
    took_over = time.monotonic() - killed
    assert took_over < 10, f"the standby posted the review {took_over:.1f} s after the active worker died"
    assert second.says("this one takes over") and second.says("will be sent again")

    def settled() -> bool:
        with db.connect() as conn:
            return not conn.execute(text("SELECT count(*) FROM outbox WHERE status <> 'sent'")).scalar()

    assert wait_until(settled, seconds=30), second.log()
    assert len(reviews(fake_slack, CHANNEL)) == 1 and len(reviews(fake_slack, OTHER_CHANNEL)) == 1
    with db.connect() as conn:
        closed = conn.execute(text("SELECT count(*) FROM week_review")).scalar()
    db.dispose()
    assert closed == 2
