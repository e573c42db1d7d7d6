"""What a button acts on, written into the button as one short string and read back from it.

A button carries an action (approve_week, accept_dispute, ...) and a value naming the record it
acts on: "12:2026-W47" for contract 12's week 2026-W47, "7" for dispute or manual entry 7. This
module is the only place that writes or reads that value; every platform stores it as it is
(Slack's action value, Discord's custom_id, the outbox payload) and hands it back here.
"""

import re
from dataclasses import dataclass
from enum import StrEnum


class ButtonAction(StrEnum):
    APPROVE_WEEK = "approve_week"
    DISPUTE_WEEK = "dispute_week"
    OPEN_DIARY = "open_diary"
    ACCEPT_DISPUTE = "accept_dispute"
    ANSWER_DISPUTE = "answer_dispute"
    WITHDRAW_DISPUTE = "withdraw_dispute"
    CONFIRM_DISPUTE = "confirm_dispute"
    APPROVE_MANUAL = "approve_manual"
    DECLINE_MANUAL = "decline_manual"
    APPROVE_LATE = "approve_late"
    DECLINE_LATE = "decline_late"
    CLOCK_IN = "home_clock_in"  # Slack's App Home: clock in on the contract named
    CLOCK_OUT = "home_clock_out"  # names nothing (number 0)
    REVOKE_DEVICE = "revoke_device"  # /devices: the device named
    UNDO_PAID = "undo_paid"  # /paid: the paid mark named


WEEK_ACTIONS = frozenset({ButtonAction.APPROVE_WEEK, ButtonAction.DISPUTE_WEEK, ButtonAction.OPEN_DIARY})
CONTRACT_ACTIONS = WEEK_ACTIONS | {ButtonAction.CLOCK_IN, ButtonAction.CLOCK_OUT}
DISPUTE_ACTIONS = frozenset({ButtonAction.ACCEPT_DISPUTE, ButtonAction.ANSWER_DISPUTE,
                             ButtonAction.WITHDRAW_DISPUTE, ButtonAction.CONFIRM_DISPUTE})
LATE_ACTIONS = frozenset({ButtonAction.APPROVE_LATE, ButtonAction.DECLINE_LATE})
WEEK_LABEL = re.compile(r"\d{4}-W\d{2}")


@dataclass(frozen=True)
class ButtonRef:
    """A button's action and the record it names: a contract (and week), a dispute or a manual entry."""

    action: ButtonAction
    number: int  # the contract for week buttons, else the dispute, the manual entry, the device or the paid mark
    week: str = ""  # "2026-W47" for week buttons; empty: the current week

    @property
    def names(self) -> str:
        """What kind of record `number` is: contract, dispute, manual, late, device or paid (mark)."""
        if self.action in CONTRACT_ACTIONS:
            return "contract"
        if self.action is ButtonAction.REVOKE_DEVICE:
            return "device"
        if self.action in LATE_ACTIONS:
            return "late"
        if self.action is ButtonAction.UNDO_PAID:
            return "paid"
        return "dispute" if self.action in DISPUTE_ACTIONS else "manual"

    def encode(self) -> str:
        return f"{self.number}:{self.week}" if self.week else str(self.number)

    @classmethod
    def decode(cls, action: str, value: str) -> "ButtonRef | None":
        """The reference a button carries; None for an unknown action or a damaged value."""
        try:
            known = ButtonAction(action)
        except ValueError:
            return None
        number, _, week = (value or "").partition(":")
        if not number.isdigit() or (week and (known not in WEEK_ACTIONS or not WEEK_LABEL.fullmatch(week))):
            return None
        return cls(known, int(number), week)
