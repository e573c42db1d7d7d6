"""The active window's app name and title, read only when the contract opts in.

One function per platform behind active_window(). X11 (EWMH) is tested under Xvfb; the macOS
(AppKit + Quartz, which pynput already pulls in there) and Windows (user32 via ctypes) versions
are written to their documented APIs but have not been run by our tests.
"""

import ctypes
import os
import sys
import threading

from agent.wire import WindowInfo


def active_window() -> WindowInfo | None:
    """None when there is no active window or it cannot be read: a slot never fails over it."""
    reader = {"darwin": _macos, "win32": _windows}.get(sys.platform, _x11)
    try:
        return reader()
    except Exception:  # noqa: BLE001 - a missing permission, a window closing mid-read, an odd window manager
        return None


class _X11:
    """One connection to the X server, kept between reads: under window=on the window is read once
    a minute, and opening a connection (authentication, the server's setup) cost more than the read."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.screen = None

    def read(self) -> WindowInfo | None:
        with self.lock:
            try:
                return self._read()
            except Exception:
                self.close()  # the server went away or the connection broke: the next read opens a new one
                raise

    def _read(self) -> WindowInfo | None:
        from Xlib import X, display

        if self.screen is None:
            self.screen = display.Display()
        screen = self.screen
        active = screen.screen().root.get_full_property(screen.intern_atom("_NET_ACTIVE_WINDOW"), X.AnyPropertyType)
        if not active or not active.value or not active.value[0]:
            return None
        window = screen.create_resource_object("window", active.value[0])
        # Any type: most set _NET_WM_NAME as UTF8_STRING, some (xdotool among them) as STRING.
        name = window.get_full_property(screen.intern_atom("_NET_WM_NAME"), X.AnyPropertyType)
        title = _text(name.value) if name and name.value else _text(window.get_wm_name() or "")
        wm_class = window.get_wm_class()
        return WindowInfo(app=wm_class[1] if wm_class else "", title=title)

    def close(self) -> None:
        if self.screen is not None:
            try:
                self.screen.close()
            except Exception:  # noqa: BLE001 - already broken: nothing left to close
                pass
            self.screen = None


_x11_connection = _X11()


def _x11() -> WindowInfo | None:
    return _x11_connection.read()


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _macos() -> WindowInfo | None:  # untested: no macOS in CI
    import Quartz
    from AppKit import NSWorkspace

    app = NSWorkspace.sharedWorkspace().frontmostApplication()
    if app is None:
        return None
    pid, title = app.processIdentifier(), ""
    options = Quartz.kCGWindowListOptionOnScreenOnly | Quartz.kCGWindowListExcludeDesktopElements
    for info in Quartz.CGWindowListCopyWindowInfo(options, Quartz.kCGNullWindowID) or []:
        if info.get("kCGWindowOwnerPID") == pid and info.get("kCGWindowLayer") == 0:
            title = str(info.get("kCGWindowName") or "")  # empty without the screen-recording permission
            break
    return WindowInfo(app=str(app.localizedName() or ""), title=title)


def _windows() -> WindowInfo | None:  # untested: no Windows in CI
    user32 = ctypes.windll.user32  # type: ignore[attr-defined]
    hwnd = user32.GetForegroundWindow()
    if not hwnd:
        return None
    length = user32.GetWindowTextLengthW(hwnd)
    title = ctypes.create_unicode_buffer(length + 1)
    user32.GetWindowTextW(hwnd, title, length + 1)
    pid = ctypes.c_ulong()
    user32.GetWindowThreadProcessId(hwnd, ctypes.byref(pid))
    return WindowInfo(app=_windows_process_name(pid.value), title=title.value)


def _windows_process_name(pid: int) -> str:
    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return ""
    try:
        path, size = ctypes.create_unicode_buffer(1024), ctypes.c_ulong(1024)
        ok = kernel32.QueryFullProcessImageNameW(handle, 0, path, ctypes.byref(size))
        return os.path.basename(path.value) if ok else ""
    finally:
        kernel32.CloseHandle(handle)
