"""Screenshot blob stores: a local folder by default, or an S3-compatible bucket (boto3)."""

import uuid
from pathlib import Path
from typing import Any, Protocol


class BlobStore(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...
    def get(self, key: str) -> bytes | None: ...
    def delete(self, key: str) -> None: ...


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
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # A name of its own per writer: two writers of one key must not share a half-written file.
        partial = path.with_name(f"{path.name}.{uuid.uuid4().hex}.part")
        partial.write_bytes(data)
        partial.replace(path)  # readers never see half a file

    def get(self, key: str) -> bytes | None:
        path = self._path(key)
        return path.read_bytes() if path.exists() else None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


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


def parse_s3_url(url: str) -> tuple[str, str]:
    """(bucket, prefix) of `s3://bucket/prefix`; ValueError for anything without a bucket."""
    bucket, _, prefix = url.removeprefix("s3://").partition("/")
    if not url.startswith("s3://") or not bucket:
        raise ValueError(f"not an S3 URL of the form s3://bucket/prefix: {url!r}")
    return bucket, prefix


def s3_blobs(url: str, endpoint_url: str | None = None) -> S3Blobs:
    import boto3  # only deployments that use S3 pay for importing it

    bucket, prefix = parse_s3_url(url)
    return S3Blobs(boto3.client("s3", endpoint_url=endpoint_url or None), bucket, prefix)


def open_blobs(url: str | None, data_dir: Path, endpoint_url: str | None = None) -> BlobStore:
    """The store TALLY_BLOB_URL names: `s3://bucket/prefix`, a folder, or `<data_dir>/screenshots`."""
    if url and url.startswith("s3://"):
        return s3_blobs(url, endpoint_url)
    return FolderBlobs(Path(url) if url else Path(data_dir) / "screenshots")
