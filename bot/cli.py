"""The `tally` command: serve, web, worker, db upgrade, jobs run, shell.

Its commands and options are names operators and scripts rely on
(docs/architecture.md#names-other-programs-rely-on).
"""

import logging
import sys
from datetime import UTC, datetime
from pathlib import Path

import typer
from sqlalchemy.exc import DBAPIError

from bot.runtime import NotMigrated, build_context, describe_platforms, log
from bot.secret_key import MissingSecret
from bot.settings import Settings
from storage.outage import is_unavailable, reason

app = typer.Typer(help="Tally: a self-hosted work diary for hourly work in Slack and Discord.", no_args_is_help=True)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
jobs_app = typer.Typer(help="Run a scheduled job now.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(jobs_app, name="jobs")
member_app = typer.Typer(help="A person's data, on their request (privacy law).", no_args_is_help=True)
app.add_typer(member_app, name="member")


def _context(settings: Settings, *, shared: bool = False):
    try:
        return build_context(settings, shared=shared)
    except (NotMigrated, MissingSecret) as error:
        typer.echo(f"tally: {error}", err=True)
        raise typer.Exit(2) from error
    except DBAPIError as error:
        if not is_unavailable(error):
            raise
        typer.echo(f"tally: the database does not answer ({reason(error)}); start it, or check TALLY_DATABASE_URL", err=True)
        raise typer.Exit(2) from error


def _senders(ctx, settings: Settings) -> list:
    from bot.discord.sender import discord_sender
    from bot.slack.app import slack_sender

    return [sender for sender in (slack_sender(ctx, settings), discord_sender(ctx, settings)) if sender is not None]


async def _with_discord(ctx, settings: Settings, main) -> None:
    """Runs `main` with the Discord gateway beside it when Discord is configured."""
    import asyncio

    gateway = None
    if settings.discord_enabled:
        from bot.discord.bot import start_discord

        gateway = asyncio.create_task(start_discord(ctx, settings))
    try:
        await main
    finally:
        if gateway is not None:
            gateway.cancel()
            await asyncio.gather(gateway, return_exceptions=True)


def _announce(settings: Settings, ctx, role: str) -> None:
    log.info("tally %s on http://%s:%s (database %s)", role, settings.host, settings.port, ctx.engine.url.render_as_string(hide_password=True))
    for line in describe_platforms(settings):
        log.info(line)


# A thread back from the database waits for the interpreter lock until the thread running Python
# gives it up: after 5 ms by default. A chat command makes dozens of round trips, each one behind
# the upload threads' work under load; at 1 ms the wait is a fifth (bench/gil_bench.py).
SWITCH_INTERVAL = 0.001


def _answer_promptly() -> None:
    import sys

    sys.setswitchinterval(SWITCH_INTERVAL)


@app.command()
def serve() -> None:
    """Everything in one process: HTTP, Discord gateway, scheduler and outbox (SQLite by default)."""
    _answer_promptly()
    import asyncio

    from bot.http_app import create_app
    from bot.worker import serve_with_worker

    settings = Settings()
    ctx = _context(settings)
    _announce(settings, ctx, "serve")
    server = serve_with_worker(create_app(ctx, settings), ctx, _senders(ctx, settings), host=settings.host, port=settings.port)
    asyncio.run(_with_discord(ctx, settings, _with_checkup(settings, server)))


async def _with_checkup(settings: Settings, main) -> None:
    """Runs `main` and, once the server listens, `tally doctor`'s checks, logged in one line."""
    import asyncio

    from bot.doctor import checkup_when_listening

    checkup = asyncio.create_task(checkup_when_listening(settings))
    try:
        await main
    finally:
        checkup.cancel()
        await asyncio.gather(checkup, return_exceptions=True)


@app.command()
def doctor() -> None:
    """Checks every setting and chat platform; exits 1 with the fix for each problem."""
    import asyncio

    from bot.doctor import examine, report

    findings = asyncio.run(examine(Settings()))
    typer.echo(report(findings))
    if not all(f.ok for f in findings):
        raise typer.Exit(1)


@app.command()
def web() -> None:
    """Stateless HTTP only (Slack events, agent API, diary pages); run as many as needed."""
    _answer_promptly()
    import asyncio

    from bot.http_app import create_app
    from bot.http_server import TallyServer

    settings = Settings()
    ctx = _context(settings, shared=True)
    _announce(settings, ctx, "web")
    asyncio.run(TallyServer(create_app(ctx, settings), host=settings.host, port=settings.port).serve())


@app.command()
def worker(metrics_port: int = typer.Option(None, "--metrics-port", help="serve /metrics and /healthz on HOST at this port")) -> None:
    """Discord gateway, scheduler and outbox dispatcher: one per deployment."""
    _answer_promptly()
    import asyncio

    from bot.worker import work_until_signalled
    from bot.worker_metrics import metrics_app, serving_metrics

    settings = Settings()
    ctx = _context(settings, shared=True)
    for line in describe_platforms(settings):
        log.info(line)
    beside = lambda main: _with_discord(ctx, settings, main)  # noqa: E731 (the gateway runs only once elected)
    main = work_until_signalled(ctx, _senders(ctx, settings), beside)
    if metrics_port is not None:
        log.info("worker: /metrics and /healthz on http://%s:%s", settings.host, metrics_port)
        main = serving_metrics(metrics_app(ctx, settings), host=settings.host, port=metrics_port, main=main)
    if not asyncio.run(main):
        raise typer.Exit(3)  # lost the lock: a supervisor restarts it as a standby


@app.command()
def export(week: str = typer.Option(..., help="the week, e.g. 2026-W47"),
           contract: int = typer.Option(None, help="only this contract's id")) -> None:
    """A week's timesheets and statements as CSV, on standard output."""
    from bot.export import export_week
    from diary.refusal import Refusal

    result = export_week(_context(Settings()), week, now=datetime.now(UTC), contract_id=contract)
    if isinstance(result, Refusal):
        typer.echo(f"tally: {result.message}", err=True)
        raise typer.Exit(2)
    typer.echo(result, nl=False)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the database schema up to date (Alembic), then fill in what new columns derive."""
    from bot.services.weekly import keep_books_of_closed_weeks
    from storage.engine import make_engine
    from storage.migrate import current_revision, upgrade

    settings = Settings()
    engine = make_engine(settings.sqlalchemy_url)
    upgrade(engine)
    kept = keep_books_of_closed_weeks(_context(settings))
    if kept:
        typer.echo(f"{kept} closed weeks now keep their books as they were shown")
    typer.echo(f"database at revision {current_revision(engine)}")


@db_app.command("backup")
def db_backup(path: Path = typer.Argument(..., help="the new backup file, e.g. tally-2026-12-04.tar")) -> None:
    """The database, the screenshots and the key file, in one new tar file (safe while Tally runs)."""
    from storage.backup import backup

    _backup_step(backup, path)


@db_app.command("restore")
def db_restore(path: Path = typer.Argument(..., help="a file made by `tally db backup`"),
               replace: bool = typer.Option(False, "--replace", help="replace a database that already holds data")) -> None:
    """Puts a backup back: database, screenshots and key file. Stop Tally first."""
    from storage.backup import restore

    _backup_step(lambda place, target: restore(place, target, replace=replace), path)


def _backup_step(step, path: Path) -> None:
    from bot.secret_key import KEY_FILE
    from storage.backup import BackupProblem, Place
    from storage.blobs import open_blobs
    from storage.engine import make_engine

    settings = Settings()
    place = Place(make_engine(settings.sqlalchemy_url),
                  open_blobs(settings.blob_url, settings.data_dir, endpoint_url=settings.s3_endpoint_url),
                  settings.data_dir / KEY_FILE)
    try:
        outcome = step(place, path)
    except BackupProblem as error:
        typer.echo(f"tally: {error}", err=True)
        raise typer.Exit(1) from error
    for line in outcome.lines:
        typer.echo(line)
    if outcome.manual:
        typer.echo(f"The PostgreSQL tools are not installed here; run this line for the database part:\n  {outcome.manual}")
        raise typer.Exit(1)


def _person(ctx, name: str, member_id: int | None):
    from bot.services.member_data import find
    from diary.refusal import Refusal

    person = find(ctx, name, member_id)
    if isinstance(person, Refusal):
        typer.echo(f"tally: {person.message}", err=True)
        raise typer.Exit(1)
    return person


MEMBER_OPTION = typer.Option(None, "--member", help="the member's number, when several people share the name")


@member_app.command("export")
def member_export(name: str, member: int = MEMBER_OPTION,
                  out: Path = typer.Option(None, help="the zip to write (default: tally-NAME.zip here)")) -> None:
    """Everything Tally holds about a person, as a zip of JSON files and screenshots."""
    from bot.services.member_data import export

    ctx = _context(Settings())
    person = _person(ctx, name, member)
    target = out or Path(f"tally-{name.lstrip('@')}.zip")
    try:
        shots = export(ctx, person, target, now=datetime.now(UTC))
    except FileExistsError as error:
        typer.echo(f"tally: {target} exists already; name another file with --out", err=True)
        raise typer.Exit(1) from error
    typer.echo(f"wrote {target}: everything about {person.describe}, {shots} screenshots")


@member_app.command("erase")
def member_erase(name: str, member: int = MEMBER_OPTION,
                 yes: bool = typer.Option(False, "--yes", help="do not ask for confirmation")) -> None:
    """Removes a person's screenshots, window titles and memos; hours and statements stay for the books."""
    from bot.services.member_data import erase

    ctx = _context(Settings())
    person = _person(ctx, name, member)
    question = f"Erase the screenshots, window titles and memos of {person.describe}? This cannot be undone"
    if not yes and not (sys.stdin.isatty() and typer.confirm(question)):
        typer.echo("tally: nothing erased; confirm with --yes (export first: tally member export NAME)", err=True)
        raise typer.Exit(1)
    done = erase(ctx, person)
    typer.echo(f"erased for {person.describe}: {done.screenshots} screenshots, memos and window titles of "
               f"{done.slots} slots, {done.messages} messages quoting a memo, on {done.contracts} contracts; "
               "hours and statements kept")


@jobs_app.command("run")
def jobs_run(name: str, at: str = typer.Option(None, help="ISO instant to run the job as of (default: now)")) -> None:
    """Run one job now, as of --at: week-close, review-reminder, minimum-reminder, review-deadline, agent-lost, limit-alerts, retention."""
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

    logging.getLogger().setLevel(logging.ERROR)  # a conversation in the terminal; the server's log has the warnings
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
    from bot.logs import configure

    configure(_log_format())
    app()


def _log_format() -> str:
    """TALLY_LOG_FORMAT (environment or .env); settings that do not read leave the plain format,
    and the command that reads them next says what is wrong."""
    try:
        return Settings().log_format
    except ValueError:
        return "text"


if __name__ == "__main__":
    main()
