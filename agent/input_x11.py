"""Input counting on X11 through the RECORD extension, straight from libX11/libXtst with ctypes.

pynput's X11 listener parses every event in Python and wakes its thread once per event: a
60 Hz mouse then costs about 2% of a core just to be counted. Here the X server sends only
key presses, button presses and pointer motion; the thread sleeps until the connection is
readable, waits a moment so a burst arrives together, and counts the whole batch in one wake-up.
Only each event's type byte is read: never the key code, never the pointer position.
"""

import ctypes
import os
import select
import threading
import time

KEY_PRESS, BUTTON_PRESS, MOTION_NOTIFY = 2, 4, 6
FROM_SERVER = 0  # XRecordInterceptData.category of intercepted events
ALL_CLIENTS = 3  # XRecordAllClients


class _Range8(ctypes.Structure):
    _fields_ = [("first", ctypes.c_ubyte), ("last", ctypes.c_ubyte)]


class _Range16(ctypes.Structure):
    _fields_ = [("first", ctypes.c_ushort), ("last", ctypes.c_ushort)]


class _ExtRange(ctypes.Structure):
    _fields_ = [("ext_major", _Range8), ("ext_minor", _Range16)]


class _RecordRange(ctypes.Structure):
    _fields_ = [
        ("core_requests", _Range8),
        ("core_replies", _Range8),
        ("ext_requests", _ExtRange),
        ("ext_replies", _ExtRange),
        ("delivered_events", _Range8),
        ("device_events", _Range8),
        ("errors", _Range8),
        ("client_started", ctypes.c_int),
        ("client_died", ctypes.c_int),
    ]


class _InterceptData(ctypes.Structure):
    _fields_ = [
        ("id_base", ctypes.c_ulong),
        ("server_time", ctypes.c_ulong),
        ("client_seq", ctypes.c_ulong),
        ("category", ctypes.c_int),
        ("client_swapped", ctypes.c_int),
        ("data", ctypes.POINTER(ctypes.c_ubyte)),
        ("data_len", ctypes.c_ulong),
    ]


_Callback = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.POINTER(_InterceptData))


def _libraries() -> tuple[ctypes.CDLL, ctypes.CDLL]:
    x11, xtst = ctypes.CDLL("libX11.so.6"), ctypes.CDLL("libXtst.so.6")
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    for name in ("XCloseDisplay", "XSync", "XConnectionNumber"):
        getattr(x11, name).argtypes = [ctypes.c_void_p] + ([ctypes.c_int] if name == "XSync" else [])
    xtst.XRecordQueryVersion.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int)]
    xtst.XRecordAllocRange.restype = ctypes.POINTER(_RecordRange)
    xtst.XRecordCreateContext.restype = ctypes.c_ulong
    xtst.XRecordCreateContext.argtypes = [
        ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(ctypes.c_ulong), ctypes.c_int,
        ctypes.POINTER(ctypes.POINTER(_RecordRange)), ctypes.c_int,
    ]  # fmt: skip
    xtst.XRecordEnableContextAsync.argtypes = [ctypes.c_void_p, ctypes.c_ulong, _Callback, ctypes.c_void_p]
    xtst.XRecordProcessReplies.argtypes = [ctypes.c_void_p]
    xtst.XRecordDisableContext.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
    xtst.XRecordFreeContext.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
    xtst.XRecordFreeData.argtypes = [ctypes.POINTER(_InterceptData)]
    return x11, xtst


class X11InputCounter:
    """Totals of key presses and mouse events (clicks, scrolls, moves) since start()."""

    def __init__(self, batch_seconds: float = 0.2) -> None:
        self.keys = 0
        self.mouse = 0
        self._batch = batch_seconds
        self._x11, self._xtst = _libraries()
        self._callback = _Callback(self._count)  # kept referenced: X calls it from C
        self._wake_r, self._wake_w = os.pipe()
        self._stopping = False
        self._thread = threading.Thread(target=self._listen, name="x11-input", daemon=True)

    def start(self) -> None:
        self._control, self._data = self._open(), self._open()
        self._context = self._create_context()
        self._thread.start()

    def stop(self) -> None:
        self._stopping = True
        os.write(self._wake_w, b"x")
        self._thread.join(timeout=5)

    def _open(self) -> int:
        display = self._x11.XOpenDisplay(None)
        if not display:
            raise RuntimeError("cannot open the X display (is DISPLAY set?)")
        major, minor = ctypes.c_int(), ctypes.c_int()
        if not self._xtst.XRecordQueryVersion(display, ctypes.byref(major), ctypes.byref(minor)):
            raise RuntimeError("the X server has no RECORD extension")
        return display

    def _create_context(self) -> int:
        ranges = (ctypes.POINTER(_RecordRange) * 3)()
        for i, kind in enumerate((KEY_PRESS, BUTTON_PRESS, MOTION_NOTIFY)):
            ranges[i] = self._xtst.XRecordAllocRange()
            ranges[i].contents.device_events = _Range8(kind, kind)  # no releases: half the traffic
        clients = (ctypes.c_ulong * 1)(ALL_CLIENTS)
        context = self._xtst.XRecordCreateContext(self._control, 0, clients, 1, ranges, 3)
        self._x11.XSync(self._control, 0)
        if not context:
            raise RuntimeError("the X server refused a RECORD context")
        return context

    def _listen(self) -> None:
        self._xtst.XRecordEnableContextAsync(self._data, self._context, self._callback, None)
        fd = self._x11.XConnectionNumber(self._data)
        while not self._stopping:
            select.select([fd, self._wake_r], [], [])
            time.sleep(self._batch)
            self._xtst.XRecordProcessReplies(self._data)
        self._close()

    def _close(self) -> None:
        self._xtst.XRecordDisableContext(self._control, self._context)
        self._xtst.XRecordFreeContext(self._control, self._context)
        self._x11.XSync(self._control, 0)
        self._x11.XCloseDisplay(self._data)
        self._x11.XCloseDisplay(self._control)
        os.close(self._wake_r)
        os.close(self._wake_w)

    def _count(self, _closure: int, data: "ctypes._Pointer[_InterceptData]") -> None:
        datum = data.contents
        if datum.category == FROM_SERVER and datum.data_len:
            if datum.data[0] & 0x7F == KEY_PRESS:
                self.keys += 1
            else:
                self.mouse += 1
        self._xtst.XRecordFreeData(data)
