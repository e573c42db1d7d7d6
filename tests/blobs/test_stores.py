"""Screenshot stores: a local folder and an S3-compatible bucket behave the same."""

from pathlib import Path

import pytest

from storage.blobs import FolderBlobs, S3Blobs, open_blobs
from tests.blobs.conftest import object_keys


@pytest.fixture(params=["folder", "s3"])
def store(request, tmp_path):
    if request.param == "folder":
        return open_blobs(None, tmp_path)
    endpoint, bucket = request.getfixturevalue("s3_endpoint"), request.getfixturevalue("bucket")
    return open_blobs(f"s3://{bucket}/shots", tmp_path, endpoint_url=endpoint)


def test_a_blob_comes_back_as_it_was_put(store):
    store.put("7/2026/11/18/100000-ab.webp", b"picture", "image/webp")
    assert store.get("7/2026/11/18/100000-ab.webp") == b"picture"


def test_putting_again_replaces_the_blob(store):
    store.put("7/a.webp", b"first", "image/webp")
    store.put("7/a.webp", b"second", "image/webp")
    assert store.get("7/a.webp") == b"second"


def test_a_missing_blob_is_none_and_deleting_it_is_harmless(store):
    assert store.get("7/nothing.webp") is None
    store.delete("7/nothing.webp")


def test_a_deleted_blob_is_gone(store):
    store.put("7/a.webp", b"picture", "image/webp")
    store.delete("7/a.webp")
    assert store.get("7/a.webp") is None


@pytest.mark.parametrize("key", ["../outside.webp", "7/../../outside.webp", "/etc/passwd"])
def test_keys_cannot_escape_the_store(store, key):
    with pytest.raises(ValueError):
        store.put(key, b"x", "image/webp")


def test_s3_objects_live_under_the_prefix_with_their_content_type(s3_endpoint, bucket, tmp_path):
    import boto3

    store = open_blobs(f"s3://{bucket}/tally/shots/", tmp_path, endpoint_url=s3_endpoint)
    store.put("7/a.webp", b"picture", "image/webp")
    assert object_keys(s3_endpoint, bucket) == ["tally/shots/7/a.webp"]
    head = boto3.client("s3", endpoint_url=s3_endpoint).head_object(Bucket=bucket, Key="tally/shots/7/a.webp")
    assert head["ContentType"] == "image/webp"


@pytest.mark.parametrize("url, kind, where", [
    (None, FolderBlobs, "data/screenshots"),
    ("shots-folder", FolderBlobs, "shots-folder"),
    ("s3://my-bucket", S3Blobs, ("my-bucket", "")),
    ("s3://my-bucket/a/b", S3Blobs, ("my-bucket", "a/b/")),
], ids=["default", "folder", "bucket", "bucket-and-prefix"])
def test_the_blob_url_chooses_the_store(aws, url, kind, where):
    store = open_blobs(url, Path("data"))
    assert isinstance(store, kind)
    assert (store.bucket, store.prefix) == where if kind is S3Blobs else store.root == Path(where)


def test_an_s3_url_without_a_bucket_is_refused():
    with pytest.raises(ValueError, match="s3://bucket/prefix"):
        open_blobs("s3:///prefix", Path("data"))


def test_keys_lists_every_blob_once_and_no_half_written_file(store):
    for key in ("a.png", "1/2026/11/16/b.webp", "charts/1/hours-2026-W47.png"):
        store.put(key, b"x", "image/png")
    if isinstance(store, FolderBlobs):
        (store.root / "1" / "c.webp.0123.part").write_bytes(b"half")  # a writer caught mid-way

    assert sorted(store.keys()) == ["1/2026/11/16/b.webp", "a.png", "charts/1/hours-2026-W47.png"]
