"""Screenshot blob stores: a local folder by default; S3-compatible stores come in with boto3."""

from pathlib import Path
from typing import Protocol


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
        partial = path.with_suffix(path.suffix + ".part")
        partial.write_bytes(data)
        partial.replace(path)  # readers never see half a file

    def get(self, key: str) -> bytes | None:
        path = self._path(key)
        return path.read_bytes() if path.exists() else None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


def open_blobs(url: str | None, data_dir: Path) -> BlobStore:
    if url and url.startswith("s3://"):
        raise ValueError("S3 screenshot storage is not available in this version; use a folder")
    return FolderBlobs(Path(url) if url else Path(data_dir) / "screenshots")
