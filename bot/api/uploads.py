"""Reading a slot upload: a multipart body with a `meta` JSON part, an optional `screenshot` and
the screenshot's optional `thumbnail` (a WebP the agent made; older agents send none).

The body is read with a hard size bound before any parsing, so an endless upload costs nothing
but the bytes up to the bound.
"""

from dataclasses import dataclass
from typing import Any

from fastapi import Request
from pydantic import ValidationError
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from bot.api.errors import ApiProblem, describe_validation, validation_status
from bot.services.images import MAX_BYTES, MAX_THUMB_BYTES
from diary.protocol import SlotReport

MAX_META = 64 * 1024
MAX_WEBCAM = 1024 * 1024  # a camera frame, downscaled on the device like a screenshot: far less in practice
MAX_BODY = MAX_BYTES + MAX_THUMB_BYTES + MAX_WEBCAM + MAX_META + 16 * 1024  # multipart headers and boundaries fit in the rest
TOO_LARGE = (f"An upload is at most {MAX_BYTES // 1024 // 1024} MB of screenshot, {MAX_WEBCAM // 1024 // 1024} MB of "
             f"webcam frame and {MAX_META // 1024} KB of meta.")
NOT_MULTIPART = ("Send the slot as multipart/form-data with a `meta` JSON part and an optional `screenshot` file "
                 "(and `thumbnail` and `webcam` files).")



def inlined(schema: Any, defs: dict[str, Any] | None = None) -> Any:
    """A pydantic JSON schema with its `$defs` references written out, to embed anywhere in OpenAPI."""
    defs = schema.get("$defs", {}) if defs is None else defs
    if isinstance(schema, list):
        return [inlined(item, defs) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        return inlined(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
    return {key: inlined(value, defs) for key, value in schema.items() if key != "$defs"}


# The request body as OpenAPI shows it: FastAPI cannot infer it, since the route reads it itself.
SLOT_BODY = {
    "required": True,
    "content": {"multipart/form-data": {
        "schema": {
            "type": "object", "required": ["meta"],
            "properties": {
                "meta": {**inlined(SlotReport.model_json_schema()), "description": "The slot, as a JSON part."},
                "screenshot": {"type": "string", "format": "binary", "description": "WebP, JPEG or PNG, at most 2 MB."},
                "thumbnail": {"type": "string", "format": "binary",
                              "description": "The screenshot's grid thumbnail: a WebP within 360x225, at most 64 KB. "
                                             "Without one (or with a broken one) the server makes it."},
                "webcam": {"type": "string", "format": "binary",
                           "description": "The camera frame taken with the screenshot (contracts with webcam=on, "
                                          "once the freelancer consented): JPEG, at most 1 MB."},
            },
        },
        "encoding": {"meta": {"contentType": "application/json"}},
    }},
}


@dataclass(frozen=True)
class Upload:
    report: SlotReport
    screenshot: bytes | None
    thumbnail: bytes | None = None
    webcam: bytes | None = None  # an older agent sends none


async def read_upload(request: Request) -> Upload:
    form = await _form(request)
    meta = form.get("meta")
    if meta is None:
        raise ApiProblem(400, "The `meta` part is missing: it carries the slot as JSON.")
    report = _report(await _text(meta))
    webcam = await _file(form, "webcam")
    if webcam is not None and len(webcam) > MAX_WEBCAM:
        raise ApiProblem(413, TOO_LARGE)
    return Upload(report, await _file(form, "screenshot"), await _file(form, "thumbnail"), webcam)


async def _file(form, name: str) -> bytes | None:
    part = form.get(name)
    if part is None:
        return None
    if not isinstance(part, UploadFile):
        raise ApiProblem(400, f"The `{name}` part must be a file.")
    return await part.read()


async def _form(request: Request):
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        raise ApiProblem(400, NOT_MULTIPART)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise ApiProblem(413, TOO_LARGE)
    body = await _bounded_body(request)
    try:
        return await MultiPartParser(request.headers, _once(body), max_files=4, max_fields=2, max_part_size=MAX_META).parse()
    except MultiPartException as error:
        raise ApiProblem(400, f"The multipart body is malformed: {error.message}") from error


async def _bounded_body(request: Request) -> bytes:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise ApiProblem(413, TOO_LARGE)
        chunks.append(chunk)
    return b"".join(chunks)


async def _once(body: bytes):
    yield body


async def _text(part: str | UploadFile) -> str:
    if isinstance(part, str):
        return part
    data = await part.read(MAX_META + 1)  # some clients send every part as a file
    if len(data) > MAX_META:
        raise ApiProblem(413, TOO_LARGE)
    return data.decode("utf-8", errors="replace")


def _report(meta: str) -> SlotReport:
    try:
        return SlotReport.model_validate_json(meta)
    except ValidationError as error:
        errors = error.errors()
        raise ApiProblem(validation_status(errors), "meta: " + describe_validation(errors)) from error
