"""Artifact serialization: pickle protocol 5 with out-of-band buffers, as a list of chunks.

A blob is a small fixed header, the buffer lengths, the pickle stream (zlib-compressed only
when small and compressible) and then every out-of-band buffer (numpy arrays, PickleBuffer)
at a 64-byte aligned offset, stored raw. Serializing never copies a large buffer: the chunks
reference the caller's memory, and large in-band bytes objects are referenced as they are.
Loading slices buffers out of the blob without a copy. The format is in docs/datastore.md.
"""

from __future__ import annotations

import pickle
import struct
import zlib
from dataclasses import dataclass
from typing import Any

from flowc.runtime_shim.datastore.digest import blob_digest

MAGIC = b"FLCB"
FORMAT_VERSION = 1
ENCODING_PICKLE = 0  # the pickle stream is stored as is
ENCODING_PICKLE_ZLIB = 1  # the pickle stream is zlib-compressed (level ZLIB_LEVEL)
ALIGNMENT = 64  # out-of-band buffers start at a multiple of this offset in the blob

# magic, format version, encoding, reserved (0), number of buffers, stored stream length
_HEADER = struct.Struct("<4sBBHIQ")
_LENGTH = struct.Struct("<Q")

# Compression policy, from measurements (docs/datastore.md): zlib level 1 runs at roughly
# 200-400 MB/s, which only pays for small and medium pickle streams that shrink well. Raw
# out-of-band buffers (arrays) are never compressed, nor are streams above COMPRESS_MAX.
COMPRESS_MIN = 512
COMPRESS_MAX = 8 << 20
COMPRESS_SAMPLE = 64 << 10
COMPRESS_KEEP_RATIO = 0.85  # keep the compressed stream only if it is at most this fraction
ZLIB_LEVEL = 1


class SerializationError(Exception):
    """An object that cannot be pickled, or bytes that are not a blob of this format."""


@dataclass(frozen=True, slots=True)
class Serialized:
    """One artifact's blob as chunks to write in order (no chunk is copied from the object)."""

    chunks: tuple[memoryview, ...]
    size: int
    type_name: str

    def digest(self) -> str:
        """The content address of the blob's bytes exactly as they will be stored."""
        return blob_digest(self.chunks)

    def to_bytes(self) -> bytes:
        """The whole blob in one bytes object (copies: for small blobs and tests)."""
        return b"".join(self.chunks)


class _ChunkWriter:
    """A file-like sink that keeps references to what the pickler writes, without joining."""

    __slots__ = ("parts", "size")

    def __init__(self) -> None:
        self.parts: list[memoryview] = []
        self.size = 0

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        self.parts.append(view)
        self.size += view.nbytes
        return view.nbytes


def type_name(obj: object) -> str:
    """`module.qualname` of the object's type, as recorded in an ArtifactRef."""
    cls = type(obj)
    module = cls.__module__
    return cls.__qualname__ if module == "builtins" else f"{module}.{cls.__qualname__}"


def _maybe_compress(stream: list[memoryview], size: int) -> bytes | None:
    """The zlib-compressed stream when that pays (see the policy constants), else None."""
    if size < COMPRESS_MIN or size > COMPRESS_MAX:
        return None
    data = stream[0] if len(stream) == 1 else memoryview(b"".join(stream))
    if size > COMPRESS_SAMPLE * 4:
        sample = data[:COMPRESS_SAMPLE]
        if len(zlib.compress(sample, ZLIB_LEVEL)) > COMPRESS_KEEP_RATIO * len(sample):
            return None
    packed = zlib.compress(data, ZLIB_LEVEL)
    return packed if len(packed) <= COMPRESS_KEEP_RATIO * size else None


def serialize(obj: object) -> Serialized:
    """Pickle `obj` (protocol 5, out-of-band buffers) into the chunks of one blob."""
    sink = _ChunkWriter()
    buffers: list[pickle.PickleBuffer] = []
    try:
        pickle.Pickler(sink, protocol=5, buffer_callback=buffers.append).dump(obj)
    except Exception as exc:
        raise SerializationError(f"cannot pickle a {type_name(obj)}: {exc}") from exc
    stream: list[memoryview] = sink.parts
    encoding = ENCODING_PICKLE
    packed = _maybe_compress(stream, sink.size)
    if packed is not None:
        stream, encoding = [memoryview(packed)], ENCODING_PICKLE_ZLIB
    stream_size = sum(part.nbytes for part in stream)
    raws = [_raw(buffer) for buffer in buffers]
    head = bytearray(_HEADER.pack(MAGIC, FORMAT_VERSION, encoding, 0, len(raws), stream_size))
    for raw in raws:
        head += _LENGTH.pack(raw.nbytes)
    chunks: list[memoryview] = [memoryview(bytes(head)), *stream]
    offset = len(head) + stream_size
    for raw in raws:
        pad = -offset % ALIGNMENT
        if pad:
            chunks.append(memoryview(bytes(pad)))
        chunks.append(raw)
        offset += pad + raw.nbytes
    return Serialized(tuple(chunks), offset, type_name(obj))


def _raw(buffer: pickle.PickleBuffer) -> memoryview:
    try:
        return buffer.raw()
    except BufferError:  # not contiguous: copy it once into a contiguous block
        return memoryview(memoryview(buffer).tobytes())


def deserialize(blob: Any, *, where: str = "blob") -> Any:
    """Load an object from a whole blob (bytes, bytearray or memoryview).

    Out-of-band buffers are zero-copy slices of `blob`: pass a writable buffer (bytearray)
    to get writable numpy arrays. `where` names the blob in error messages.
    """
    view = memoryview(blob).cast("B")
    if view.nbytes < _HEADER.size:
        raise SerializationError(f"{where}: {view.nbytes} bytes is too short to be a blob")
    magic, version, encoding, _, count, stream_size = _HEADER.unpack_from(view, 0)
    if magic != MAGIC:
        raise SerializationError(f"{where}: not a flowc blob (magic {bytes(magic)!r})")
    if version != FORMAT_VERSION:
        raise SerializationError(
            f"{where}: blob format version {version} is not supported (this shim reads "
            f"version {FORMAT_VERSION}); upgrade flowc"
        )
    offset = _HEADER.size
    lengths = [_LENGTH.unpack_from(view, offset + 8 * i)[0] for i in range(count)]
    offset += 8 * count
    stream = view[offset : offset + stream_size]
    offset += stream_size
    buffers = []
    for length in lengths:
        offset += -offset % ALIGNMENT
        buffers.append(view[offset : offset + length])
        offset += length
    if offset != view.nbytes or stream.nbytes != stream_size:
        raise SerializationError(f"{where}: blob is {view.nbytes} bytes, its header says {offset}")
    if encoding == ENCODING_PICKLE_ZLIB:
        stream = memoryview(zlib.decompress(stream))
    elif encoding != ENCODING_PICKLE:
        raise SerializationError(f"{where}: unknown encoding {encoding}")
    return pickle.loads(stream, buffers=buffers)
