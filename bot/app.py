"""The HTTP application: health, and later the agent API, Slack events and diary pages."""

from fastapi import FastAPI

from bot.services.context import Context


def create_app(ctx: Context) -> FastAPI:
    app = FastAPI(title="Tally", version="0.1.0")
    app.state.ctx = ctx

    @app.get("/healthz")
    def healthz() -> dict:
        return {"ok": True}

    return app
