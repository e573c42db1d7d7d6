"""The device behind `Authorization: Bearer <token>`; 401 for a missing, unknown or revoked token."""

from datetime import datetime

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from bot.api.clock import request_now
from bot.api.errors import ApiProblem, refused
from bot.services import devices
from bot.services.context import Context
from storage.tables import Device

# auto_error=False: a missing header is answered by us, as JSON {error, detail}, not by FastAPI.
bearer = HTTPBearer(auto_error=False, scheme_name="DeviceToken", description="The token `tally-agent pair` received.")
NO_TOKEN = "Send the device token as `Authorization: Bearer <token>`; pair with `tally-agent pair CODE`."
BAD_TOKEN = devices.UNKNOWN_TOKEN.message


def unauthorized(detail: str) -> ApiProblem:
    return ApiProblem(401, detail, headers={"WWW-Authenticate": "Bearer"})


def token_of(request: Request) -> str:
    """The bearer token of a request, read by hand as HTTPBearer would: for the upload route, where
    FastAPI's dependency machinery cost more than the rest of the HTTP handling of a request."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized(NO_TOKEN)
    return token.strip()


async def presented_token(credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> str:
    """The bearer token as sent, not yet checked; 401 when there is none. (Async: no worker thread.)"""
    if credentials is None:
        raise unauthorized(NO_TOKEN)
    return credentials.credentials


def device_for(ctx: Context, token: str, now: datetime, *, recorded_at: datetime | None = None) -> Device:
    """The token's device; a revoked one only to deliver what it recorded before (`recorded_at`)."""
    device = devices.authenticate(ctx, token, now=now)
    if device is None:
        raise unauthorized(BAD_TOKEN)
    if devices.revoked_for(device, recorded_at):
        raise refused(devices.REVOKED)
    return device


def authenticated_device(request: Request, token: str = Depends(presented_token),
                         now: datetime = Depends(request_now)) -> Device:
    return device_for(request.app.state.ctx, token, now)
