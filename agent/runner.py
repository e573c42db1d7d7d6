"""`tally-agent run`: the threads that make the agent, and the loop that drives the slot clock.

Threads: the slot-clock loop (below), the state long-poll, the uploader, the input counter's
listener. The main thread only waits for Ctrl-C / SIGTERM and then asks the loop to stop, so a
signal never lands in the middle of a slot being written.
"""

import os
import queue
import secrets
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, replace
from datetime import UTC, datetime

from agent import offline, private_apps, webcam
from agent.capture import take_screenshot
from agent.client import ApiClient, ApiError, Unreachable
from agent.controls import (
    COMMAND_WAIT_SECONDS,
    NOT_TRACKING,
    Command,
    LastShot,
    TrackerView,
)
from agent.home import AgentHome, Pairing
from agent.inputs import InputCounter
from agent.queue import Queue
from agent.slotclock import OpenSlot, SlotClock
from agent.terminal import Snapshot, StatusLine, render
from agent.uploader import REPAIR_CHECK_SECONDS, Uploader, retry_delay, unpaired_message
from agent.version import agent_version
from agent.window import active_window
from agent.wire import MAX_MEMO, ServerState, event_body
from diary.slots import slot_floor
from diary.terms import Screenshots

LONG_POLL_SECONDS = 25
MAX_POLL_RETRY_SECONDS = 30
STOP = ("stop", None)


def utc_now() -> datetime:
    return datetime.now(UTC)


class StatePoller:
    """Long-polls /state and hands each answer to the loop; offline, the last state holds. Once
    the server refuses the token (401) it stops asking until the device is paired again."""

    def __init__(self, client: ApiClient, inbox: "queue.Queue[tuple[str, object]]",
                 repaired: Callable[[], ApiClient | None] = lambda: None) -> None:
        self.client, self.inbox, self.repaired = client, inbox, repaired
        self.rng = secrets.SystemRandom()
        self._thread = threading.Thread(target=self._run, name="state-poll", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        wait, failures, cap = 0, 0, MAX_POLL_RETRY_SECONDS
        while True:
            try:
                state = self.client.state(wait=wait)
                self.inbox.put(("state", state))
                wait, failures, cap = LONG_POLL_SECONDS, 0, min(MAX_POLL_RETRY_SECONDS, state.slot_seconds / 2)
            except (Unreachable, ApiError) as exc:
                failures, wait = failures + 1, 0  # back online, take the state at once: it may have changed
                if isinstance(exc, ApiError) and exc.status == 401:
                    self.inbox.put(("revoked", exc.detail))
                    self._wait_for_pairing()
                    self.inbox.put(("repaired", None))
                    continue
                self.inbox.put(("problem", f"state: {exc}"))
                time.sleep(retry_delay(failures, cap, self.rng))

    def _wait_for_pairing(self) -> None:
        """Reads the agent's folder, not the server: a revoked token is not tried again."""
        while (client := self.repaired()) is None:
            time.sleep(REPAIR_CHECK_SECONDS)
        self.client = client


class Agent:
    def __init__(
        self, home: AgentHome, pairing: Pairing, counter: InputCounter,
        now: Callable[[], datetime] = utc_now, out: StatusLine | None = None,
    ) -> None:  # fmt: skip
        self.home, self.pairing, self.counter, self.now = home, pairing, counter, now
        self.out = out or StatusLine()
        self.inbox: queue.Queue[tuple[str, object]] = queue.Queue()
        self.uploader = Uploader(home.queue_path, ApiClient(pairing.server, pairing.token), self._refresh,
                                 repaired=self._paired_again)
        self.queue = Queue(home.queue_path, agent_version(), home.max_queue_bytes, self.uploader.wake.set)
        self.clock = SlotClock(counter, self.queue, self._screenshot, active_window)
        self.poller = StatePoller(ApiClient(pairing.server, pairing.token), self.inbox, self._paired_again)
        self.offline_clockins: set[int] = set()  # local session ids whose clock-in the server has yet to answer
        self.revoked = self.unpaired_said = False  # the server refused this device's token (401)
        self.held = 0  # slots kept here because the server refused their clock-in (made offline)
        self.notice = ""  # what the freelancer must know (a refused clock-in, an unpairing), until acted on
        self.state: ServerState | None = None
        self.resent_late = False  # slots an older server refused as too late were queued again
        # Stopped here (idle, or Clock out in the window): not restarted until the server changes.
        self.idle_session: int | None = None
        self.leftovers: list[OpenSlot] | None = None
        self.problem: str | None = None
        self.online = False
        self.last_shot: LastShot | None = None
        self.memo_override: tuple[str, str | None] | None = None  # (memo set in the window, the server's then)
        self.private_wanted: bool | None = None  # switched here; holds until the server's state agrees
        self.view = TrackerView()
        self.on_view: Callable[[TrackerView], None] | None = None  # the tray icon follows the same picture
        self.on_shot: Callable[[LastShot], None] | None = None  # the desktop notification (agent/notify.py)
        self.cannot_track = ""  # why this computer cannot be tracked (agent/capabilities.py): then it never does
        self.clock.on_shot = self._shot_taken
        self.clock.private_apps = private_apps.load(home.path)
        self.camera = webcam.Camera(self._camera_problem)  # its library is imported only when a frame is due
        self.clock.camera = self.camera.frame
        self.clock.webcam_consent = lambda: webcam.consented(home.path)
        self.webcam_note = ""

    def loop(self) -> None:
        """Runs in its own thread until STOP arrives."""
        self.leftovers = self.queue.open_slots()
        self.offline_clockins = self.queue.unanswered_clockins()
        self.counter.start()
        self.uploader.start()
        self.poller.start()
        while True:
            message = self._next_message()
            now = self.now()
            if message == STOP:
                return self._shutdown(now)
            if message:
                self._handle(message, now)
            self._settle_offline_clockin(now)
            self._stop_if_unpaired(now)
            if self.clock.tick(now):
                self._went_idle()
            self._show()

    def _next_message(self) -> tuple[str, object] | None:
        wake = self.clock.next_wake(self.now())
        timeout = None if wake is None else max(0.0, (wake - self.now()).total_seconds())
        try:
            return self.inbox.get(timeout=timeout)
        except queue.Empty:
            return None

    def _refresh(self) -> None:
        """The queue changed under the uploader: the line and status.json show it even while idle."""
        self.inbox.put(("refresh", None))

    def _handle(self, message: tuple[str, object], now: datetime) -> None:
        kind, value = message
        if kind == "problem":
            self.problem, self.online = str(value), False
        elif kind == "revoked":  # stop recording; what was recorded stays here for a new pairing to send
            self.revoked = True
        elif kind == "repaired":
            self.revoked, self.unpaired_said = False, False
            self.problem = None
        elif kind == "state" and isinstance(value, ServerState):
            self.problem, self.online = None, True
            self._follow(value, now)
        elif kind == "command" and isinstance(value, Command):
            self._command(value, now)

    def command(self, name: str, **args: object) -> Command:
        """From another thread (the window, the tray): asks the loop and waits for its answer."""
        command = Command(name, dict(args))
        self.inbox.put(("command", command))
        if not command.done.wait(COMMAND_WAIT_SECONDS):
            command.answer("The agent is busy; try again in a moment.", "busy")
        return command

    def _command(self, command: Command, now: datetime) -> None:
        handler = {"memo": self._set_memo, "clockout": self._clock_out, "delete": self._delete,
                   "private": self._switch_private, "apps": self._set_private_apps,
                   "clockin": self._clock_in_here, "delete_held": self._delete_held,
                   "webcam": self._webcam_consent}.get(command.name)
        if handler is None:
            command.answer(f"Unknown action {command.name!r}.", "unknown")
            return
        handler(command, now)

    def _set_memo(self, command: Command, now: datetime) -> None:
        text = " ".join(str(command.args.get("text", "")).split())[:MAX_MEMO]
        if not text:
            return command.answer("Say what you are working on, e.g. “reviewing pull requests”.")
        self.memo_override = (text, self.state.memo if self.state else None)
        if self.clock.state is not None:
            self.clock.update(replace(self.clock.state, memo=text))  # this slot and the ones it opens
        command.answer(f"Memo set: {text} (this slot and the next ones carry it).")

    def _set_private_apps(self, command: Command, now: datetime) -> None:
        patterns = private_apps.parse(str(command.args.get("text", "")))
        private_apps.save(self.home.path, patterns)
        self.clock.private_apps = patterns
        if not patterns:
            return command.answer("No private apps: screenshots are taken as the contract says.")
        command.answer(f"{len(patterns)} private app pattern(s) kept on this computer: while one has focus, "
                       "the screenshot is blurred here and no window title is sent.")

    def _webcam_consent(self, command: Command, now: datetime) -> None:
        given = bool(command.args.get("on"))
        webcam.set_consent(self.home.path, given, now)
        self.queue.add_event(event_body("webcam_consent", now, given=given), not_before=now)
        self._show()  # the window, drawn again once this is answered, shows the consent as it now is
        command.answer(webcam.consent_sentence(given))

    def _camera_problem(self, why: str) -> None:
        """Said once, in the terminal and in the tracker window; tracking goes on without frames."""
        self.webcam_note = why
        self.out.say(why)

    def _clock_in_here(self, command: Command, now: datetime) -> None:
        """The server cannot be reached: clock in on this computer now, and tell the server when it can
        (the clock-in goes first in the queue, before the slots it opens)."""
        if self.clock.tracking:
            return command.answer("Already tracking.")
        if self.unpaired:
            return command.answer(unpaired_message(self.pairing.server, self.queue.pending()))
        contract_id = command.args.get("contract_id")
        session_id = offline.local_id(now)
        memo = str(command.args.get("memo") or "") or None
        state = offline.offline_state(self.home, self.state, contract_id if isinstance(contract_id, int) else None, session_id, memo)
        # The contract whose terms it tracks under is the one the server is asked to open it on.
        body = event_body("local_clockin", now, memo, contract_id=state.contract_id)
        self.queue.add_event(body, not_before=now, session_id=session_id)
        self.offline_clockins.add(session_id)
        self.idle_session, self.notice = None, ""
        self.clock.start(state, now)
        self._apply_private(now)
        said = (f"Clocked in here at {now.astimezone():%H:%M} without a connection to the server; tracking now. "
                "The server opens the session at that time when it can be reached.")
        self.out.say(said)
        command.answer(said, "local")

    def _settle_offline_clockin(self, now: datetime) -> None:
        """Once the server answered a clock-in made offline: go on under its session, or stop and say why.
        (It may have been clocked out or gone idle here before the answer came.)"""
        for local in list(self.offline_clockins):
            outcome = self.queue.local_outcome(local)
            if outcome is None:
                continue
            self.offline_clockins.discard(local)
            if self.idle_session == local:  # stopped here: not restarted when the server's state names it
                self.idle_session = outcome if isinstance(outcome, int) else None
            if isinstance(outcome, int):
                self._now_tracked_as(local, outcome, now)
            else:
                self._refused_offline(local, now)

    def _now_tracked_as(self, local: int, session_id: int, now: datetime) -> None:
        if self.last_shot and self.last_shot.session_id == local:  # the window's Delete finds it again
            self.last_shot = replace(self.last_shot, session_id=session_id)
        if self.clock.session_id != local:  # stopped here before the answer: the server's state rules again
            if self.state and not self.offline_clockins:
                self._follow(self.state, now)
            return
        self.clock.session_id = session_id
        self.clock.state = replace(self.clock.state, session_id=session_id) if self.clock.state else None
        if self.clock.slot is not None:
            self.clock.slot.session_id = session_id
        if self.state and self.state.session_id == session_id and not self.offline_clockins:
            self._follow(self.state, now)  # the server's terms and memo from now on

    def _refused_offline(self, local: int, now: datetime) -> None:
        tracking = self.clock.session_id == local
        if tracking:
            self.clock.stop(now)
        self.held = self.queue.held_count()
        self.notice = (f"The server refused the clock-in made offline: {self._refusal_reason(local)} The {self.held} "
                       "slot(s) recorded since stay on this computer and are never sent; delete them in the tracker "
                       "window (tally-agent open).")
        self.out.say(self.notice)
        if self.state and not self.offline_clockins:
            self._follow(self.state, now)  # a session the server has (from chat) is tracked as usual

    @property
    def unpaired(self) -> bool:
        return self.revoked or self.uploader.unpaired is not None

    def _stop_if_unpaired(self, now: datetime) -> None:
        """The server refused the token (state or upload): record nothing more, say so once, keep the queue."""
        if not self.unpaired:
            return
        self.clock.stop(now)
        self.problem, self.online = unpaired_message(self.pairing.server, self.queue.pending()), False
        if not self.unpaired_said:
            self.unpaired_said = True
            self.out.say(self.problem)

    def _refusal_reason(self, local: int) -> str:
        from agent.queue import CLOCKIN_REFUSED

        reasons = [r.reason for r in self.queue.rejected() if r.what == "local_clockin"]
        return reasons[-1].removeprefix(CLOCKIN_REFUSED) if reasons else ""

    def _delete_held(self, command: Command, now: datetime) -> None:
        gone = self.queue.delete_held()
        self.held, self.notice = 0, ""
        command.answer(f"Deleted {gone} slot(s) of the refused clock-in from this computer." if gone else
                       "There are no slots of a refused clock-in here.")

    def _paired_again(self) -> ApiClient | None:
        """A new token in the agent's folder (`tally-agent pair` ran again): used from now on."""
        pairing = self.home.load_pairing()
        if pairing is None or pairing.token == self.pairing.token and pairing.server == self.pairing.server:
            return None
        return ApiClient(pairing.server, pairing.token)

    def _switch_private(self, command: Command, now: datetime) -> None:
        on = bool(command.args.get("on"))
        if on == self.private:
            return command.answer("Private mode is already on." if on else "Private mode is already off.")
        self.private_wanted = on
        self.queue.add_event(event_body("private_on" if on else "private_off", now), not_before=now)
        self._apply_private(now)
        self.out.say("Private: nothing is recorded or sent until you switch it off." if on else "Private mode off.")
        command.answer("Private mode on: nothing is recorded or sent until you switch it off. Your diary shows "
                       "this time as private; your client sees a gap." if on else "Private mode off: tracking goes on.")

    @property
    def private(self) -> bool:
        if self.private_wanted is not None:
            return self.private_wanted
        return bool(self.state and self.state.private)

    def _apply_private(self, now: datetime) -> None:
        if self.private:
            self.clock.pause(now)
        else:
            self.clock.resume(now)

    def _clock_out(self, command: Command, now: datetime) -> None:
        if not self.clock.tracking:
            return command.answer(NOT_TRACKING)
        session_id = self.idle_session = self.clock.session_id  # the server's state may still say "tracking" for a moment
        self.clock.stop(now)
        self.queue.add_event(event_body("local_clockout", now), not_before=now, session_id=session_id)
        self.out.say("Tracking stopped (clocked out here).")
        command.answer(f"Clocked out at {now.astimezone():%H:%M}.")

    def _delete(self, command: Command, now: datetime) -> None:
        """Before upload the slot never leaves the device; after it, the caller asks the server."""
        session_id, start = int(command.args["session_id"]), command.args["slot_start"]
        slot = self.clock.slot
        if slot is not None and (slot.session_id, slot.start) == (session_id, start):
            self.clock.discard()
            gone = True
        else:
            with self.uploader.sending:  # an upload in flight finishes first: then we know where the slot is
                gone = self.queue.drop(session_id, start)
        if self.last_shot and (self.last_shot.session_id, self.last_shot.slot_start) == (session_id, start):
            self.last_shot = None
        if gone:
            return command.answer("Deleted on this computer: that slot and its screenshot are never sent.", "local")
        command.answer("Already uploaded.", "uploaded")

    def _shot_taken(self, slot: OpenSlot, image: bytes) -> None:
        assert slot.shot_at
        self.last_shot = LastShot(slot.session_id, slot.start, slot.shot_at, image, slot.private_app)
        if self.on_shot is not None:
            self.on_shot(self.last_shot)

    def _follow(self, state: ServerState, now: datetime) -> None:
        """Start, stop or adjust tracking as the server says."""
        self.state, self.uploader.slot_seconds = state, state.slot_seconds
        if self.unpaired:  # an answer from before the revocation: nothing is recorded any more
            state = replace(state, tracking=False, session_id=None)
        offline.remember_terms(self.home, state)
        if offline.is_local(self.clock.session_id) or self.offline_clockins:
            # A clock-in made offline, not yet answered, rules: the server's state is about to change.
            self._apply_private(now)
            return
        if state.late_slots and not self.resent_late:
            self.resent_late = True
            if again := self.queue.resend_refused_late():
                self.out.say(f"{again} slot(s) refused earlier as too late go to the server again: it now keeps late slots.")
        resume = self._recover(state, now)
        wanted = state.tracking and state.session_id is not None and state.session_id != self.idle_session
        wanted = wanted and not self.cannot_track
        current = self.clock.session_id
        if not state.tracking:
            self.idle_session = None
        state = self._with_local_memo(state)
        if wanted and current == state.session_id:
            self.clock.update(state)
        elif wanted:
            self.clock.stop(now)
            self.clock.start(state, now, resume)
            self.out.say(f"Tracking {state.contract or 'time'}{' — ' + state.memo if state.memo else ''}")
        elif current is not None:
            self.clock.stop(now)
            self.out.say("Tracking stopped.")
        if self.private_wanted == state.private:
            self.private_wanted = None  # the server has it: from now on its switch (/private in chat) rules
        self._apply_private(now)

    def _with_local_memo(self, state: ServerState) -> ServerState:
        """A memo set in the window holds until the server's memo changes again (/memo in chat)."""
        if self.memo_override is None:
            return state
        text, server_memo = self.memo_override
        if state.memo != server_memo or not state.tracking:
            self.memo_override = None
            return state
        return replace(state, memo=text)

    def _recover(self, state: ServerState, now: datetime) -> OpenSlot | None:
        """Slots a crash left open: the current one is taken up again, the others are queued."""
        resume = None
        for slot in self.leftovers or []:
            if state.tracking and slot.session_id == state.session_id and slot.start == slot_floor(now, slot.seconds):
                resume = slot
            else:
                self.queue.finish(slot, not_before=now)
        self.leftovers = []
        return resume

    def _screenshot(self, mode: Screenshots) -> bytes | None:
        """A failed capture (no display, a permission refused) costs the slot its picture, never the slot."""
        try:
            return take_screenshot(mode)
        except Exception as exc:  # noqa: BLE001
            self.problem = f"screenshot failed: {exc}"
            return None

    def _went_idle(self) -> None:
        terms = self.clock.state or self.state
        assert terms
        self.idle_session = terms.session_id
        self.out.say(
            f"No input for {terms.idle_minutes} minutes: tracking stopped (idle) and the server is told. "
            "Clock in again with /clockin or `tally-agent start`."
        )

    def _show(self) -> None:
        terms = self.clock.state or self.state
        snap = Snapshot.of(
            self.clock.slot, terms.contract if terms else "", self.queue.pending(),
            self.problem or self.uploader.problem, private=self.private,
        )  # fmt: skip
        text = render(snap)
        if text != self.out.last:
            self.home.save_status({"pid": os.getpid(), "server": self.pairing.server, **asdict(snap),
                                   "cannot_track": self.cannot_track})
        self.out.show(text)
        self.view = self._view(snap)
        if self.on_view is not None:
            self.on_view(self.view)

    def _view(self, snap: Snapshot) -> TrackerView:
        state, shot, held = self.state, self.last_shot, self.queue.held_count()
        tracked = self.clock.state if self.clock.tracking else None
        return TrackerView(
            tracking=self.clock.tracking, contract=tracked.contract if tracked else "",
            private=self.private,
            memo=(self.clock.slot.memo if self.clock.slot else None) or "",
            active_minutes=snap.active_minutes, keys=snap.keys, mouse=snap.mouse,
            week=state.week if state else None, queued=snap.queued, online=self.online and not self.uploader.problem,
            problem=snap.problem, diary_url=state.diary_url if state else None,
            contracts=state.contracts if state else (), shot=shot,
            shot_here=bool(shot) and self.queue.holds(shot.session_id, shot.slot_start),
            private_apps=self.clock.private_apps, held=held, cannot_track=self.cannot_track,
            notice=self.notice or (f"{held} slot(s) of a clock-in the server refused are kept on this computer and "
                                   "never sent; you may delete them here." if held else ""),
            events_waiting=self.queue.pending_events(),
            webcam=state.webcam.value if state else "off", webcam_consent=webcam.consented(self.home.path),
            webcam_note=self.webcam_note,
        )  # fmt: skip

    def _shutdown(self, now: datetime) -> None:
        """Quitting while tracking clocks out, as a tracker's Quit does: the partial slot, then the clock-out."""
        tracking, session_id = self.clock.tracking, self.clock.session_id
        self.clock.stop(now)
        if tracking:
            self.queue.add_event(event_body("local_clockout", now), not_before=now, session_id=session_id)
            self.out.say(f"Clocked out at {now.astimezone():%H:%M}; /clockin or `tally-agent start` starts again.")
        self.uploader.stop()
        self.uploader.flush(seconds=3)
        self.counter.stop()
        left = self.queue.pending()
        self.home.save_status({"pid": None, "server": self.pairing.server, **asdict(Snapshot(False, queued=left))})
        self.out.say(f"Stopped. {left} item(s) wait in the queue and go with the next run." if left else "Stopped.")
        self.queue.close()


class Terminated(Exception):
    """SIGTERM, turned into an exception in the main thread like Ctrl-C's KeyboardInterrupt."""


def _terminate(_signum: int, _frame: object) -> None:
    raise Terminated


def run_agent(agent: Agent) -> bool:
    """Run until Ctrl-C or SIGTERM; the partial slot is queued (and tried once) before exit.

    False when the loop died of an error (its traceback is printed; the queue is intact).
    """
    signal.signal(signal.SIGTERM, _terminate)
    failed: list[BaseException] = []
    done = threading.Event()
    loop = threading.Thread(target=_guarded, args=(agent.loop, failed, done), name="slot-clock")
    with _signals_only_to_this_thread():
        loop.start()
    try:
        done.wait()  # not loop.join(): a join cut short by a signal can leave the thread looking finished
    except (KeyboardInterrupt, Terminated):
        agent.inbox.put(STOP)
        done.wait()
    loop.join()
    return not failed


@contextmanager
def _signals_only_to_this_thread() -> Iterator[None]:
    """Threads started inside inherit a mask without SIGINT/SIGTERM, and so do the threads they start.

    Linux hands a signal to any thread that does not block it; one that lands elsewhere would not
    wake the main thread's wait, and Ctrl-C would do nothing.
    """
    if not hasattr(signal, "pthread_sigmask"):  # Windows: signals go to the main thread anyway
        yield
        return
    stops = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, stops)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, stops)


def _guarded(body: Callable[[], None], failed: list[BaseException], done: threading.Event) -> None:
    try:
        body()
    except BaseException as exc:
        failed.append(exc)
        raise
    finally:
        done.set()
