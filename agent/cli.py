"""The `tally-agent` command: pair, run, start, stop, status.

Its commands and options are names people and scripts rely on
(docs/architecture.md#names-other-programs-rely-on).
"""

import platform
import socket
import sys
from datetime import UTC, datetime
from typing import Annotated

import typer

from agent.client import ApiClient, ApiError, Unreachable
from agent.home import AgentHome, Pairing
from agent.version import agent_version

app = typer.Typer(no_args_is_help=True, add_completion=False, help="The Tally desktop agent.")


def _home() -> AgentHome:
    return AgentHome.from_env()


def _paired_client() -> ApiClient:
    pairing = _home().load_pairing()
    if pairing is None:
        raise _fail("Not paired yet. Run /connect in chat, then: tally-agent pair CODE --server URL")
    return ApiClient(pairing.server, pairing.token, timeout=15)


def _fail(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(1)


@app.command()
def pair(
    code: Annotated[str, typer.Argument(help="The code /connect gave you.")],
    server: Annotated[str, typer.Option("--server", help="The Tally server's URL.")],
    name: Annotated[str, typer.Option("--name", help="This device's name (default: the host name).")] = "",
) -> None:
    """Exchange a pairing code for this device's token and keep it (readable only by you)."""
    try:
        reply = ApiClient(server).pair(
            code.strip(), name or socket.gethostname(), platform.platform(terse=True), agent_version()
        )
    except (Unreachable, ApiError, ValueError) as exc:
        raise _fail(f"Pairing failed: {exc}") from None
    home = _home()
    home.save_pairing(Pairing(server=server.rstrip("/"), token=reply["token"], device_id=int(reply["device_id"])))
    typer.echo(f"Paired as device {reply['device_id']}. Files in {home.path}. Now run: tally-agent run")


@app.command()
def run() -> None:
    """Track time as the server says (/clockin, /clockout), until Ctrl-C."""
    raise typer.Exit(_run())


def _run() -> int:
    from agent.memory import keep_small

    keep_small()  # before any thread starts
    from agent.inputs import open_input
    from agent.runner import Agent, run_agent

    home = _home()
    pairing = home.load_pairing()
    if pairing is None:
        print("Not paired yet. Run /connect in chat, then: tally-agent pair CODE --server URL", file=sys.stderr)
        return 1
    from agent.capabilities import NoInput, cannot_track, explain, tell_server

    unable = cannot_track()  # a Wayland session: the agent runs to say so, and tracks nothing
    try:
        counter = NoInput() if unable else open_input()
    except (OSError, RuntimeError, ImportError) as exc:  # no display, no libXtst, pynput's platform check
        print(f"Cannot count input here: {exc}", file=sys.stderr)
        return 1
    print(f"Tally agent {agent_version()} for {pairing.server}. Ctrl-C to quit.", flush=True)
    agent = Agent(home, pairing, counter)
    if unable:
        print(explain(unable), flush=True)
        agent.cannot_track = unable
    tell_server(home, agent.queue, unable, datetime.now(UTC))
    page = open_window(agent, home, pairing)
    tray = open_tray(agent, page, pairing)
    notify_shots(agent, home, page, tray)
    try:
        return 0 if run_agent(agent) else 1
    finally:
        home.forget_window()
        if tray is not None:
            tray.close()
        if page is not None:
            page.close()


def open_tray(agent, page, pairing: Pairing):
    """The tray icon, drawn from the tracker window's picture; None (said once) where there is no tray."""
    from agent.actions import Actions
    from agent.runner import STOP
    from agent.tray import start_tray

    actions = Actions(agent, ApiClient(pairing.server, pairing.token, timeout=15))
    tray = start_tray(lambda: agent.view, actions, lambda: page.url if page else None,
                      lambda: agent.inbox.put(STOP), lambda text: print(text, flush=True))
    if tray is not None:
        agent.on_view = tray.show
    return tray


def notify_shots(agent, home: AgentHome, page, tray) -> None:
    """A desktop notification with each screenshot, where the desktop or the tray has them."""
    from agent.notify import ShotNotifier
    from agent.tray import open_link

    notifier = ShotNotifier(home.path, lambda: page and open_link(page.url), tray.notifier() if tray else None)
    agent.on_shot = notifier.shot


def open_window(agent, home: AgentHome, pairing: Pairing):
    """Serves the tracker window; its link goes only to a file that this user alone may read.
    Without it (no loopback address to listen on) the agent tracks as before and says why once."""
    from agent.actions import Actions
    from agent.tracker_page import TrackerPage

    actions = Actions(agent, ApiClient(pairing.server, pairing.token, timeout=15))
    try:
        page = TrackerPage(lambda: agent.view, actions, actions.shot).start()
    except OSError as exc:
        print(f"No tracker window: cannot listen on 127.0.0.1 ({exc}); tracking goes on without it.", flush=True)
        return None
    home.save_window(page.url)
    return page


@app.command(name="open")
def open_tracker() -> None:
    """Open the tracker window of the running agent in your browser."""
    import webbrowser

    url = _home().window_url()
    if url is None:
        raise _fail("The agent is not running; start it with: tally-agent run")
    typer.echo(f"Tracker window: {url}")
    webbrowser.open(url)


@app.command()
def start(memo: Annotated[list[str] | None, typer.Argument(help="What you are working on.")] = None) -> None:
    """Clock in from this computer, like /clockin in chat; without a network the running agent
    clocks in here and tells the server when it is back."""
    text = " ".join(memo or []) or None
    answer = _ask_agent("clockin", {"memo": text} if text else {})
    if answer is not None:
        typer.echo(answer)
        return
    _event("local_clockin", text)


@app.command()
def stop() -> None:
    """Clock out from this computer, like /clockout in chat (offline too, when the agent runs)."""
    from agent.controls import NOT_TRACKING

    answer = _ask_agent("clockout", {})
    if answer is not None and answer != NOT_TRACKING:
        typer.echo(answer)
        return
    _event("local_clockout", None)  # the agent tracks nothing: the server may still have a session (chat)


def _ask_agent(action: str, form: dict[str, str]) -> str | None:
    """The running agent's answer to a tracker-window action, or None when no agent runs here."""
    from urllib.error import URLError
    from urllib.parse import urlencode
    from urllib.request import ProxyHandler, Request, build_opener

    url = _home().window_url()
    if url is None:
        return None
    request = Request(url + action, data=urlencode(form).encode(), headers={"Accept": "text/plain"})
    try:
        with build_opener(ProxyHandler({})).open(request, timeout=60) as answer:  # loopback: never a proxy
            return answer.read().decode("utf-8", "replace")
    except (URLError, OSError):
        return None  # the agent is going away: ask the server directly


def _event(kind: str, memo: str | None) -> None:
    try:
        reply = _paired_client().event(kind, datetime.now(UTC), memo)
    except ApiError as exc:  # the server said no, in a sentence meant for people
        raise _fail(exc.detail if exc.status < 500 else f"The server did not take it: {exc}") from None
    except Unreachable as exc:
        raise _fail(f"The server cannot be reached ({exc}). Start the agent (tally-agent run): it clocks in "
                    "without a network and tells the server when it is back.") from None
    typer.echo(reply.get("message") or "Done.")
    if reply.get("ok") is False:
        raise typer.Exit(1)


@app.command()
def consent(
    what: Annotated[str, typer.Argument(help="What you consent to: webcam.")],
    withdraw: Annotated[bool, typer.Option("--withdraw", help="Take the consent back.")] = False,
) -> None:
    """Consent on this computer to a camera frame per slot on contracts that ask for it, or --withdraw."""
    from agent import webcam
    from agent.queue import Queue
    from agent.wire import event_body

    if what != "webcam":
        raise _fail("Only the webcam asks for your consent: tally-agent consent webcam (or --withdraw).")
    home, now, given = _home(), datetime.now(UTC), not withdraw
    webcam.set_consent(home.ensure(), given, now)  # a running agent reads it at its next slot
    queue = Queue(home.queue_path, agent_version())
    try:  # the server hears of it with the next upload, in order with the slots
        queue.add_event(event_body("webcam_consent", now, given=given), not_before=now)
    finally:
        queue.close()
    typer.echo(webcam.consent_sentence(given))


@app.command()
def notify(switch: Annotated[str, typer.Argument(help="on or off.")]) -> None:
    """A desktop notification with each screenshot (on by default), or not."""
    from agent import notify as notifications

    if switch not in ("on", "off"):
        raise _fail("Say on or off, for example: tally-agent notify off")
    notifications.set_enabled(_home().ensure(), switch == "on")  # a running agent reads it at each shot
    typer.echo("A notification shows each screenshot as it is taken." if switch == "on" else
               "No more notifications; the tracker window (tally-agent open) still shows each screenshot.")


@app.command()
def unpair() -> None:
    """Revoke this device's token on the server and forget it here."""
    client, home = _paired_client(), _home()
    try:
        reply = client.unpair()
    except ApiError as exc:
        if exc.status != 401:  # 401: the token was already revoked or unknown there
            raise _fail(exc.detail) from None
        reply = {"message": "The server no longer knew this device's token."}
    except Unreachable as exc:
        raise _fail(f"The server could not be reached ({exc}); nothing was revoked. Try again, or revoke "
                    "this device with /devices in chat.") from None
    home.forget_pairing()
    typer.echo(f"{reply.get('message') or 'Unpaired.'} Recorded slots not yet sent stay in {home.path}.")


@app.command()
def status() -> None:
    """Server, tracking, this slot's activity, the queue, the last upload and rejected slots."""
    from agent.status import describe

    for line in describe(_home()):
        typer.echo(line)


def main() -> None:
    if sys.stdout.encoding and sys.stdout.encoding.lower() not in ("utf-8", "utf8"):
        sys.stdout.reconfigure(errors="replace")  # the status line's dots on an old Windows console
    if sys.argv[1:] == ["run"]:
        # The command that runs all day skips typer's parsing: it loads pydantic, a third of the agent's memory.
        sys.exit(_run())
    app()
