"""The key that signs diary links: TALLY_SECRET_KEY, or one made once and kept in the data folder.

A constant key would let anyone mint a link to any diary (member and contract ids are small
numbers), so there is none: a single `tally serve` keeps a random key of its own in
`<data folder>/secret.key`, readable by its owner only, and links survive restarts. `tally web`
and `tally worker` may run on several hosts, which must all sign with one key: they need
TALLY_SECRET_KEY and refuse to start without it.
"""

import os
import secrets
from pathlib import Path

KEY_FILE = "secret.key"
MIN_LENGTH = 16
EXAMPLE = "python -c 'import secrets; print(secrets.token_urlsafe(32))'"


class MissingSecret(RuntimeError):
    """The process may not start: its sentence says what to set."""


def secret_key(env_value: str | None, data_dir: Path, *, shared: bool) -> str:
    """The signing key of a process; `shared` for processes that run on several hosts."""
    if env_value:
        if len(env_value) < MIN_LENGTH:
            raise MissingSecret(f"TALLY_SECRET_KEY is too short to sign links safely; set at least "
                                f"{MIN_LENGTH} random characters, e.g. the output of: {EXAMPLE}")
        return env_value
    if shared:
        raise MissingSecret("TALLY_SECRET_KEY is not set: `tally web` and `tally worker` run on several hosts "
                            "that must sign diary links with one key, so set the same TALLY_SECRET_KEY for each, "
                            f"e.g. the output of: {EXAMPLE}")
    return kept_key(Path(data_dir))


def kept_key(data_dir: Path) -> str:
    """The key in `data_dir/secret.key`, made (mode 0600) the first time it is asked for."""
    path = data_dir / KEY_FILE
    found = _read(path)
    if found:
        return found
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    draft = data_dir / f".{KEY_FILE}.{secrets.token_hex(6)}"
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.write(secrets.token_urlsafe(48) + "\n")
    try:
        os.link(draft, path)  # fails if another process made the key first: theirs is kept
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return _read(path)


def _read(path: Path) -> str:
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        return ""
