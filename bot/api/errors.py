"""Errors of the HTTP API: JSON {error, detail} with the right 4xx, never a 500 for bad input."""

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from diary.protocol import ApiError
from diary.refusal import Refusal
from storage.outage import RETRY_AFTER_SECONDS, DatabaseUnavailable, is_unavailable

log = logging.getLogger("tally.api")

# Refusal.code -> HTTP status. "too_late" keeps its own error name, so an agent can tell a slot
# that can never be accepted (drop it) from one that was malformed (a bug to report).
STATUS_OF = {
    "invalid": 422, "unauthorized": 401, "forbidden": 403, "not_found": 404,
    "conflict": 409, "too_large": 413, "too_late": 422, "revoked": 401,
    "object_missing": 409, "object_mismatch": 409, "direct_off": 404,
}
ERROR_OF_STATUS = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 413: "too_large", 415: "unsupported_media_type", 422: "invalid", 429: "rate_limited",
    503: "database_unavailable",
}
UNAVAILABLE = "Tally's database is unavailable; try again in a minute (an agent keeps its slots and retries)."
DESCRIPTIONS = {
    400: "The body is not parseable JSON or multipart.",
    401: "No device token, or an unknown or revoked one.",
    403: "Not allowed.",
    404: "Nothing of that name.",
    409: "A different slot was already recorded for that start.",
    413: "The upload is too large.",
    422: "Well-formed, but refused by the rules (error `invalid` or `too_late`).",
    429: "Too many attempts from this address; wait Retry-After seconds.",
    503: "The database is unavailable for the moment; wait Retry-After seconds and try again.",
}


class ApiProblem(Exception):
    """Raised inside a route to answer with an error; everything else is answered by the handlers."""

    def __init__(self, status: int, detail: str, error: str | None = None, headers: Mapping[str, str] | None = None):
        super().__init__(detail)
        self.status, self.detail = status, detail
        self.error = error or ERROR_OF_STATUS.get(status, "error")
        self.headers = dict(headers or {})


def status_of(refusal: Refusal) -> int:
    return STATUS_OF.get(refusal.code, 422)


def refused(refusal: Refusal) -> ApiProblem:
    headers = {"WWW-Authenticate": "Bearer"} if refusal.code in ("unauthorized", "revoked") else None
    return ApiProblem(status_of(refusal), refusal.message, refusal.code, headers)


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI `responses` entries of a route's possible errors."""
    return {status: {"model": ApiError, "description": DESCRIPTIONS[status]} for status in statuses}


def problem_response(problem: ApiProblem) -> JSONResponse:
    body = ApiError(error=problem.error, detail=problem.detail).model_dump()
    return JSONResponse(body, status_code=problem.status, headers=problem.headers)


def describe_validation(errors: Iterable[Mapping[str, Any]]) -> str:
    """Pydantic's errors as one line a person can act on: `minutes: List should have at least 10 items`."""
    return "; ".join(_describe(error) for error in errors) or "The request is invalid."


def _describe(error: Mapping[str, Any]) -> str:
    if error.get("type") == "json_invalid":
        return f"the body is not valid JSON ({error.get('ctx', {}).get('error', 'unreadable')})"
    where = ".".join(str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path"))
    message = str(error.get("msg", "invalid"))
    return f"{where}: {message}" if where else message


def validation_status(errors: Iterable[Mapping[str, Any]]) -> int:
    """400 when the body could not even be read as JSON, else 422: it was read, and is wrong."""
    return 400 if any(error.get("type") in ("json_invalid", "json_type") for error in errors) else 422


async def _on_problem(request: Request, problem: ApiProblem) -> JSONResponse:
    return problem_response(problem)


async def _on_validation(request: Request, error: RequestValidationError) -> JSONResponse:
    errors = error.errors()
    return problem_response(ApiProblem(validation_status(errors), describe_validation(errors)))


async def _on_http(request: Request, error: StarletteHTTPException) -> JSONResponse:
    return problem_response(ApiProblem(error.status_code, str(error.detail), headers=getattr(error, "headers", None)))


async def _on_crash(request: Request, error: Exception) -> JSONResponse:
    # Starlette raises the error again after this answer, so the server logs it with its traceback.
    return problem_response(ApiProblem(500, "Something went wrong on the server; it has been logged.", "internal"))


async def _on_unavailable(request: Request, error: Exception) -> Response:
    page = getattr(request.app.state, "unavailable_page", None)
    if page is not None and request.url.path.startswith("/diary/"):
        return page(request)
    return problem_response(ApiProblem(503, UNAVAILABLE, headers={"Retry-After": str(RETRY_AFTER_SECONDS)}))


async def _on_database_error(request: Request, error: Exception) -> JSONResponse:
    """A database error that escaped the services' transactions (see Context.unit)."""
    if is_unavailable(error):
        request.app.state.ctx.outage.failed(error)
        return await _on_unavailable(request, error)
    log.error("a database error answered as 500", exc_info=error)
    return await _on_crash(request, error)


def install(app: FastAPI) -> None:
    app.add_exception_handler(ApiProblem, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(DatabaseUnavailable, _on_unavailable)
    app.add_exception_handler(DBAPIError, _on_database_error)
    app.add_exception_handler(Exception, _on_crash)
