"""Artifact serialization: round trips (property-based), zero-copy buffers, the header,
the compression policy and clear errors for blobs that are not ours or are truncated."""

from __future__ import annotations

import os
import pickle
import struct

import numpy as np
import pytest
from flowc.runtime_shim import serialize as ser
from flowc.runtime_shim.datastore.digest import blob_digest
from flowc.runtime_shim.serialize import SerializationError, Serialized, deserialize, serialize
from hypothesis import given, settings
from hypothesis import strategies as st

json_like = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text()
    | st.binary(),
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.dictionaries(st.text(max_size=8), inner, max_size=5)
        | st.tuples(inner, inner)
    ),
    max_leaves=30,
)


def _round_trip(obj: object) -> object:
    return deserialize(bytearray(serialize(obj).to_bytes()))


@given(json_like)
@settings(max_examples=200)
def test_round_trip_property(obj: object) -> None:
    assert _round_trip(obj) == obj


@given(json_like)
@settings(max_examples=50)
def test_serialization_is_deterministic(obj: object) -> None:
    first, second = serialize(obj), serialize(obj)
    assert first.to_bytes() == second.to_bytes()
    assert first.digest() == blob_digest([first.to_bytes()])
    assert first.size == len(first.to_bytes())


@given(
    st.sampled_from(["<f8", "<i4", "u1", "<c16", "?"]),
    st.lists(st.integers(0, 7), min_size=0, max_size=3),
    st.booleans(),
)
def test_numpy_round_trip_property(dtype: str, shape: list[int], fortran: bool) -> None:
    array = np.asarray(np.random.default_rng(0).random(shape) * 100).astype(dtype)
    array = np.asfortranarray(array) if fortran else array
    loaded = _round_trip(array)
    assert isinstance(loaded, np.ndarray)
    assert loaded.dtype == array.dtype and loaded.shape == array.shape
    assert np.array_equal(loaded, array)


def test_array_buffer_is_out_of_band_and_not_copied() -> None:
    array = np.arange(1 << 16, dtype=np.float64)
    blob = serialize({"a": array, "n": 1})
    raw = [chunk for chunk in blob.chunks if chunk.nbytes == array.nbytes]
    assert len(raw) == 1
    assert np.shares_memory(np.frombuffer(raw[0], dtype=np.uint8), array)


def test_buffers_are_aligned_and_loaded_without_copy() -> None:
    arrays = [np.arange(n, dtype=np.int64) for n in (1, 7, 100)]
    data = bytearray(serialize(arrays).to_bytes())
    loaded = deserialize(data)
    base = np.frombuffer(data, dtype=np.uint8)
    for array, got in zip(arrays, loaded, strict=True):
        assert np.array_equal(array, got)
        assert np.shares_memory(got, base)  # a view into the blob
        offset = got.__array_interface__["data"][0] - base.__array_interface__["data"][0]
        assert offset % ser.ALIGNMENT == 0
        got[0] = 42  # writable when loaded from a bytearray
    assert not deserialize(bytes(data))[2].flags.writeable  # read-only from bytes


def test_non_contiguous_array() -> None:
    array = np.arange(100.0).reshape(10, 10)[::2, 1::3]
    assert np.array_equal(_round_trip(array), array)


def test_large_bytes_are_referenced_not_copied() -> None:
    payload = os.urandom(4 << 20)
    blob = serialize({"payload": payload})
    assert any(chunk.obj is payload for chunk in blob.chunks)
    assert _round_trip({"payload": payload}) == {"payload": payload}


def test_compression_policy() -> None:
    small = serialize("x" * 100)
    compressible = serialize(["same text"] * 10_000)
    incompressible = serialize(os.urandom(100_000))
    big = serialize(b"\0" * (ser.COMPRESS_MAX + 1))
    encoding = lambda blob: blob.chunks[0][5]  # noqa: E731
    assert encoding(small) == ser.ENCODING_PICKLE
    assert encoding(compressible) == ser.ENCODING_PICKLE_ZLIB
    assert compressible.size < len(pickle.dumps(["same text"] * 10_000, protocol=5)) / 5
    assert encoding(incompressible) == ser.ENCODING_PICKLE
    assert encoding(big) == ser.ENCODING_PICKLE  # never above COMPRESS_MAX
    assert _round_trip(["same text"] * 10_000) == ["same text"] * 10_000


def test_header_layout() -> None:
    blob = serialize(np.zeros(3)).to_bytes()
    magic, version, encoding, reserved, count, stream = struct.unpack_from("<4sBBHIQ", blob)
    assert (magic, version, reserved, count) == (b"FLCB", ser.FORMAT_VERSION, 0, 1)
    assert struct.unpack_from("<Q", blob, 20) == (24,)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "too short"),
        (b"PK\x03\x04" + bytes(30), "not a flowc blob"),
        (b"FLCB\x09" + bytes(30), "format version 9 is not supported"),
    ],
)
def test_foreign_blobs_are_clear_errors(data: bytes, message: str) -> None:
    with pytest.raises(SerializationError, match=message):
        deserialize(data, where="s3://b/F/blobs/ab/abc")


def test_truncated_blob_is_an_error() -> None:
    data = serialize(np.arange(1000)).to_bytes()
    with pytest.raises(SerializationError, match="header says"):
        deserialize(data[:-8], where="here")


def test_unpicklable_object_names_its_type() -> None:
    with pytest.raises(SerializationError, match="cannot pickle a generator"):
        serialize(x for x in ())


def test_type_names() -> None:
    assert serialize(1).type_name == "int"
    assert serialize(np.zeros(1)).type_name == "numpy.ndarray"
    assert isinstance(serialize(None), Serialized)


def test_large_multi_frame_stream_round_trip() -> None:
    """A stream the pickler flushes in many frames, above the compression limit."""
    value = [f"item {i} {os.urandom(8).hex()}" for i in range(400_000)]
    blob = serialize(value)
    assert blob.size > ser.COMPRESS_MAX and len(blob.chunks) > 10
    assert blob.chunks[0][5] == ser.ENCODING_PICKLE
    assert deserialize(blob.to_bytes()) == value
