"""The server's log: plain lines, or one JSON object a line (`TALLY_LOG_FORMAT=json`).

Every line made while an HTTP request is handled carries that request's id, which the answer
also carries as `X-Request-ID`, so an operator can find a user's failed request in the log.
Libraries speak only at WARNING: a start-up says what Tally is doing in a few lines.
"""

import logging
import re
import sys
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

from pythonjsonlogger.json import JsonFormatter

REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
# An id the caller sends (a proxy's) is kept when it is short and harmless, else a new one is made.
GIVEN_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
QUIET = ("apscheduler", "alembic", "discord", "slack_bolt", "slack_sdk", "httpx", "httpcore", "aiohttp",
         "botocore", "boto3", "s3transfer", "urllib3", "uvicorn.error", "asyncio", "multipart")
TEXT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RequestId(logging.Filter):
    """Adds `request_id` to every record (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


class JsonLines(JsonFormatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                         rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                         json_ensure_ascii=False)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


def configure(log_format: str = "text", level: int = logging.INFO) -> None:
    """The root handler on standard error; call once, before anything logs."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines() if log_format.strip().lower() == "json" else logging.Formatter(TEXT))
    handler.addFilter(RequestId())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)


def request_id_of(headers: list[tuple[bytes, bytes]]) -> str:
    for name, value in headers:
        if name == b"x-request-id":
            given = value.decode("latin-1")
            if GIVEN_ID.fullmatch(given):
                return given
    return uuid.uuid4().hex[:16]


class RequestIds:
    """ASGI middleware: a request id for each HTTP request, in the log and in the answer."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        rid = request_id_of(scope.get("headers", []))
        token = REQUEST_ID.set(rid)

        async def send_with_id(message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            REQUEST_ID.reset(token)
