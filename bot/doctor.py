"""`tally doctor`: every setting and chat platform checked, each problem with the fix for it.

`tally serve` runs the same checks once it is listening and logs one line of what it found.
"""

import asyncio
import logging
import re
import secrets
from urllib.parse import urlsplit
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import make_url

from bot.discord.endpoints import rest_base
from bot.secret_key import EXAMPLE, KEY_FILE, MIN_LENGTH
from bot.settings import Settings
from storage.blobs import open_blobs
from storage.engine import make_engine
from storage.migrate import current_revision, head_revision

log = logging.getLogger("tally")

MANIFEST = Path(__file__).parent / "slack" / "manifest.yml"
SLACK_API = "https://slack.com/api/"
TIMEOUT = 10.0


@dataclass(frozen=True)
class Finding:
    check: str
    ok: bool
    detail: str
    fix: str = ""


def ok(check: str, detail: str) -> Finding:
    return Finding(check, True, detail)


def problem(check: str, detail: str, fix: str) -> Finding:
    return Finding(check, False, detail, fix)


# -- the database, the blob store, the key --------------------------------------------------------

def check_database(settings: Settings) -> Finding:
    missing = _missing_sqlite_file(settings.sqlalchemy_url)
    if missing is not None:  # not made here: connecting would leave an empty file behind
        return problem("database", f"no database yet at {missing}", "run `tally db upgrade` (`tally serve` also does it on its first start)")
    engine = make_engine(settings.sqlalchemy_url)
    where = engine.url.render_as_string(hide_password=True)
    try:
        current, head = current_revision(engine), head_revision()
    except Exception as error:  # any driver's way of saying "not there"
        return problem("database", f"{where} does not answer: {_short(error)}",
                       "check TALLY_DATABASE_URL and that the database server runs and lets this user in")
    finally:
        engine.dispose()
    if current is None:
        return problem("database", f"{where} is empty", "run `tally db upgrade` (`tally serve` also does it on its first start)")
    if current != head:
        return problem("database", f"{where} is at revision {current}, this Tally needs {head}", "run `tally db upgrade`")
    return ok("database", f"{where}, migrations current ({head})")


def _missing_sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    path = Path(parsed.database)
    return None if path.exists() else path


def check_blobs(settings: Settings) -> Finding:
    where = settings.blob_url or str(settings.data_dir / "screenshots")
    key, data = f"doctor-probe-{secrets.token_hex(6)}", secrets.token_bytes(32)
    try:
        blobs = open_blobs(settings.blob_url, settings.data_dir, endpoint_url=settings.s3_endpoint_url)
        blobs.put(key, data, "application/octet-stream")
        read = blobs.get(key)
        blobs.delete(key)
    except Exception as error:
        return problem("screenshots", f"cannot write to {where}: {_short(error)}", _blob_fix(settings))
    if read != data:
        return problem("screenshots", f"{where} did not give back what was written", _blob_fix(settings))
    return ok("screenshots", f"{where} is writable")


def _blob_fix(settings: Settings) -> str:
    if settings.blob_url and settings.blob_url.startswith("s3://"):
        return ("check the bucket in TALLY_BLOB_URL exists, the credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY "
                "or the instance's role) may read and write it, and TALLY_S3_ENDPOINT_URL for non-AWS stores")
    return "make the data folder (TALLY_DATA_DIR) writable by the user Tally runs as, or set TALLY_BLOB_URL"


def check_secret(settings: Settings) -> Finding:
    example = EXAMPLE
    if settings.secret_key:
        if len(settings.secret_key) < MIN_LENGTH:
            return problem("secret key", "TALLY_SECRET_KEY is too short to sign diary links safely",
                           f"set at least {MIN_LENGTH} random characters, e.g. the output of: {example}")
        return ok("secret key", "TALLY_SECRET_KEY is set")
    kept = settings.data_dir / KEY_FILE
    if kept.is_file() and kept.read_text().strip():
        return ok("secret key", f"kept in {kept} (one `tally serve`; `tally web` and `tally worker` need TALLY_SECRET_KEY)")
    return problem("secret key", "no TALLY_SECRET_KEY and no key file in the data folder",
                   f"set TALLY_SECRET_KEY (e.g. the output of: {example}), or let `tally serve` make {kept} on its first start")


def check_settings(settings: Settings) -> list[Finding]:
    """Settings that work but would hurt on a real server."""
    found = []
    if settings.log_format.strip().lower() not in ("text", "json"):
        found.append(problem("TALLY_LOG_FORMAT", f"{settings.log_format!r} is not a log format; plain lines are written",
                             "set TALLY_LOG_FORMAT=json for JSON lines, or remove it"))
    if settings.slot_seconds != 600:
        found.append(problem("TALLY_SLOT_SECONDS", f"slots are {settings.slot_seconds} s long: for demos and tests only",
                             "remove TALLY_SLOT_SECONDS, so that slots are 10 minutes"))
    host = urlsplit(settings.public_url).hostname or ""
    if settings.public_url.startswith("http://") and host not in ("localhost", "127.0.0.1", "::1"):
        found.append(problem("public URL", f"{settings.public_url} is plain http: diary links would cross the network unencrypted",
                             "serve Tally behind HTTPS (a reverse proxy) and set TALLY_PUBLIC_URL=https://..."))
    return found


# -- the public address -------------------------------------------------------------------------

async def check_public_url(settings: Settings, http: httpx.AsyncClient) -> Finding:
    url = settings.public_url.rstrip("/") + "/healthz"
    fix = ("start Tally (`tally serve`, or `tally web`) if it is not running; set TALLY_PUBLIC_URL to the address "
           "people and Slack reach it at, and make sure that is reachable from there (reverse proxy, firewall, DNS)")
    try:
        answer = await http.get(url)
    except httpx.HTTPError as error:
        return problem("public URL", f"{url} does not answer: {_short(error)}", fix)
    if answer.status_code != 200:
        return problem("public URL", f"{url} answered {answer.status_code}", fix)
    return ok("public URL", f"{url} answers")


# -- Slack --------------------------------------------------------------------------------------

def manifest_scopes(text: str | None = None) -> set[str]:
    """The bot scopes bot/slack/manifest.yml asks for (its `oauth_config.scopes.bot` list)."""
    text = MANIFEST.read_text() if text is None else text
    block = re.search(r"^\s+bot:\n((?:\s+- .+\n?)+)", text.split("oauth_config:", 1)[-1], re.MULTILINE)
    return {line.strip()[2:].strip() for line in block.group(1).splitlines()} if block else set()


async def check_slack(settings: Settings, http: httpx.AsyncClient) -> list[Finding]:
    if not settings.slack_bot_token and not settings.slack_signing_secret and not settings.slack_app_token:
        return [ok("Slack", "off (SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are not set)")]
    found = [_slack_secret(settings)]
    if not settings.slack_bot_token:
        return found + [problem("Slack token", "SLACK_BOT_TOKEN is not set",
                                "copy the Bot User OAuth Token (xoxb-...) from your app's OAuth & Permissions page")]
    return found + await _slack_auth(settings, http)


def _slack_secret(settings: Settings) -> Finding:
    if settings.slack_signing_secret:
        return ok("Slack signing secret", "set")
    if settings.slack_app_token:
        return ok("Slack signing secret", "not needed: Socket Mode (SLACK_APP_TOKEN)")
    return problem("Slack signing secret", "SLACK_SIGNING_SECRET is not set, so Slack's requests cannot be checked",
                   "copy the Signing Secret from your app's Basic Information page into SLACK_SIGNING_SECRET")


async def _slack_auth(settings: Settings, http: httpx.AsyncClient) -> list[Finding]:
    url = (settings.slack_api_url or SLACK_API).rstrip("/") + "/auth.test"
    try:
        answer = await http.post(url, headers={"Authorization": f"Bearer {settings.slack_bot_token}"})
        body = answer.json()
    except (httpx.HTTPError, ValueError) as error:
        return [problem("Slack token", f"{url} did not answer: {_short(error)}",
                        "check this machine reaches Slack (or SLACK_API_URL, when set)")]
    if not body.get("ok"):
        return [problem("Slack token", f"auth.test refused the token: {body.get('error', answer.status_code)}",
                        "copy the Bot User OAuth Token (xoxb-...) from OAuth & Permissions into SLACK_BOT_TOKEN; "
                        "reinstall the app to the workspace if it was removed")]
    team = body.get("team") or body.get("team_id") or "the workspace"
    return [ok("Slack token", f"valid, bot of {team}"), _slack_scopes(answer.headers.get("x-oauth-scopes"))]


def _slack_scopes(header: str | None) -> Finding:
    wanted = manifest_scopes()
    granted = {scope.strip() for scope in (header or "").split(",") if scope.strip()}
    missing = sorted(wanted - granted)
    if header is None:
        return problem("Slack scopes", "Slack did not say which scopes the token has", "check SLACK_API_URL points at Slack's Web API")
    if missing:
        return problem("Slack scopes", f"the token lacks {', '.join(missing)}",
                       "add them under OAuth & Permissions → Bot Token Scopes (or update the app from "
                       "bot/slack/manifest.yml), then reinstall the app to the workspace")
    return ok("Slack scopes", f"all {len(wanted)} the manifest asks for")


# -- Discord ------------------------------------------------------------------------------------

async def check_discord(settings: Settings, http: httpx.AsyncClient) -> list[Finding]:
    if not settings.discord_token:
        return [ok("Discord", "off (DISCORD_TOKEN is not set)")]
    base, headers = rest_base(settings.discord_api_url), {"Authorization": f"Bot {settings.discord_token}"}
    try:
        me = await http.get(f"{base}/users/@me", headers=headers)
        if me.status_code == 401:
            return [problem("Discord token", "Discord refused DISCORD_TOKEN",
                            "reset the token on your application's Bot page in the Discord developer portal and set DISCORD_TOKEN to it")]
        guilds = await http.get(f"{base}/users/@me/guilds", headers=headers)
        me.raise_for_status()
        guilds.raise_for_status()
    except httpx.HTTPError as error:
        return [problem("Discord token", f"Discord did not answer: {_short(error)}",
                        "check this machine reaches Discord (or DISCORD_API_URL, when set)")]
    found = [ok("Discord token", f"valid, bot {me.json().get('username', '?')}")]
    if not guilds.json():
        return found + [problem("Discord servers", "the bot is in no server",
                                "invite it: developer portal → OAuth2 → URL Generator, scopes bot and "
                                "applications.commands, open the link and pick your server")]
    return found + [ok("Discord servers", f"in {len(guilds.json())}")]


# -- all of it ----------------------------------------------------------------------------------

async def examine(settings: Settings) -> list[Finding]:
    found = [await asyncio.to_thread(check, settings) for check in (check_database, check_blobs, check_secret)]
    found += check_settings(settings)
    async with httpx.AsyncClient(timeout=TIMEOUT) as http:
        found.append(await check_public_url(settings, http))
        found += await check_slack(settings, http)
        found += await check_discord(settings, http)
    return found


def report(findings: list[Finding]) -> str:
    lines = []
    for f in findings:
        lines.append(f"{'ok  ' if f.ok else 'FAIL'}  {f.check}: {f.detail}")
        if not f.ok:
            lines.append(f"      fix: {f.fix}")
    bad = sum(not f.ok for f in findings)
    lines.append("everything checks out" if not bad else f"{bad} problem{'s' if bad > 1 else ''} to fix")
    return "\n".join(lines)


def summary(findings: list[Finding]) -> str:
    """One line for the server's log."""
    bad = [f for f in findings if not f.ok]
    if not bad:
        return f"doctor: all {len(findings)} checks pass"
    return f"doctor: {len(bad)} problem{'s' if len(bad) > 1 else ''} — " + "; ".join(
        f"{f.check}: {f.detail}" for f in bad) + " (run `tally doctor` for the fixes)"


async def checkup_when_listening(settings: Settings, *, wait: float = 60.0) -> list[Finding] | None:
    """For `tally serve`: waits until the server accepts connections, then checks and logs one line."""
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(settings.host, settings.host)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while loop.time() < deadline:
        try:
            _, writer = await asyncio.open_connection(host, settings.port)
        except OSError:
            await asyncio.sleep(0.2)
            continue
        writer.close()
        findings = await examine(settings)
        log.log(logging.INFO if all(f.ok for f in findings) else logging.WARNING, summary(findings))
        return findings
    return None


def _short(error: BaseException) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:200]
