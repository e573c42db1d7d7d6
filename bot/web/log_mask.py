"""Diary-link tokens never reach the access log: each one opens a diary for 24 hours."""

import logging
import re

# The token is the path segment after /diary/; the rest of the path (shots, slots) stays readable.
TOKEN = re.compile(r"(/diary/)[^/?#\s\"]+")
MASK = r"\1…"


def mask(text: str) -> str:
    return TOKEN.sub(MASK, text)


class MaskDiaryTokens(logging.Filter):
    """Rewrites uvicorn's access records (client, method, path, version, status) and any message."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(mask(arg) if isinstance(arg, str) else arg for arg in record.args)
        if isinstance(record.msg, str):
            record.msg = mask(record.msg)
        return True


def install(logger_name: str = "uvicorn.access") -> None:
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, MaskDiaryTokens) for f in logger.filters):
        logger.addFilter(MaskDiaryTokens())
