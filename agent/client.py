"""The HTTP client for the agent API: the only module that talks to the server.

The API's paths and bodies are names both sides rely on
(docs/architecture.md#names-other-programs-rely-on).

It uses the standard library's http.client rather than a third-party client: the agent runs all
day on someone else's computer, and every megabyte it holds counts.
"""

import functools
import http.client
import json
import secrets
import ssl
from typing import Any
from urllib.parse import quote, urlsplit

from agent.wire import ServerState, event_body, instant, pair_body

API = "/api/v1/agent"


class Unreachable(Exception):
    """No answer from the server (network down, refused, timed out): worth trying again later."""


class BucketRefused(Exception):
    """The bucket refused a direct upload (expired, or the store's own rules): send it the old way."""


class ApiError(Exception):
    """The server answered with an error status and its JSON {error, detail}."""

    def __init__(self, status: int, error: str, detail: str) -> None:
        super().__init__(f"{status} {error}: {detail}")
        self.status, self.error, self.detail = status, error, detail

    @property
    def retryable(self) -> bool:
        """5xx, timeouts and rate limits pass; 401/403 are about the device, not the data sent (the
        uploader stops altogether on a 401: the token no longer works, retrying cannot help)."""
        return self.status >= 500 or self.status in (401, 403, 408, 429)


class ApiClient:
    def __init__(self, server: str, token: str | None = None, timeout: float = 30.0) -> None:
        url = urlsplit(server.rstrip("/"))
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ValueError(f"not an http(s) server URL: {server!r}")
        self.server, self._url, self._token, self._timeout = server.rstrip("/"), url, token, timeout

    def pair(self, code: str, device_name: str, os_name: str, version: str) -> dict[str, Any]:
        return self._json("POST", "/pair", pair_body(code, device_name, os_name, version))

    def state(self, wait: float = 0) -> ServerState:
        body = self._call("GET", f"/state?wait={wait:g}", None, None, self._timeout + wait)
        return ServerState.from_json(body)

    def post_slot(self, meta: str, screenshot: bytes | None, thumbnail: bytes | None = None,
                  webcam: bytes | None = None) -> dict[str, Any]:
        """`meta` is the SlotReport JSON exactly as it was queued; the screenshot travels beside it,
        with its thumbnail (servers from before thumbnails were sent ignore that part) and, on
        contracts with webcam=on, the camera frame."""
        boundary = secrets.token_hex(16)
        body = multipart(boundary, meta, screenshot, thumbnail, webcam)
        return self._call("POST", "/slots", body, f"multipart/form-data; boundary={boundary}", self._timeout)

    def post_event(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._json("POST", "/events", body)

    def request_uploads(self, body: dict[str, Any]) -> dict[str, Any]:
        """Presigned targets for a slot's images (direct uploads); ApiError 404 where they are off."""
        return self._json("POST", "/uploads", body)

    def put_object(self, url: str, headers: dict[str, str], data: bytes) -> None:
        """PUTs one image to the bucket at a presigned URL; BucketRefused if the store says no."""
        target = urlsplit(url)
        if target.scheme not in ("http", "https") or not target.hostname:
            raise BucketRefused(f"not an http(s) upload URL: {url[:80]!r}")
        conn = _connection(target.scheme, target.hostname, target.port, self._timeout)
        try:
            conn.request("PUT", f"{target.path}?{target.query}", body=data, headers=headers)
            response = conn.getresponse()
            status, answer = response.status, response.read()
        except (OSError, http.client.HTTPException) as exc:
            raise Unreachable(f"{target.netloc}: {exc or type(exc).__name__}") from exc
        finally:
            conn.close()
        if not 200 <= status < 300:
            raise BucketRefused(f"the bucket answered {status}: {answer[:200].decode('utf-8', 'replace')}")

    def delete_slot(self, start: Any, session_id: int) -> dict[str, Any]:
        """The freelancer's own uploaded slot, deleted until the week's edit deadline."""
        path = f"/slots/{quote(instant(start))}?session_id={session_id}"
        return self._call("DELETE", path, None, None, self._timeout)

    def unpair(self) -> dict[str, Any]:
        """Revokes this device's own token on the server."""
        return self._call("DELETE", "/device", None, None, self._timeout)

    def event(self, kind: str, at: Any, memo: str | None = None) -> dict[str, Any]:
        return self.post_event(event_body(kind, at, memo))

    def _json(self, method: str, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        return self._call(method, path, json.dumps(payload).encode(), "application/json", self._timeout)

    def _call(self, method: str, path: str, body: bytes | None, ctype: str | None, timeout: float) -> Any:
        conn = self._connect(timeout)
        try:
            conn.request(method, self._url.path + API + path, body=body, headers=self._headers(ctype))
            response = conn.getresponse()
            status, data = response.status, response.read()
        except (OSError, http.client.HTTPException) as exc:
            raise Unreachable(f"{self._url.netloc}: {exc or type(exc).__name__}") from exc
        finally:
            conn.close()
        if 200 <= status < 300:
            return json.loads(data) if data else {}
        raise api_error(status, data)

    def _headers(self, ctype: str | None) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if ctype:
            headers["Content-Type"] = ctype
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        return headers

    def _connect(self, timeout: float) -> http.client.HTTPConnection:
        return _connection(self._url.scheme, self._url.hostname or "", self._url.port, timeout)


def _connection(scheme: str, host: str, port: int | None, timeout: float) -> http.client.HTTPConnection:
    if scheme == "https":
        return http.client.HTTPSConnection(host, port, timeout=timeout, context=tls_context())
    return http.client.HTTPConnection(host, port, timeout=timeout)


def api_error(status: int, data: bytes) -> ApiError:
    """The server's {error, detail}; a proxy's HTML error page still gives a readable reason."""
    try:
        body = json.loads(data)
        return ApiError(status, str(body.get("error", "error")), str(body.get("detail", "")))
    except (ValueError, AttributeError):
        return ApiError(status, "http_error", data[:200].decode("utf-8", "replace"))


def multipart(boundary: str, meta: str, screenshot: bytes | None, thumbnail: bytes | None = None,
              webcam: bytes | None = None) -> bytes:
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="meta"\r\n'
        f"Content-Type: application/json\r\n\r\n".encode()
        + meta.encode()
        + b"\r\n"
    ]
    if screenshot is not None:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="screenshot"; filename="screenshot.jpg"\r\n'
            f"Content-Type: image/jpeg\r\n\r\n".encode()
            + screenshot
            + b"\r\n"
        )
    if thumbnail is not None:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="thumbnail"; filename="thumbnail.webp"\r\n'
            f"Content-Type: image/webp\r\n\r\n".encode()
            + thumbnail
            + b"\r\n"
        )
    if webcam is not None:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="webcam"; filename="webcam.jpg"\r\n'
            f"Content-Type: image/jpeg\r\n\r\n".encode()
            + webcam
            + b"\r\n"
        )
    return b"".join(parts) + f"--{boundary}--\r\n".encode()


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The system's trust store, plus certifi's when it is installed (Python on macOS has no other)."""
    context = ssl.create_default_context()
    try:
        import certifi

        context.load_verify_locations(certifi.where())
    except ImportError:
        pass
    return context
