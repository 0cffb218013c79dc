"""Crafted `.xlsx` zip bombs: a real workbook whose sheet inflates to a gigabyte from ~1 MB.

The sheet's deflate stream is one compressed megabyte of rows repeated: after a full flush a
deflate stream holds no reference to earlier bytes, so identical flushed blocks can be
concatenated. Written by hand (local headers, central directory) so the declared sizes can
also lie, as an attacker's would.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

from openpyxl import Workbook

SHEET = "xl/worksheets/sheet1.xml"
_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats'
         b'.org/spreadsheetml/2006/main"><sheetData><row r="1"><c t="inlineStr"><is><t>Nama'
         b'</t></is></c><c t="inlineStr"><is><t>HP</t></is></c></row>')
_ROW = b'<row><c t="inlineStr"><is><t>Budi Santoso</t></is></c><c><v>81234567001</v></c></row>'
_TAIL = b"</sheetData></worksheet>"


def _deflated(data: bytes, finish: bool = False) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush(zlib.Z_FINISH if finish else zlib.Z_FULL_FLUSH)


def write_bomb(path: Path, *, megabytes: int, declared_size: int | None = None) -> int:
    """Write the bomb; returns how many bytes its sheet really inflates to."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Nama", "HP"])
    plain = io.BytesIO()
    book.save(plain)
    with zipfile.ZipFile(plain) as source:
        members = {info.filename: source.read(info) for info in source.infolist()}
    unit = _ROW * (1024 * 1024 // len(_ROW))
    sheet_stream = (_deflated(_HEAD) + _deflated(unit) * megabytes + _deflated(_TAIL, True))
    sheet_size = len(_HEAD) + len(unit) * megabytes + len(_TAIL)
    out = io.BytesIO()
    central = io.BytesIO()
    for name, content in members.items():
        if name == SHEET:
            stream, size, crc = sheet_stream, sheet_size, 0
            size_written = declared_size if declared_size is not None else size
        else:
            stream, crc = _deflated(content, True), zlib.crc32(content)
            size = size_written = len(content)
        encoded = name.encode()
        offset = out.tell()
        out.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc,
                              len(stream), size_written, len(encoded), 0))
        out.write(encoded)
        out.write(stream)
        central.write(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21,
                                  crc, len(stream), size_written, len(encoded), 0, 0, 0, 0, 0,
                                  offset))
        central.write(encoded)
    directory = central.getvalue()
    start = out.tell()
    out.write(directory)
    out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(members), len(members),
                          len(directory), start, 0))
    path.write_bytes(out.getvalue())
    return sheet_size
