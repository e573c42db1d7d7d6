"""The HTTP application: health, the agent API, Slack events and the diary pages."""

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from bot import api, metrics, web
from bot.body_limits import BodyLimits
from bot.logs import RequestIds
from bot.services.context import Context
from bot.settings import Settings
from bot.slack.http import mount as mount_slack
from bot.version import VERSION
from bot.web import status_page


def create_app(ctx: Context, settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = FastAPI(title="Tally", version=VERSION)
    app.state.ctx = ctx
    app.state.settings = settings
    app.add_middleware(BodyLimits)

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        """200 {"ok": true}; 503 {"ok": false, "database": "down"} while the database is away."""
        return metrics.health(ctx)

    # Each part mounts itself below, one line each.
    mount_slack(app, ctx, settings)
    api.mount(app)
    web.mount(app)
    app.include_router(status_page.router)
    app.include_router(metrics.router)
    app.add_middleware(RequestIds)
    return app
