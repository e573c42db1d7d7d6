"""The tracker window: a page the running agent serves on 127.0.0.1, at a random port.

Only the link the agent hands out (to its tray icon and `tally-agent open`, through a file in the
agent's folder that only this user may read) opens it: the link carries a secret made at start.
Anything else, and any request naming another host (a web page trying DNS rebinding), gets 403.
"""

import hmac
import secrets
import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from agent import tracker_html
from agent.controls import TrackerView

MAX_FORM_BYTES = 64 * 1024
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",  # the secret is in the address: it must not travel in a Referer
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
    "script-src 'unsafe-inline'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}
FORBIDDEN = "This is the Tally tracker window; open it from the tray icon or with `tally-agent open`."

Act = Callable[[str, dict[str, str]], str]


class TrackerPage:
    def __init__(self, view: Callable[[], TrackerView], act: Act, shot: Callable[[], bytes | None]) -> None:
        self.view, self.act, self.shot = view, act, shot
        self.secret = secrets.token_urlsafe(24)
        self.notice = ""  # the answer to the last action, shown once on the next page
        handler = type("Handler", (_Handler,), {"page": self})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.httpd.timeout = None  # handle_request waits for a connection without waking up
        self.port = self.httpd.server_address[1]
        self._closing = False
        self._thread = threading.Thread(target=self._serve, name="tracker-page", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/{self.secret}/"

    def start(self) -> "TrackerPage":
        self._thread.start()
        return self

    def close(self) -> None:
        self._closing = True
        try:  # wakes the blocking accept, which then sees _closing
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        except OSError:
            pass
        self._thread.join(timeout=5)
        self.httpd.server_close()

    def _serve(self) -> None:
        # Not serve_forever(): it wakes twice a second to look for a shutdown; this sleeps until a request.
        while not self._closing:
            self.httpd.handle_request()

    def allowed(self, host: str, path: str) -> str | None:
        """The path under the secret, or None when the request may not see the window."""
        if host not in (f"127.0.0.1:{self.port}", f"localhost:{self.port}"):
            return None
        first, slash, rest = path[1:].partition("/")
        if not slash or not hmac.compare_digest(first.encode(), self.secret.encode()):
            return None
        return rest

    def take_notice(self) -> str:
        notice, self.notice = self.notice, ""
        return notice


class _Handler(BaseHTTPRequestHandler):
    page: TrackerPage
    server_version = "tally-agent"
    sys_version = ""

    def log_message(self, *_: object) -> None:  # the agent's terminal line is not a web log
        pass

    def do_GET(self) -> None:
        rest = self._route()
        if rest is None:
            return
        if rest == "":
            return self._send(200, tracker_html.page(self.page.view(), self.page.take_notice()))
        if rest == "live":
            return self._send(200, tracker_html.live(self.page.view()))
        if rest == "shot.jpg":
            image = self.page.shot()
            return self._send(200, image, "image/jpeg") if image else self._send(404, "No screenshot.")
        self._send(404, "Nothing here.")

    def do_POST(self) -> None:
        rest = self._route()
        if rest is None:
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_FORM_BYTES:
            return self._send(413, "That is too long.")
        origin = self.headers.get("Origin")
        if origin not in (None, "null") and urlsplit(origin).netloc != self.headers.get("Host"):
            return self._send(403, FORBIDDEN)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode("utf-8", "replace")).items()}
        answer = self.page.act(rest, form)
        if "text/plain" in (self.headers.get("Accept") or ""):  # `tally-agent start` / `stop` ask for the sentence
            return self._send(200, answer, "text/plain; charset=utf-8")
        self.page.notice = answer
        self.send_response(303)
        self.send_header("Location", f"/{self.page.secret}/")
        self.send_header("Content-Length", "0")
        self._common_headers()
        self.end_headers()

    def _route(self) -> str | None:
        rest = self.page.allowed(self.headers.get("Host", ""), urlsplit(self.path).path)
        if rest is None:
            self._send(403, FORBIDDEN)
        return rest

    def _send(self, status: int, body: str | bytes, ctype: str = "text/html; charset=utf-8") -> None:
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype if status < 400 else "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self._common_headers()
        self.end_headers()
        self.wfile.write(data)

    def _common_headers(self) -> None:
        for name, value in HEADERS.items():
            self.send_header(name, value)
