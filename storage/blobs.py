"""Screenshot blob stores: a local folder by default, or an S3-compatible bucket (boto3)."""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol


class BlobStore(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...
    def get(self, key: str) -> bytes | None: ...
    def delete(self, key: str) -> None: ...
    def keys(self) -> Iterator[str]: ...


class FolderBlobs:
    """Blobs as files under one folder; a key is a relative path made by the caller."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError(f"blob key escapes the store: {key!r}")
        return path

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Writes the file whole, under its final name, before returning: from then on a crash of
        this process cannot lose it. It is not flushed to the disk here; the system writes it back
        within seconds (Linux: 30 s at most, by default). Flushing was measured on the slot ingest:
        an fsync per file cost more CPU than the rest of storing it, and one syncfs per group of
        uploads, which also flushes whatever else on the disk is dirty (a PostgreSQL data folder,
        say), stalled the groups for 80-300 ms. See BENCHMARKS.md, "Slot ingest"."""
        # Plain strings and os calls: pathlib and resolve() cost more than writing the file itself.
        path = os.path.join(self.root, _relative(key))
        # A name of its own per writer: two writers of one key must not share a half-written file.
        partial = f"{path}.{uuid.uuid4().hex}.part"
        try:
            _write_new(partial, data)
        except FileNotFoundError:  # the key's folder is new: made when needed, not checked every time
            _private_folders(os.path.dirname(path))
            _write_new(partial, data)
        os.replace(partial, path)  # readers never see half a file

    def get(self, key: str) -> bytes | None:
        path = self._path(key)
        return path.read_bytes() if path.exists() else None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def keys(self) -> Iterator[str]:
        """Every stored key, for backups and exports (files half-written by a writer are not keys)."""
        if not self.root.is_dir():
            return
        for folder, _, files in os.walk(self.root):
            for name in sorted(files):
                if not name.endswith(".part"):
                    yield Path(folder, name).relative_to(self.root).as_posix()


def _relative(key: str) -> str:
    """The key, if it names a file inside the store: not absolute, no `..`, no empty part."""
    parts = key.replace("\\", "/").split("/")
    if os.path.isabs(key) or key.startswith("/") or any(part in ("", ".", "..") for part in parts):
        raise ValueError(f"blob key escapes the store: {key!r}")
    return key


def _private_folders(folder: str) -> None:
    """Makes the missing folders of a path, each 0700 (os.makedirs gives `mode` to the last one only)."""
    if not folder or os.path.isdir(folder):
        return
    _private_folders(os.path.dirname(folder))
    try:
        os.mkdir(folder, 0o700)
    except FileExistsError:  # another writer made it first
        pass


def _write_new(path: str, data: bytes) -> None:
    # Screenshots are for the contract's two parties: readable by the server's user only.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view):]
    except BaseException:
        os.close(descriptor)
        os.unlink(path)  # no half-written leftovers, whatever failed
        raise
    os.close(descriptor)


class S3Blobs:
    """Blobs as objects under one prefix of a bucket; `client` is a boto3 S3 client (thread-safe)."""

    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self.client, self.bucket = client, bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""

    def _key(self, key: str) -> str:
        if not key or key.startswith("/") or ".." in key.split("/"):
            raise ValueError(f"blob key escapes the store: {key!r}")
        return self.prefix + key

    def put(self, key: str, data: bytes, content_type: str) -> None:
        # One PUT is atomic in S3: readers see the old object, none, or the whole new one.
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data, ContentType=content_type)

    def get(self, key: str) -> bytes | None:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except self.client.exceptions.NoSuchKey:
            return None
        return answer["Body"].read()

    def delete(self, key: str) -> None:
        # Deleting an absent object succeeds in S3, like unlink(missing_ok=True) for folders.
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def presign_put(self, key: str, size: int, sha256_b64: str, content_type: str, seconds: int) -> tuple[str, dict[str, str]]:
        """A URL that stores exactly these bytes at `key`: length and SHA-256 are signed into it, so
        the store refuses any other body. Returns the URL and the headers the PUT must send."""
        headers = {"Content-Type": content_type, "x-amz-checksum-sha256": sha256_b64, "x-amz-sdk-checksum-algorithm": "SHA256"}
        params = {"Bucket": self.bucket, "Key": self._key(key), "ContentLength": size, "ContentType": content_type,
                  "ChecksumSHA256": sha256_b64, "ChecksumAlgorithm": "SHA256"}
        return self.client.generate_presigned_url("put_object", Params=params, ExpiresIn=seconds), headers

    def stat(self, key: str) -> tuple[int, str | None] | None:
        """(size, base64 SHA-256 the store checked on upload) of an object, without reading it; None if absent."""
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self._key(key), ChecksumMode="ENABLED")
        except self.client.exceptions.ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return head["ContentLength"], head.get("ChecksumSHA256")

    def keys(self) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix)
        for page in pages:
            for item in page.get("Contents", []):
                yield item["Key"][len(self.prefix):]


def parse_s3_url(url: str) -> tuple[str, str]:
    """(bucket, prefix) of `s3://bucket/prefix`; ValueError for anything without a bucket."""
    bucket, _, prefix = url.removeprefix("s3://").partition("/")
    if not url.startswith("s3://") or not bucket:
        raise ValueError(f"not an S3 URL of the form s3://bucket/prefix: {url!r}")
    return bucket, prefix


def s3_blobs(url: str, endpoint_url: str | None = None) -> S3Blobs:
    import boto3  # only deployments that use S3 pay for importing it
    from botocore.config import Config

    bucket, prefix = parse_s3_url(url)
    # Signature v4: the only one that signs the checksum header of a presigned upload.
    client = boto3.client("s3", endpoint_url=endpoint_url or None, config=Config(signature_version="s3v4"))
    return S3Blobs(client, bucket, prefix)


def open_blobs(url: str | None, data_dir: Path, endpoint_url: str | None = None) -> BlobStore:
    """The store TALLY_BLOB_URL names: `s3://bucket/prefix`, a folder, or `<data_dir>/screenshots`."""
    if url and url.startswith("s3://"):
        return s3_blobs(url, endpoint_url)
    return FolderBlobs(Path(url) if url else Path(data_dir) / "screenshots")
