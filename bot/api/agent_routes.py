"""The agent API: pairing, long-polled state, slot uploads and desktop events
(docs/architecture.md#names-other-programs-rely-on).

Routes translate HTTP to service calls and refusals to status codes; the rules live in services.
"""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from bot import metrics
from bot.api.auth import BAD_TOKEN, authenticated_device, bearer, device_for, presented_token, token_of, unauthorized
from bot.api.clock import app_now, request_now
from bot.api.errors import ApiProblem, error_responses, refused
from bot.api.uploads import SLOT_BODY, read_upload
from bot.services import agent_events, devices, direct, edits, images, ingest, webcam
from bot.services.context import Context
from bot.services.watching import state_mark
from diary.protocol import (
    AgentEvent,
    MAX_ID,
    AgentState,
    EventResult,
    PairRequest,
    PairResponse,
    SlotAccepted,
    UploadRequest,
    UploadTargets,
)
from diary.refusal import Refusal
from storage.tables import Device

MAX_WAIT = 120  # seconds; agents ask for less than common proxy timeouts (60 s)

router = APIRouter(prefix="/api/v1/agent", tags=["agent"])
Authenticated = Annotated[Device, Depends(authenticated_device)]
Now = Annotated[datetime, Depends(request_now)]


def _ctx(request: Request) -> Context:
    return request.app.state.ctx


@router.post("/pair", status_code=201, response_model=PairResponse, responses=error_responses(400, 404, 422, 429))
def pair(request: Request, body: PairRequest, response: Response, now: Now) -> PairResponse:
    """Trades a one-time code from /connect for a device token (shown once, stored only as a hash)."""
    limiter, address = request.app.state.pair_limiter, request.client.host if request.client else "unknown"
    wait = limiter.retry_after(address, now=now)
    if wait is not None:
        raise ApiProblem(429, f"Too many failed pairing attempts from your address; try again in {wait} s.",
                         headers={"Retry-After": str(wait)})
    result = devices.pair(_ctx(request), body, now=now)
    if isinstance(result, Refusal):
        limiter.failed(address, now=now)
        raise refused(result)
    response.headers["Cache-Control"] = "no-store"
    return result


@router.get("/state", response_model=AgentState, responses=error_responses(401, 422))
async def state(
    request: Request, device: Authenticated,
    wait: Annotated[float, Query(ge=0, le=MAX_WAIT, description="Seconds to wait for a change before answering.")] = 0,
) -> AgentState:
    """What the agent should be doing; with `wait`, answers as soon as that changes (or after `wait` s)."""
    ctx = _ctx(request)
    if wait == 0:
        return await run_in_threadpool(devices.state, ctx, device, now=app_now(request.app))
    async with request.app.state.notifier.listening(device.member_id) as waiter:
        current = await run_in_threadpool(devices.state, ctx, device, now=app_now(request.app))
        waiter.mark = state_mark(current)
        if await waiter.wait(wait):
            return await run_in_threadpool(devices.state, ctx, device, now=app_now(request.app))
    return current.model_copy(update={"server_time": app_now(request.app)})


ACCEPTED = {200: {"model": SlotAccepted, "description": "The same slot again: nothing new was stored."},
            201: {"description": "The slot was recorded."}}


# No dependencies on the busiest route: the token and the time are read by hand (see token_of),
# and OpenAPI is told of the token here.
@router.post("/slots", status_code=201, response_model=SlotAccepted,
             openapi_extra={"requestBody": SLOT_BODY, "security": [{bearer.scheme_name: []}]},
             responses={**ACCEPTED, **error_responses(400, 401, 404, 409, 413, 422)})
async def slots(request: Request) -> JSONResponse:
    """Records one slot: `meta` (SlotReport JSON), an optional `screenshot` and its optional
    `thumbnail`. Idempotent per slot start."""
    with metrics.timed_ingest():
        try:
            answer = await _record_slot(request)
        except ApiProblem as problem:
            metrics.SLOTS_REFUSED.labels(problem.error).inc()
            raise
    metrics.SLOTS_INGESTED.labels("new" if answer.status_code == 201 else "repeated").inc()
    return answer


async def _record_slot(request: Request) -> JSONResponse:
    token, now = token_of(request), app_now(request.app)
    await _known_token(request, token, now)  # before the body is read: an unknown token costs no image work
    upload = await read_upload(request)
    image = await _image_of(request, upload)
    if isinstance(image, Refusal):
        raise refused(image)
    # The token is checked, and the slot recorded, in one transaction with the uploads arriving beside it.
    result = await request.app.state.slot_writer.submit(ingest.Upload(upload.report, image, now, token=token))
    if isinstance(result, Refusal):
        raise refused(result)
    await _webcam_frame(request, upload, token, result.id, now)
    return JSONResponse(result.model_dump(mode="json"), status_code=200 if result.duplicate else 201)


async def _known_token(request: Request, token: str, now: datetime) -> None:
    """401 for a token no device has; the group's transaction checks it again (see known_tokens)."""
    known = request.app.state.known_tokens
    if token in known:
        return
    if await run_in_threadpool(devices.authenticate, _ctx(request), token, now=now) is None:
        raise unauthorized(BAD_TOKEN)
    known.add(token)


async def _image_of(request: Request, upload) -> images.Image | Refusal | None:
    if upload.report.objects:
        if upload.screenshot is not None:
            raise ApiProblem(400, "Send the screenshot either in the multipart or named in `objects`, not both.")
        # Already in the bucket: checked by its stored size and checksum (HEADs, no download),
        # outside the group's transaction, so the writer never waits on the store.
        return await run_in_threadpool(direct.stored_image, _ctx(request).blobs, upload.report)
    if upload.screenshot is None:
        return None
    # The image is checked in a worker thread while the writer records earlier uploads: its header
    # and the agent's small thumbnail, or (an agent that sends none) one bounded decode that makes it.
    return await run_in_threadpool(images.inspect, upload.screenshot, upload.thumbnail)


async def _webcam_frame(request: Request, upload, token: str, slot_id: int, now: datetime) -> None:
    """The slot's camera frame, kept once its slot is: a frame the rule does not allow is dropped,
    and a bad frame never costs the slot (docs/rules.md#webcam)."""
    ctx = _ctx(request)
    if upload.webcam is not None:
        frame = await run_in_threadpool(images.inspect, upload.webcam)
    elif upload.report.objects and "webcam" in upload.report.objects:
        frame = direct.stored_webcam(upload.report)
    else:
        return
    if isinstance(frame, Refusal):
        return
    await run_in_threadpool(webcam.store_frame, ctx, devices.digest(token), slot_id, frame, now=now)


@router.post("/uploads", response_model=UploadTargets, responses=error_responses(400, 401, 404, 413, 422))
def uploads(request: Request, body: UploadRequest, device: Authenticated, now: Now) -> UploadTargets:
    """Presigned PUT targets for a slot's screenshot and thumbnail, when the store is S3-compatible
    (404 `direct_off` otherwise: send the images in the slot's multipart). Then post the slot with
    `objects` naming each stored image by key, size and sha256."""
    result = direct.targets(_ctx(request), device.member_id, body, now=now)
    if isinstance(result, Refusal):
        raise refused(result)
    return result


@router.delete("/slots/{slot_start}", response_model=EventResult, responses=error_responses(401, 404, 409, 422))
def delete_slot(
    request: Request, slot_start: datetime, device: Authenticated, now: Now,
    session_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="The session, when two contracts share the start.")] = None,
) -> EventResult:
    """The freelancer deletes an uploaded slot of their own from the tracker window, until the week's
    edit deadline: its screenshot and its time are gone (docs/rules.md#deleting-time)."""
    if slot_start.tzinfo is None:
        raise ApiProblem(422, "Give the slot's start with its UTC offset, e.g. 2026-11-18T10:00:00+00:00.", "invalid")
    result = edits.delete_from_device(_ctx(request), device.member_id, slot_start, session_id=session_id, now=now)
    if isinstance(result, Refusal):
        raise refused(result)
    return EventResult(ok=True, message=result.text)


@router.post("/events", response_model=EventResult, responses=error_responses(400, 401, 404, 409, 422))
def events(request: Request, body: AgentEvent, token: Annotated[str, Depends(presented_token)], now: Now) -> EventResult:
    """Idle stops and clock-ins or clock-outs made on the desktop (a revoked device: those made before)."""
    device = device_for(_ctx(request), token, now, recorded_at=body.at)
    result = agent_events.handle(_ctx(request), device, body, now=now)
    if isinstance(result, Refusal):
        raise refused(result)
    return result


@router.delete("/device", response_model=EventResult, responses=error_responses(401))
def unpair(request: Request, device: Authenticated, now: Now) -> EventResult:
    """`tally-agent unpair`: revokes this device's own token; it records and sends nothing more."""
    devices.revoke(_ctx(request), device.id, now=now)
    return EventResult(ok=True, message=f"Device {device.name!r} is unpaired: its token no longer works here.")
