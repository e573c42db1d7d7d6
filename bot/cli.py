"""The `tally` command (DESIGN §4): serve, web, worker, db upgrade, jobs run, shell."""

import logging
import sys
from datetime import UTC, datetime

import typer

from bot.runtime import NotMigrated, build_context, describe_platforms, log
from bot.settings import Settings

app = typer.Typer(help="Tally: a self-hosted work diary for hourly work in Slack and Discord.", no_args_is_help=True)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
jobs_app = typer.Typer(help="Run a scheduled job now.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(jobs_app, name="jobs")


def _context(settings: Settings):
    try:
        return build_context(settings)
    except NotMigrated as error:
        typer.echo(f"tally: {error}", err=True)
        raise typer.Exit(2) from error


def _serve_http(settings: Settings, role: str) -> None:
    import uvicorn

    from bot.app import create_app

    ctx = _context(settings)
    log.info("tally %s on http://%s:%s (database %s)", role, settings.host, settings.port, ctx.engine.url.render_as_string(hide_password=True))
    for line in describe_platforms(settings):
        log.info(line)
    uvicorn.run(create_app(ctx, settings), host=settings.host, port=settings.port, log_level="info")


@app.command()
def serve() -> None:
    """Everything in one process: HTTP, chat platforms, scheduler and outbox (SQLite by default)."""
    _serve_http(Settings(), "serve")


@app.command()
def web() -> None:
    """Stateless HTTP only (Slack events, agent API, diary pages); run as many as needed."""
    _serve_http(Settings(), "web")


@app.command()
def worker() -> None:
    """Discord gateway, scheduler and outbox dispatcher: one per deployment."""
    _context(Settings())
    typer.echo("tally worker: the Discord gateway, scheduler and outbox dispatcher are not in this version yet; "
               "`tally serve` runs everything that exists.", err=True)
    raise typer.Exit(1)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the database schema up to date (Alembic)."""
    from storage.engine import make_engine
    from storage.migrate import current_revision, upgrade

    engine = make_engine(Settings().sqlalchemy_url)
    upgrade(engine)
    typer.echo(f"database at revision {current_revision(engine)}")


@jobs_app.command("run")
def jobs_run(name: str, at: str = typer.Option(None, help="ISO instant to run the job as of (default: now)")) -> None:
    """Run one job now: week-close or review-deadline."""
    from bot import jobs

    instant = _instant(at)
    ctx = _context(Settings())
    job = jobs.JOBS.get(name)
    if job is None:
        typer.echo(f"tally: no job named {name!r}; jobs are {', '.join(sorted(jobs.JOBS))}", err=True)
        raise typer.Exit(2)
    typer.echo(job(ctx, now=instant))


def _instant(text: str | None) -> datetime:
    if not text:
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(text)
    except ValueError as error:
        raise typer.BadParameter("write the instant like 2026-11-23T12:00:00+00:00") from error
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@app.command()
def shell(as_: str = typer.Option(..., "--as", help="who you are, e.g. alice"),
          channel: str = typer.Option("#general", help="the channel you type in")) -> None:
    """The chat commands in a terminal; reads standard input line by line when it is not a terminal."""
    from bot.shell import Shell

    ctx = _context(Settings())
    console = Shell(ctx, as_.lstrip("@"), channel=channel)
    if sys.stdin.isatty():
        _interactive(console)
    else:
        console.run(sys.stdin, echo=True)


def _interactive(console) -> None:
    console.say("Tally shell. /tally help lists the commands, /as NAME switches user, Ctrl-D leaves.")
    while True:
        try:
            line = input(f"{console.user}> ")
        except EOFError:
            return
        console.handle(line)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app()


if __name__ == "__main__":
    main()
