"""The blob content address (runtime_shim/datastore/digest.py): its definition, computed here
independently with hashlib, pinned by known answers, and the same however the bytes are cut
into chunks or whichever path (flat, sequential tree, thread pool) computes it."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import pytest
from flowc.runtime_shim.datastore.digest import (
    LEAF,
    PARALLEL_MIN,
    TREE_TAG,
    PendingDigest,
    blob_digest,
    leaves,
)


def reference(data: bytes) -> str:
    """The definition from docs/datastore.md, written out plainly."""
    parts = [data[i : i + LEAF] for i in range(0, len(data), LEAF)]
    leaf_digests = b"".join(hashlib.sha256(part).digest() for part in parts)
    return hashlib.sha256(TREE_TAG + leaf_digests).hexdigest()


def cut(data: bytes, seed: int) -> list[memoryview]:
    """`data` as chunks of random sizes (some empty)."""
    rng, view, chunks, start = random.Random(seed), memoryview(data), [], 0
    while start < len(data):
        size = rng.choice([0, 1, 7, 4096, LEAF - 3, LEAF, 3 * LEAF // 2])
        chunks.append(view[start : start + size])
        start += size
    return chunks


def test_known_answers() -> None:
    """Pinned: changing the definition orphans every blob in every datastore."""
    assert TREE_TAG == b"flowc-sha256-tree/8MiB\n" and LEAF == 8 << 20
    expected = {
        b"": "2d8ff44996babccb0b199dd3bd58f7304790b491ec85653eef73f1f560931e5a",
        b"abc": "25da3f9b4299a2d050ab868b4c7e36fb483121181a6af5b1de66fcf1781be0f3",
        bytes(LEAF + 1): "1f5a8a14f7c05f37c047555537c8a969504ab7d50bec6aca29e203d833971520",
        bytes(range(256)) * (3 * LEAF // 256) + b"xyz": (
            "89004f14734444ec54ce74969938907287e85627f57a44de04e7e63cc11ae740"),
    }
    for data, digest in expected.items():
        assert blob_digest([data]) == digest == reference(data)


def test_no_blob_takes_the_address_of_another_size() -> None:
    """A small blob holding a large blob's tree input does not get the large blob's address
    (it would with a plain sha256 for small blobs)."""
    large = bytes(LEAF + 1)
    forged = TREE_TAG + hashlib.sha256(bytes(LEAF)).digest() + hashlib.sha256(b"\0").digest()
    assert hashlib.sha256(forged).hexdigest() == blob_digest([large])
    assert blob_digest([forged]) != blob_digest([large])


@pytest.mark.parametrize("size", [0, 5, LEAF, LEAF + 1, 3 * LEAF + 5, PARALLEL_MIN + LEAF // 2 + 1])
def test_any_chunking_gives_the_definition(size: int) -> None:
    data = random.Random(size).randbytes(size)
    expected = reference(data)
    assert blob_digest([data]) == expected
    for seed in range(3):
        assert blob_digest(cut(data, seed)) == expected
        assert PendingDigest(cut(data, seed)).result() == expected


def test_leaves_cover_the_bytes_in_order() -> None:
    data = random.Random(1).randbytes(2 * LEAF + 10)
    pieces = list(leaves(cut(data, 7)))
    assert [sum(p.nbytes for p in leaf) for leaf in pieces] == [LEAF, LEAF, 10]
    assert b"".join(bytes(p) for leaf in pieces for p in leaf) == data


def test_a_changed_byte_changes_the_address() -> None:
    data = bytearray(PARALLEL_MIN + 1)
    before = blob_digest([data])
    data[LEAF + 17] = 1
    assert blob_digest([data]) != before


def test_the_command_line_prints_a_file_digest(tmp_path: Path) -> None:
    import subprocess
    import sys

    files = {"empty": b"", "small": b"abc", "large": random.Random(3).randbytes(LEAF + 5)}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    printed = subprocess.run(
        [sys.executable, "-m", "flowc.runtime_shim.datastore.digest", *files], cwd=tmp_path,
        capture_output=True, text=True, check=True).stdout.splitlines()
    assert printed == [f"{blob_digest([data])}  {name}" for name, data in files.items()]
