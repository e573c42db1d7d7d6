"""`tally db backup` / `tally db restore`: back up, wipe, restore, and every diary and statement is
identical — on SQLite and on PostgreSQL, screenshots and the key file included."""

import io
import os
import subprocess
import sys
import tarfile
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import SQLModel

from bot import jobs
from bot.services.context import Context
from storage.blobs import FolderBlobs, open_blobs
from storage.engine import make_engine
from tests.api.world import ALICE, BOB, make_app
from tests.blobs.conftest import aws, bucket, s3_endpoint  # noqa: F401 (moto's S3 server)
from tests.conftest import new_database
from tests.web.conftest import NOW, diary_path, work_a_wednesday

KEY = "a-key-kept-in-the-data-folder-0123456789"
CLOSED_AT = datetime(2026, 11, 23, 12, 5, tzinfo=NOW.tzinfo)  # the Monday after, past the edit deadline


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(params=["sqlite+folder", "postgresql+folder", "postgresql+s3"])
def deployment(request, tmp_path):
    kind, store = request.param.split("+")
    engine, cleanup = new_database(kind, tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "secret.key").write_text(KEY)
    env = {**os.environ, "TALLY_DATABASE_URL": engine.url.render_as_string(hide_password=False),
           "TALLY_DATA_DIR": str(tmp_path / "data"), "TALLY_BLOB_URL": str(tmp_path / "blobs")}
    blobs = FolderBlobs(tmp_path / "blobs")
    if store == "s3":
        endpoint, bucket = request.getfixturevalue("s3_endpoint"), request.getfixturevalue("bucket")
        env |= {"TALLY_BLOB_URL": f"s3://{bucket}/shots", "TALLY_S3_ENDPOINT_URL": endpoint}
        blobs = open_blobs(env["TALLY_BLOB_URL"], tmp_path, endpoint_url=endpoint)
    ctx = Context(engine=engine, blobs=blobs, secret_key=KEY, public_url="http://tally.test")
    yield ctx, {**env, **{k: v for k, v in os.environ.items() if k.startswith("AWS_")}}
    engine.dispose()
    cleanup()  # a wiped PostgreSQL schema was restored, so there is one to drop


def tally(env: dict, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120)


def everything(ctx) -> dict:
    """Every row of every table, every stored image, and the pages both parties see."""
    rows = {}
    with ctx.engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            rows[table.name] = [tuple(r) for r in conn.execute(table.select().order_by(*table.primary_key.columns))]
    images = {key: ctx.blobs.get(key) for key in ctx.blobs.keys()}
    with TestClient(make_app(ctx, Clock(CLOSED_AT))) as pages:
        seen = {}
        for who in (BOB, ALICE):
            path = diary_path(ctx, who, 1, now=CLOSED_AT)
            seen[who.name] = [pages.get(f"{path}?day=2026-11-18").text, pages.get(f"{path}?week=2026-W47").text]
    return {"rows": rows, "images": images, "pages": seen}


def wipe(ctx, env: dict, tmp_path: Path) -> None:
    if ctx.engine.dialect.name == "sqlite":
        ctx.engine.dispose()
        Path(ctx.engine.url.database).unlink()
    else:
        schema = ctx.engine.url.query["options"].split("=", 1)[1]
        ctx.engine.dispose()
        with make_engine(env["TALLY_DATABASE_URL"].split("?")[0]).begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    for key in list(ctx.blobs.keys()):
        ctx.blobs.delete(key)
    (tmp_path / "data" / "secret.key").unlink()


def test_backup_wipe_restore_gives_back_every_diary_statement_screenshot_and_the_key(deployment, tmp_path):
    ctx, env = deployment
    work_a_wednesday(ctx, Clock(NOW))
    jobs.JOBS["week-close"](ctx, now=CLOSED_AT)
    before = everything(ctx)
    assert before["rows"]["week_review"] and len(before["images"]) >= 7
    assert "landing page" in before["pages"]["bob"][0] and "Total" in before["pages"]["alice"][1] and "40.00" in before["pages"]["alice"][1]

    made = tally(env, "db", "backup", str(tmp_path / "tally.tar"), cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert f"backed up to {tmp_path / 'tally.tar'}" in made.stdout and "the key file" in made.stdout
    wipe(ctx, env, tmp_path)
    back = tally(env, "db", "restore", str(tmp_path / "tally.tar"), cwd=tmp_path)
    assert back.returncode == 0, back.stderr

    after = everything(ctx)
    assert after["rows"] == before["rows"]
    assert after["images"] == before["images"]
    assert after["pages"] == before["pages"]
    assert (tmp_path / "data" / "secret.key").read_text() == KEY
    assert oct((tmp_path / "data" / "secret.key").stat().st_mode & 0o777) == "0o600"


def in_a_bucket(env: dict) -> bool:
    return env["TALLY_BLOB_URL"].startswith("s3://")


def test_a_restore_never_overwrites_data_unasked_and_a_backup_never_overwrites_a_file(deployment, tmp_path):
    ctx, env = deployment
    if in_a_bucket(env):
        pytest.skip("the store plays no part in these refusals")
    work_a_wednesday(ctx, Clock(NOW))
    assert tally(env, "db", "backup", str(tmp_path / "one.tar"), cwd=tmp_path).returncode == 0

    again = tally(env, "db", "backup", str(tmp_path / "one.tar"), cwd=tmp_path)
    onto_data = tally(env, "db", "restore", str(tmp_path / "one.tar"), cwd=tmp_path)
    not_a_backup = tally(env, "db", "restore", str(tmp_path / "data" / "secret.key"), cwd=tmp_path)
    replaced = tally(env, "db", "restore", "--replace", str(tmp_path / "one.tar"), cwd=tmp_path)

    assert again.returncode == 1 and "exists already" in again.stderr
    assert onto_data.returncode == 1 and "--replace" in onto_data.stderr
    assert not_a_backup.returncode == 1 and "not a backup made by `tally db backup`" in not_a_backup.stderr
    assert replaced.returncode == 0, replaced.stderr


def test_without_pg_dump_the_exact_line_is_printed_and_it_works(deployment, tmp_path):
    ctx, env = deployment
    if ctx.engine.dialect.name != "postgresql" or in_a_bucket(env):
        pytest.skip("PostgreSQL, once")
    work_a_wednesday(ctx, Clock(NOW))
    bare = tmp_path / "bin"
    bare.mkdir()
    done = tally({**env, "PATH": str(bare)}, "db", "backup", str(tmp_path / "b.tar"), cwd=tmp_path)

    assert done.returncode == 1
    [line] = [line.strip() for line in done.stdout.splitlines() if line.strip().startswith("pg_dump ")]
    assert subprocess.run(line, shell=True, cwd=tmp_path, capture_output=True).returncode == 0
    listing = subprocess.run(["pg_restore", "--list", str(tmp_path / "b.pgdump")], capture_output=True, text=True)
    assert "TABLE DATA" in listing.stdout and " slot " in listing.stdout


def test_a_tampered_backup_is_refused_before_anything_is_restored(deployment, tmp_path):
    ctx, env = deployment
    if ctx.engine.dialect.name != "sqlite":
        pytest.skip("the check comes before any database is touched")
    work_a_wednesday(ctx, Clock(NOW))
    assert tally(env, "db", "backup", str(tmp_path / "good.tar"), cwd=tmp_path).returncode == 0
    with tarfile.open(tmp_path / "good.tar") as good, tarfile.open(tmp_path / "bad.tar", "w") as bad:
        for member in good.getmembers():
            bad.addfile(member, good.extractfile(member))
        evil = tarfile.TarInfo("screenshots/../../escaped.txt")
        evil.size = 4
        bad.addfile(evil, io.BytesIO(b"evil"))
    before = everything(ctx)["rows"]

    refused = tally(env, "db", "restore", "--replace", str(tmp_path / "bad.tar"), cwd=tmp_path)

    assert refused.returncode == 1 and "nothing was restored" in refused.stderr
    assert not (tmp_path / "escaped.txt").exists() and everything(ctx)["rows"] == before
