"""Slack inside the HTTP app: POST /slack/events, or a Socket Mode connection, or a clear "off"."""

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier

from bot.services.context import Context
from bot.settings import Settings
from bot.slack.app import build_app
from bot.slack.bridge import Clock, utc_now

PATH = "/slack/events"
NOT_SLACK = "This endpoint takes only requests signed by Slack."
OFF = "Slack is off on this server: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (and SLACK_APP_TOKEN for Socket Mode)."
log = logging.getLogger("tally.slack")


def mount(app: FastAPI, ctx: Context, settings: Settings, *, clock: Clock = utc_now) -> None:
    """Commands, interactivity and events on one URL; with SLACK_APP_TOKEN, Socket Mode instead."""
    if not settings.slack_enabled:
        return _off(app)
    bolt = build_app(ctx, settings, clock=clock)
    if settings.slack_app_token:
        return _socket_mode(app, bolt, settings.slack_app_token)
    handler, verifier = AsyncSlackRequestHandler(bolt), SignatureVerifier(settings.slack_signing_secret or "")

    async def slack_events(request: Request) -> Response:
        # The body is read here (BodyLimits caps it) and checked before Bolt sees it: Bolt's own
        # check would log the whole body of a forged request, and crash on a non-numeric timestamp.
        body = await request.body()
        if not genuine(verifier, body, request.headers):
            log.info("refused a request to %s: missing, stale or wrong Slack signature", PATH)
            return JSONResponse({"error": "unauthorized", "detail": NOT_SLACK}, status_code=401)
        return await handler.handle(request)  # Starlette hands Bolt the body it already read

    app.add_api_route(PATH, slack_events, methods=["POST"], include_in_schema=False)


def genuine(verifier: SignatureVerifier, body: bytes, headers) -> bool:
    """Signed by Slack with our secret within the last five minutes (the verifier's window)."""
    timestamp, signature = headers.get("x-slack-request-timestamp", ""), headers.get("x-slack-signature", "")
    return timestamp.isascii() and timestamp.isdigit() and len(timestamp) < 12 and \
        verifier.is_valid(body, timestamp, signature)


def _off(app: FastAPI) -> None:
    async def slack_off() -> JSONResponse:
        return JSONResponse({"error": "slack_off", "detail": OFF}, status_code=503)

    app.add_api_route(PATH, slack_off, methods=["POST"], include_in_schema=False)


def _socket_mode(app: FastAPI, bolt: AsyncApp, app_token: str) -> None:
    connection = SocketMode(bolt, app_token)
    app.router.add_event_handler("startup", connection.start)
    app.router.add_event_handler("shutdown", connection.stop)


class SocketMode:
    """Slack pushes everything over a WebSocket this server opens: no public URL needed."""

    def __init__(self, bolt: AsyncApp, app_token: str) -> None:
        self.bolt, self.app_token = bolt, app_token
        self.handler: AsyncSocketModeHandler | None = None

    async def start(self) -> None:
        # The client's aiohttp session wants the running event loop, so it is made at startup.
        self.handler = AsyncSocketModeHandler(self.bolt, self.app_token)
        await self.handler.connect_async()
        log.info("Slack: connected in Socket Mode")

    async def stop(self) -> None:
        if self.handler is not None:
            await self.handler.close_async()
