"""Writing screenshots into a folder: whole files under their final names, nothing left half-written."""

import pytest

from storage.blobs import FolderBlobs


def test_a_folder_keeps_no_half_written_files(tmp_path):
    store = FolderBlobs(tmp_path / "shots")
    store.put("7/2026/11/18/a.webp", b"first", "image/webp")
    store.put("7/2026/11/18/b.webp", b"second", "image/webp")
    store.put("7/2026/11/18/a.webp", b"again", "image/webp")
    assert sorted(p.name for p in (tmp_path / "shots" / "7" / "2026" / "11" / "18").iterdir()) == ["a.webp", "b.webp"]
    assert (store.get("7/2026/11/18/a.webp"), store.get("7/2026/11/18/b.webp")) == (b"again", b"second")


@pytest.mark.parametrize("key", ["7//a.webp", "", "7/./a.webp", "7/", "..", "7\\..\\..\\outside.webp"])
def test_odd_keys_are_refused_before_anything_is_written(tmp_path, key):
    with pytest.raises(ValueError):
        FolderBlobs(tmp_path / "shots").put(key, b"x", "image/webp")
    assert not (tmp_path / "shots").exists()
