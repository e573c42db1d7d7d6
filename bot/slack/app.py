"""The Slack app: a slack-bolt AsyncApp over the service context, its Web API client and sender."""

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.services.context import Context
from bot.settings import Settings
from bot.slack import app_home, interactions, slash
from bot.slack.bridge import Bridge, Clock, utc_now
from bot.slack.sender import SlackSender

SLACK_API = "https://slack.com/api/"


def api_base(settings: Settings) -> str:
    """Slack's Web API, or SLACK_API_URL: a proxy or a test server."""
    return (settings.slack_api_url or SLACK_API).rstrip("/") + "/"


def web_client(settings: Settings) -> AsyncWebClient:
    return AsyncWebClient(token=settings.slack_bot_token, base_url=api_base(settings))


def build_app(ctx: Context, settings: Settings, *, clock: Clock = utc_now) -> AsyncApp:
    # Signatures are checked in bot/slack/http.py before a request reaches Bolt (Socket Mode needs none).
    app = AsyncApp(token=settings.slack_bot_token, signing_secret=settings.slack_signing_secret or "", name="tally",
                   request_verification_enabled=False)
    # Bolt also reads SLACK_BOT_TOKEN itself and warns when handed a client beside it, so its own
    # client is pointed at the API base instead; the per-request clients copy the base from it.
    app.client.base_url = api_base(settings)
    bridge = Bridge(ctx, clock)
    for part in (slash, interactions, app_home):
        part.register(app, bridge)
    return app


def slack_sender(ctx: Context, settings: Settings) -> SlackSender | None:
    """The outbox's Slack sender, or None when Slack is off."""
    return SlackSender(web_client(settings), ctx.blobs) if settings.slack_enabled else None
