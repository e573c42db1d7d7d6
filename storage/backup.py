"""Backups: the database, the screenshots and the key file in one tar file, and back again.

SQLite is copied with its online backup API, so a running server may keep writing meanwhile.
PostgreSQL is dumped with `pg_dump -Fc` (and restored with `pg_restore`); where those are not
installed the exact command is printed instead for the operator to run. A backup is written under
a temporary name and renamed at the end: a file with the final name is always complete.
"""

import io
import json
import mimetypes
import os
import shlex
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from storage.blobs import BlobStore
from storage.migrate import current_revision, head_revision
from storage.tables import Member

MANIFEST, SQLITE, PGDUMP, KEY, BLOBS = "manifest.json", "database.sqlite3", "database.pgdump", "secret.key", "screenshots/"
FORMAT = 1


class BackupProblem(RuntimeError):
    """What stops a backup or a restore, in a sentence that says what to do."""


@dataclass
class Outcome:
    lines: list[str] = field(default_factory=list)  # what was done, for the operator
    manual: str | None = None  # a command the operator must run, when a tool is missing


@dataclass(frozen=True)
class Place:
    """Where a deployment keeps its things."""

    engine: Engine
    blobs: BlobStore
    key_file: Path


# -- backing up ---------------------------------------------------------------------------------

def backup(place: Place, target: Path, *, now: datetime | None = None) -> Outcome:
    target = Path(target)
    if target.exists():
        raise BackupProblem(f"{target} exists already; name a new file, so that no backup is overwritten")
    partial, out = target.with_name(target.name + ".partial"), Outcome()
    with tempfile.TemporaryDirectory() as scratch, tarfile.open(partial, "w") as tar:
        kind = place.engine.dialect.name
        out.manual = _database_into(place.engine, tar, Path(scratch), target)
        blobs = _blobs_into(place.blobs, tar)
        if place.key_file.is_file():
            tar.add(place.key_file, KEY)
        _add(tar, MANIFEST, json.dumps({"format": FORMAT, "database": kind, "revision": current_revision(place.engine),
                                        "created_at": (now or datetime.now(UTC)).isoformat(), "screenshots": blobs,
                                        "key_file": place.key_file.is_file()}, indent=2).encode())
    partial.rename(target)
    database = "database: not included, see below" if out.manual else f"database ({kind})"
    out.lines.append(f"backed up to {target}: {database}, {blobs} stored images"
                     + (", the key file" if place.key_file.is_file() else ""))
    return out


def _database_into(engine: Engine, tar: tarfile.TarFile, scratch: Path, target: Path) -> str | None:
    if engine.dialect.name == "sqlite":
        copy = scratch / SQLITE
        with sqlite3.connect(engine.url.database) as source, sqlite3.connect(copy) as dest:
            source.backup(dest)
        dest.close()
        tar.add(copy, SQLITE)
        return None
    dump = scratch / PGDUMP
    command = pg_dump_command(engine, dump)
    if shutil.which("pg_dump") is None:
        return " ".join(pg_dump_command(engine, target.with_suffix(".pgdump"), shown=True)) + _password_note(engine)
    _run(command, "pg_dump", engine)
    tar.add(dump, PGDUMP)
    return None


def _blobs_into(blobs: BlobStore, tar: tarfile.TarFile) -> int:
    count = 0
    for key in blobs.keys():
        data = blobs.get(key)
        if data is not None:
            _add(tar, BLOBS + key, data)
            count += 1
    return count


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o600, int(datetime.now(UTC).timestamp())
    tar.addfile(info, io.BytesIO(data))


# -- restoring ----------------------------------------------------------------------------------

def restore(place: Place, source: Path, *, replace: bool = False) -> Outcome:
    source, out = Path(source), Outcome()
    if not source.is_file():
        raise BackupProblem(f"{source} is not a file; name a backup made by `tally db backup`")
    with tempfile.TemporaryDirectory() as scratch, _open(source) as tar:
        manifest = _manifest(tar)
        _check_members(tar)
        _check_target(place.engine, manifest, replace)
        out.manual = _restore_database(place.engine, tar, Path(scratch), source)
        restored = _restore_blobs(place.blobs, tar)
        if manifest.get("key_file"):
            _restore_key(tar, place.key_file)
    out.lines.append(f"restored {source}: database ({manifest['database']}), {restored} stored images"
                     + (", the key file" if manifest.get("key_file") else ""))
    if not out.manual and current_revision(place.engine) != head_revision():
        out.lines.append("the backup is from an older Tally: run `tally db upgrade` before starting the server")
    return out


def _open(source: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(source, "r")
    except tarfile.TarError as error:
        raise BackupProblem(f"{source} is not a backup made by `tally db backup` ({error})") from error


def _manifest(tar: tarfile.TarFile) -> dict:
    try:
        manifest = json.loads(tar.extractfile(MANIFEST).read())
    except (KeyError, ValueError, AttributeError) as error:
        raise BackupProblem("the file has no manifest: it is not a backup made by `tally db backup`") from error
    if manifest.get("format") != FORMAT:
        raise BackupProblem(f"this backup's format {manifest.get('format')} is not one this Tally reads")
    return manifest


def _check_members(tar: tarfile.TarFile) -> None:
    """Nothing is restored from a file with anything but what a backup holds: no path may climb
    out of the store, no link may point anywhere (checked before the database is touched)."""
    for member in tar.getmembers():
        name = member.name
        known = name in (MANIFEST, SQLITE, PGDUMP, KEY) or (name.startswith(BLOBS) and _safe_key(name[len(BLOBS):]))
        if not member.isfile() or not known:
            raise BackupProblem(f"the file holds {name!r}, which no backup made by `tally db backup` does; nothing was restored")


def _safe_key(key: str) -> bool:
    parts = key.split("/")
    return bool(key) and not key.startswith("/") and "\\" not in key and not any(p in ("", ".", "..") for p in parts)


def _check_target(engine: Engine, manifest: dict, replace: bool) -> None:
    kind = engine.dialect.name
    if manifest["database"] != kind:
        raise BackupProblem(f"the backup holds a {manifest['database']} database and TALLY_DATABASE_URL names a "
                            f"{kind} one; restore into the same kind of database")
    if not replace and _has_people(engine):
        raise BackupProblem("the database named by TALLY_DATABASE_URL already holds data, which a restore would "
                            "replace; stop Tally and run again with --replace, or point TALLY_DATABASE_URL at an empty database")


def _has_people(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            return bool(connection.execute(select(func.count()).select_from(Member)).scalar())
    except SQLAlchemyError:  # no tables yet: an empty database
        return False


def _restore_database(engine: Engine, tar: tarfile.TarFile, scratch: Path, source: Path) -> str | None:
    if engine.dialect.name == "sqlite":
        tar.extract(SQLITE, scratch, filter="data")
        engine.dispose()
        with sqlite3.connect(scratch / SQLITE) as copy, sqlite3.connect(engine.url.database) as dest:
            copy.backup(dest)
        dest.close()
        return None
    tar.extract(PGDUMP, scratch, filter="data")
    if shutil.which("pg_restore") is None:
        return f"tar -xOf {shlex.quote(str(source))} {PGDUMP} > {shlex.quote(f'{source}.pgdump')} && " + \
            " ".join(pg_restore_command(engine, Path(f"{source}.pgdump"), shown=True)) + _password_note(engine)
    engine.dispose()
    _run(pg_restore_command(engine, scratch / PGDUMP), "pg_restore", engine)
    return None


def _restore_blobs(blobs: BlobStore, tar: tarfile.TarFile) -> int:
    count = 0
    for member in tar.getmembers():
        if member.isfile() and member.name.startswith(BLOBS):
            key = member.name[len(BLOBS):]
            kind = mimetypes.guess_type(key)[0] or "application/octet-stream"
            blobs.put(key, tar.extractfile(member).read(), kind)
            count += 1
    return count


def _restore_key(tar: tarfile.TarFile, key_file: Path) -> None:
    key_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key_file.touch(mode=0o600, exist_ok=True)
    key_file.chmod(0o600)
    key_file.write_bytes(tar.extractfile(KEY).read())


# -- PostgreSQL's tools -------------------------------------------------------------------------

def libpq(engine: Engine) -> tuple[str, str | None]:
    """(connection URI for libpq's tools, the schema named in its search_path option or None).
    The password is left out: it goes in PGPASSWORD, not on a command line others can see."""
    uri = engine.url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    options = parse_qs(urlsplit(uri).query).get("options", [""])[0]
    schema = next((part.split("=", 1)[1] for part in options.split() if part.startswith("-csearch_path=")), None)
    return uri, schema


def pg_dump_command(engine: Engine, out: Path, *, shown: bool = False) -> list[str]:
    """`shown`: for printing, quoted for a shell."""
    uri, schema = libpq(engine)
    command = ["pg_dump", "-Fc", "--no-owner", *([f"--schema={schema}"] if schema else []), "-f", str(out), uri]
    return [shlex.quote(arg) for arg in command] if shown else command


def pg_restore_command(engine: Engine, dump: Path, *, shown: bool = False) -> list[str]:
    uri, _ = libpq(engine)
    command = ["pg_restore", "--clean", "--if-exists", "--no-owner", "-d", uri, str(dump)]
    return [shlex.quote(arg) for arg in command] if shown else command


def _password_note(engine: Engine) -> str:
    return "   (with the database password in PGPASSWORD)" if engine.url.password else ""


def _run(command: list[str], tool: str, engine: Engine) -> None:
    password = engine.url.password
    env = {**os.environ, "PGPASSWORD": str(password)} if password else None
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        raise BackupProblem(f"{tool} failed: {done.stderr.strip()[:500]}")
