"""Request bodies are capped per endpoint before anything reads them whole.

Without a cap, a 100 MB body to `/pair` was read into memory before it was refused. The cap is
checked on the declared Content-Length (answered at once) and on the bytes as they arrive (for a
chunked body, or one that lies about its length). Too large: 413 JSON `{error, detail}`.
"""

from starlette.exceptions import HTTPException

from bot.api.uploads import MAX_BODY as UPLOAD_BODY
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

KB = 1024
# The longest matching prefix wins. Slot uploads carry a 2 MB screenshot (bot/api/uploads.py
# checks its parts); Slack's interactivity payloads carry the message's blocks; the rest is small JSON or forms.
LIMITS = {
    "/api/v1/agent/slots": UPLOAD_BODY,
    "/slack/events": 1024 * KB,
    "/api/v1/agent/": 16 * KB,
    "/diary/": 16 * KB,
}
DEFAULT = 64 * KB


def limit_for(path: str) -> int:
    matches = [prefix for prefix in LIMITS if path.startswith(prefix)]
    return LIMITS[max(matches, key=len)] if matches else DEFAULT


def too_large_sentence(limit: int) -> str:
    return f"The request body is larger than this endpoint takes ({limit // KB} KB)."


class TooLarge(HTTPException):
    """Raised while a route reads the body; the app's HTTP error handler answers it as 413 JSON."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, too_large_sentence(limit))


class BodyLimits:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = limit_for(scope.get("path", ""))
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            response = JSONResponse({"error": "too_large", "detail": too_large_sentence(limit)}, status_code=413)
            return await response(scope, receive, send)
        await self.app(scope, _counted(receive, limit), send)


def _counted(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise TooLarge(limit)
        return message

    return counted
