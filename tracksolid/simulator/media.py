"""Small real media made in code: baseline JPEG stills and Motion-JPEG MP4 clips.

No image library is allowed here, so the JPEG encoder is the simplest valid one: greyscale, one
flat shade per 8x8 block, so each block is a DC coefficient and an end-of-block code.
"""

from __future__ import annotations

import struct
import time

from .util import noise

# Standard luminance DC Huffman table (JPEG Annex K.3): code lengths and symbols 0..11.
_DC_COUNTS = (0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0)
_DC_SYMBOLS = tuple(range(12))
# A one-symbol AC table: only end-of-block (0x00), coded as a single bit "0".
_AC_COUNTS = (1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
_AC_SYMBOLS = (0,)


def _huffman_codes(counts: tuple[int, ...], symbols: tuple[int, ...]) -> dict[int, tuple[int, int]]:
    """Canonical codes: symbol -> (code, length)."""
    codes: dict[int, tuple[int, int]] = {}
    code = 0
    k = 0
    for length, count in enumerate(counts, start=1):
        for _ in range(count):
            codes[symbols[k]] = (code, length)
            code += 1
            k += 1
        code <<= 1
    return codes


_DC_CODES = _huffman_codes(_DC_COUNTS, _DC_SYMBOLS)


class _Bits:
    def __init__(self) -> None:
        self.out = bytearray()
        self.acc = 0
        self.n = 0

    def put(self, value: int, length: int) -> None:
        for i in range(length - 1, -1, -1):
            self.acc = (self.acc << 1) | ((value >> i) & 1)
            self.n += 1
            if self.n == 8:
                self.out.append(self.acc)
                if self.acc == 0xFF:
                    self.out.append(0)  # byte stuffing
                self.acc = 0
                self.n = 0

    def flush(self) -> bytes:
        if self.n:
            self.put((1 << (8 - self.n)) - 1, 8 - self.n)  # pad with 1 bits
        return bytes(self.out)


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">HH", marker, len(payload) + 2) + payload


def jpeg(width: int, height: int, shades: list[int]) -> bytes:
    """Encode a greyscale JPEG whose 8x8 blocks take ``shades`` (0..255) row by row."""
    bw, bh = (width + 7) // 8, (height + 7) // 8
    bits = _Bits()
    prev = 0
    for k in range(bw * bh):
        dc = max(0, min(255, shades[k % len(shades)])) - 128  # DCT of a flat block / quant 8
        diff = dc - prev
        prev = dc
        mag = abs(diff)
        cat = mag.bit_length()
        code, length = _DC_CODES[cat]
        bits.put(code, length)
        if cat:
            bits.put(diff if diff >= 0 else diff + (1 << cat) - 1, cat)
        bits.put(0, 1)  # EOB
    out = bytearray(b"\xff\xd8")
    out += _segment(0xFFE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    out += _segment(0xFFDB, b"\x00" + bytes([8] * 64))
    out += _segment(0xFFC0, struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00")
    out += _segment(0xFFC4, b"\x00" + bytes(_DC_COUNTS) + bytes(_DC_SYMBOLS))
    out += _segment(0xFFC4, b"\x10" + bytes(_AC_COUNTS) + bytes(_AC_SYMBOLS))
    out += _segment(0xFFDA, b"\x01\x01\x00\x00\x3f\x00")
    out += bits.flush()
    out += b"\xff\xd9"
    return bytes(out)


def frame(key: str, index: int = 0, width: int = 160, height: int = 96) -> bytes:
    """A recognisable still for ``key``: a gradient sky, a road, and a moving marker block."""
    bw, bh = (width + 7) // 8, (height + 7) // 8
    base = int(noise(key, "tone") * 60)
    shades = []
    for y in range(bh):
        for x in range(bw):
            if y < bh // 2:
                v = 200 - y * 8 + base // 3
            else:
                v = 70 + base // 2 + (40 if x == bw // 2 and (y + index) % 2 == 0 else 0)
            if y == bh - 3 and x == (index * 2) % bw:
                v = 250
            shades.append(v)
    return jpeg(width, height, shades)


def _box(kind: bytes, *parts: bytes) -> bytes:
    payload = b"".join(parts)
    return struct.pack(">I", len(payload) + 8) + kind + payload


def _full(kind: bytes, version: int, flags: int, *parts: bytes) -> bytes:
    return _box(kind, struct.pack(">I", (version << 24) | flags), *parts)


_MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)


def mp4(frames: list[bytes], fps: int = 2, width: int = 160, height: int = 96) -> bytes:
    """An ISO BMFF file with one Motion-JPEG video track (sample entry ``jpeg``)."""
    n = len(frames)
    delta = 1000 // fps
    duration = n * delta
    ftyp = _box(b"ftyp", b"isom", struct.pack(">I", 512), b"isomiso2mp41")

    def moov(chunk_offset: int) -> bytes:
        mvhd = _full(
            b"mvhd",
            0,
            0,
            struct.pack(">IIII", 0, 0, 1000, duration),
            struct.pack(">IH", 0x10000, 0x100),
            b"\x00" * 10,
            _MATRIX,
            b"\x00" * 24,
            struct.pack(">I", 2),
        )
        tkhd = _full(
            b"tkhd",
            0,
            3,
            struct.pack(">IIIII", 0, 0, 1, 0, duration),
            b"\x00" * 8,
            struct.pack(">hhhH", 0, 0, 0, 0),
            _MATRIX,
            struct.pack(">II", width << 16, height << 16),
        )
        mdhd = _full(b"mdhd", 0, 0, struct.pack(">IIIIHH", 0, 0, 1000, duration, 0x55C4, 0))
        hdlr = _full(b"hdlr", 0, 0, b"\x00" * 4, b"vide", b"\x00" * 12, b"VideoHandler\x00")
        vmhd = _full(b"vmhd", 0, 1, b"\x00" * 8)
        dinf = _box(b"dinf", _full(b"dref", 0, 0, struct.pack(">I", 1), _full(b"url ", 0, 1)))
        name = b"Photo - JPEG"
        entry = _box(
            b"jpeg",
            b"\x00" * 6,
            struct.pack(">H", 1),
            b"\x00" * 16,
            struct.pack(">HHIIIH", width, height, 0x480000, 0x480000, 0, 1),
            bytes([len(name)]) + name + b"\x00" * (31 - len(name)),
            struct.pack(">Hh", 0x18, -1),
        )
        stsd = _full(b"stsd", 0, 0, struct.pack(">I", 1), entry)
        stts = _full(b"stts", 0, 0, struct.pack(">III", 1, n, delta))
        stsc = _full(b"stsc", 0, 0, struct.pack(">IIII", 1, 1, n, 1))
        stsz = _full(
            b"stsz", 0, 0, struct.pack(">II", 0, n), *(struct.pack(">I", len(f)) for f in frames)
        )
        stco = _full(b"stco", 0, 0, struct.pack(">II", 1, chunk_offset))
        stbl = _box(b"stbl", stsd, stts, stsc, stsz, stco)
        minf = _box(b"minf", vmhd, dinf, stbl)
        mdia = _box(b"mdia", mdhd, hdlr, minf)
        return _box(b"moov", mvhd, _box(b"trak", tkhd, mdia))

    size = len(moov(0))
    body = b"".join(frames)
    return ftyp + moov(len(ftyp) + size + 8) + struct.pack(">I", len(body) + 8) + b"mdat" + body


def clip(key: str, seconds: int) -> bytes:
    count = max(2, min(20, seconds * 2))
    return mp4([frame(key, i) for i in range(count)])


def stamp(t: float) -> str:
    return time.strftime("%Y%m%d%H%M%S", time.gmtime(t))
