"""Direct uploads: where the server's store is a bucket, the slot's images go there, not through it.

The agent asks for presigned targets, PUTs the screenshot and its thumbnail, then posts the slot
naming them. Servers with a folder store, and servers from before direct uploads, answer 404:
the slot then goes the old way, with the screenshot inside the multipart.
"""

import hashlib
import json
from typing import Any

from agent.capture import image_size, thumbnail
from agent.client import ApiClient, ApiError

OFF = object()  # the server takes no direct uploads


def send_slot(client: ApiClient, meta: str, shot: bytes, webcam: bytes | None = None) -> Any:
    """The server's answer to the slot, or OFF. Raises what the client raises, and BucketRefused."""
    report = json.loads(meta)
    small, (width, height) = thumbnail(shot)
    images = {"screenshot": shot, "thumbnail": small} | ({"webcam": webcam} if webcam is not None else {})
    digests = {part: hashlib.sha256(data).hexdigest() for part, data in images.items()}
    try:
        answer = client.request_uploads({
            "session_id": report["session_id"], "slot_start": report["slot_start"], "parts": list(images),
            "sizes": [len(data) for data in images.values()], "sha256s": list(digests.values())})
    except ApiError as error:
        if error.status == 404 and error.error in ("direct_off", "not_found"):
            return OFF
        raise
    objects = {}
    for target in answer["targets"]:
        part = target["part"]
        if target["url"] is not None:  # None: the slot is already recorded (an answer was lost); just name them
            client.put_object(target["url"], target["headers"], images[part])
        objects[part] = {"key": target["key"], "size": len(images[part]), "sha256": digests[part]}
    objects["screenshot"] |= {"width": width, "height": height}
    if webcam is not None:
        objects["webcam"] |= dict(zip(("width", "height"), image_size(webcam)))
    return client.post_slot(json.dumps({**report, "objects": objects}), None)
