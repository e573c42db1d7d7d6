"""Diary links are never signed with a constant: a kept random key for `tally serve`, and
`tally web` / `tally worker` refuse to start without TALLY_SECRET_KEY."""

import os
import stat
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from bot.runtime import build_context
from bot.secret_key import MissingSecret, secret_key
from bot.services.context import Context
from bot.services.links import Grant, mint, verify
from bot.settings import Settings

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


def _settings(tmp_path, **env) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}", **env)


def test_serve_makes_a_random_key_once_keeps_it_private_and_links_survive_a_restart(tmp_path):
    first = build_context(_settings(tmp_path))
    link = mint(first.secret_key, Grant(1, 1, "2026-11-23", int(NOW.timestamp()) + 3600))
    again = build_context(_settings(tmp_path))
    key_file = tmp_path / "data" / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert again.secret_key == first.secret_key and len(first.secret_key) >= 32
    assert verify(again.secret_key, link, now=NOW) is not None
    other = build_context(_settings(tmp_path / "elsewhere"))
    assert other.secret_key != first.secret_key  # random, not a constant
    assert verify(other.secret_key, link, now=NOW) is None


def test_a_configured_key_wins_and_no_file_is_made(tmp_path):
    ctx = build_context(_settings(tmp_path, secret_key="k" * 40))
    assert ctx.secret_key == "k" * 40 and not (tmp_path / "data" / "secret.key").exists()


def test_a_context_without_a_key_never_signs_with_a_known_constant():
    assert Context.__dataclass_fields__["secret_key"].default_factory is not None
    one, two = Context(engine=None, blobs=None), Context(engine=None, blobs=None)
    assert one.secret_key != two.secret_key


def test_shared_processes_refuse_without_a_key_and_short_keys_are_refused(tmp_path):
    with pytest.raises(MissingSecret, match="TALLY_SECRET_KEY is not set"):
        secret_key(None, tmp_path, shared=True)
    with pytest.raises(MissingSecret, match="too short"):
        secret_key("changeme", tmp_path, shared=False)
    assert not (tmp_path / "secret.key").exists()


@pytest.mark.parametrize("role", ["web", "worker"])
def test_web_and_worker_refuse_to_start_without_the_key_with_a_sentence(tmp_path, role):
    env = {**os.environ, "TALLY_DATA_DIR": str(tmp_path / "data"), "TALLY_DATABASE_URL": f"sqlite:///{tmp_path}/t.sqlite3"}
    env.pop("TALLY_SECRET_KEY", None)
    done = subprocess.run([sys.executable, "-m", "bot.cli", role], env=env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2
    assert "TALLY_SECRET_KEY is not set" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "data" / "secret.key").exists()
