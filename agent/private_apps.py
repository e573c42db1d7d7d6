"""Private apps: a list, kept only in the agent's folder, of apps or window titles the freelancer
wants kept out of sharp screenshots (docs/rules.md, private apps).

One pattern a line, matched without regard to case against the focused window's app name and its
title: a plain word matches where it appears; `*` and `?` make it a shell-style pattern of the whole
name or title. Lines starting with # are notes.
"""

import fnmatch
from pathlib import Path

from agent.wire import WindowInfo

FILE = "private-apps.txt"
MAX_PATTERNS = 200
MAX_PATTERN = 200


def load(folder: Path) -> tuple[str, ...]:
    try:
        return parse((folder / FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return ()


def parse(text: str) -> tuple[str, ...]:
    lines = (line.strip()[:MAX_PATTERN] for line in text.splitlines())
    return tuple(dict.fromkeys(line for line in lines if line and not line.startswith("#")))[:MAX_PATTERNS]


def save(folder: Path, patterns: tuple[str, ...]) -> None:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / FILE
    path.write_text("".join(f"{p}\n" for p in patterns), encoding="utf-8")
    path.chmod(0o600)


def matches(patterns: tuple[str, ...], window: WindowInfo | None) -> bool:
    if window is None or not patterns:
        return False
    names = [window.app.casefold(), window.title.casefold()]
    return any(_match(p.casefold(), name) for p in patterns for name in names if name)


def _match(pattern: str, name: str) -> bool:
    if any(ch in pattern for ch in "*?["):
        return fnmatch.fnmatchcase(name, pattern)
    return pattern in name
