"""The tracker window's actions, each answered with a sentence for the person.

Changes to tracking go to the agent's loop as commands; the few that need the server (clocking
in, deleting a slot already uploaded) are sent from here, on the window's own thread.
"""

from collections.abc import Callable
from datetime import UTC, datetime

from agent.client import ApiClient, ApiError, Unreachable
from agent.wire import event_body


def utc_now() -> datetime:
    return datetime.now(UTC)


class Actions:
    def __init__(self, agent, client: ApiClient, now: Callable[[], datetime] = utc_now) -> None:
        self.agent, self.client, self.now = agent, client, now

    def __call__(self, name: str, form: dict[str, str]) -> str:
        handler = {"clockin": self.clock_in, "clockout": self.clock_out, "memo": self.memo,
                   "delete": self.delete, "private": self.private, "apps": self.apps, "held": self.delete_held,
                   "webcam": self.webcam}.get(name)
        return handler(form) if handler else "That is not something the tracker window does."

    def shot(self) -> bytes | None:
        last = self.agent.last_shot
        return last.image if last else None

    def clock_in(self, form: dict[str, str]) -> str:
        """Asks the server at once; offline (or with events still queued, which must reach it first)
        the agent clocks in on this computer and the clock-in follows them (docs/rules.md#offline-clock-in)."""
        contract = form.get("contract_id", "")
        contract_id, memo = int(contract) if contract.isdigit() else None, form.get("memo") or None
        view = self.agent.view
        if view.online and not view.events_waiting:
            body = event_body("local_clockin", self.now(), memo, contract_id=contract_id)
            try:
                return self.client.post_event(body).get("message") or "Clocked in."
            except ApiError as exc:
                if exc.status < 500:  # the server's refusal is a sentence meant for people
                    return exc.detail
            except Unreachable:
                pass
        return self.agent.command("clockin", contract_id=contract_id, memo=memo).reply

    def delete_held(self, _form: dict[str, str]) -> str:
        return self.agent.command("delete_held").reply

    def clock_out(self, _form: dict[str, str]) -> str:
        return self.agent.command("clockout").reply

    def memo(self, form: dict[str, str]) -> str:
        return self.agent.command("memo", text=form.get("text", "")).reply

    def apps(self, form: dict[str, str]) -> str:
        return self.agent.command("apps", text=form.get("patterns", "")).reply

    def webcam(self, form: dict[str, str]) -> str:
        consent = form.get("consent", "")
        if consent not in ("give", "withdraw"):
            return "Webcam consent is given or withdrawn."
        return self.agent.command("webcam", on=consent == "give").reply

    def private(self, form: dict[str, str]) -> str:
        switch = form.get("switch", "")
        if switch not in ("on", "off"):
            return "Private mode is switched on or off."
        return self.agent.command("private", on=switch == "on").reply

    def delete(self, form: dict[str, str]) -> str:
        try:
            session_id, start = int(form["session_id"]), datetime.fromisoformat(form["slot_start"])
        except (KeyError, ValueError):
            return "That is not a slot of this tracker."
        if start.tzinfo is None:
            return "That is not a slot of this tracker."
        done = self.agent.command("delete", session_id=session_id, slot_start=start)
        if done.outcome != "uploaded":
            return done.reply
        return self._ask_server(lambda: self.client.delete_slot(start, session_id).get("message") or "Deleted.")

    def _ask_server(self, call: Callable[[], str]) -> str:
        try:
            return call()
        except ApiError as exc:  # the server's refusal is a sentence meant for people
            return exc.detail if exc.status < 500 else f"The server did not take it: {exc}"
        except Unreachable as exc:
            return f"The server cannot be reached ({exc}); try again when you are online."
