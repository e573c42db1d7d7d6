"""Free text people and agents send: how long each kind may be, and how it is cleaned.

One place for every entry point (chat, forms, the agent API, the agent itself). Cleaning removes
what no screen shows and some databases cannot keep: NUL (PostgreSQL text cannot hold it), other
control characters and lone surrogates; tabs and line breaks become spaces (a memo is one line).
Standard library only: the agent imports this module too.
"""

import unicodedata
from dataclasses import dataclass

from diary.refusal import Refusal

MAX_MEMO = 500  # a slot's memo, a session's memo, a manual-time memo
MAX_TITLE = 200  # a contract's title
MAX_NOTE = 500  # a bonus's note
MAX_REASON = 1000  # a dispute's reason, and the freelancer's answer
MAX_WINDOW_TEXT = 300  # an app's name or a window's title
MAX_DEVICE_TEXT = 100  # a device's name and operating system


@dataclass(frozen=True)
class Kind:
    noun: str  # "memo", as in "A memo is at most 500 characters"
    limit: int
    example: str  # what a right one looks like, for the refusal


MEMO = Kind("memo", MAX_MEMO, "/memo fixing the login page")
TITLE = Kind("title", MAX_TITLE, 'title="Landing page"')
NOTE = Kind("note", MAX_NOTE, "/bonus @bob 50 thanks for the weekend fix")
REASON = Kind("reason", MAX_REASON, "no work in the screenshots")
ANSWER = Kind("answer", MAX_REASON, "the build ran for an hour")


def _kept(ch: str) -> str:
    if ch in "\t\n\r\v\f\x85\u2028\u2029":
        return " "
    return "" if unicodedata.category(ch) in ("Cc", "Cs") else ch


def clean(text: str) -> str:
    """The text without control characters or lone surrogates, line breaks as spaces, trimmed."""
    if text.isprintable():  # the common case: nothing to remove, no work
        return text.strip()
    return "".join(_kept(ch) for ch in text).strip()


def fit(text: str | None, limit: int) -> str | None:
    """Cleaned and cut to `limit` characters: for what must never be refused (a recorded slot)."""
    return None if text is None else clean(text)[:limit]


def checked(text: str, kind: Kind) -> str | Refusal:
    """Cleaned, or a refusal saying how long it may be, with an example: for what a person types."""
    cleaned = clean(text)
    if len(cleaned) > kind.limit:
        return Refusal(f"A {kind.noun} is at most {kind.limit} characters; yours has {len(cleaned)}. "
                       f"Shorten it, e.g. {kind.example}.")
    return cleaned
