"""Choosing the input counter for this computer."""

import os
import sys
from typing import Protocol


class InputCounter(Protocol):
    """Running totals since start(); the slot clock turns their differences into minutes."""

    keys: int
    mouse: int

    def start(self) -> None: ...

    def stop(self) -> None: ...


def open_input(choice: str | None = None) -> InputCounter:
    """The X11 RECORD counter where there is an X display, pynput elsewhere.

    TALLY_AGENT_INPUT=pynput|x11 overrides the choice (pynput is the fallback when libXtst is missing).
    """
    choice = choice or os.environ.get("TALLY_AGENT_INPUT") or _default()
    if choice == "x11":
        from agent.input_x11 import X11InputCounter

        return X11InputCounter()
    from agent.input_pynput import PynputInputCounter

    return PynputInputCounter()


def _default() -> str:
    if sys.platform.startswith(("linux", "freebsd", "openbsd")) and os.environ.get("DISPLAY"):
        try:
            import ctypes

            ctypes.CDLL("libXtst.so.6")
            return "x11"
        except OSError:
            pass
    return "pynput"
