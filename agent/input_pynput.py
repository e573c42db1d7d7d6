"""Input counting with pynput: the counter for macOS and Windows, and for X11 without libXtst.

The callbacks only add one to an integer. pynput calls each of them from its own listener
thread, so every counter has a single writer and needs no lock; the slot clock only reads.
"""

import threading


class PynputInputCounter:
    """Totals of key presses and mouse events (clicks, scrolls, moves) since start()."""

    def __init__(self) -> None:
        from pynput import keyboard, mouse  # fails here, not later in a thread, where there is no display

        self.keys = 0
        self.mouse = 0
        self._modules = keyboard, mouse

    def start(self) -> None:
        keyboard, mouse = self._modules
        self._keyboard = keyboard.Listener(on_press=self._key)
        self._mouse = mouse.Listener(on_move=self._move, on_click=self._click, on_scroll=self._move)
        for listener in (self._keyboard, self._mouse):
            listener.start()
            listener.wait()

    def stop(self) -> None:
        # On X11, pynput's stop() waits for one more input event; its threads are daemons, so
        # asking them to stop without waiting never holds up the agent's exit.
        threading.Thread(target=self._keyboard.stop, daemon=True).start()
        threading.Thread(target=self._mouse.stop, daemon=True).start()

    # The arguments (which key, where the pointer is) are dropped unread.
    def _key(self, *_: object) -> None:
        self.keys += 1

    def _move(self, *_: object) -> None:
        self.mouse += 1

    def _click(self, _x: object, _y: object, _button: object, pressed: bool, *_: object) -> None:
        if pressed:
            self.mouse += 1
