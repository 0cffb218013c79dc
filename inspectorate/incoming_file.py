"""A file staff hand in (a respondent list, the units file), read within limits or refused
with a reason in Indonesian: never half-read, never a traceback.

Limits come before work: the bytes read are capped, a zip-based spreadsheet (`.xlsx`, `.ods`)
is measured member by member by actually inflating it in small chunks before any spreadsheet
library opens it (a 2 MB zip bomb used to take 6.3 GB), and text must be one encoding.
"""

from __future__ import annotations

import errno
import io
import re
import struct
import zipfile
import zlib
from pathlib import Path

MAX_FILE_BYTES = 64 * 1024 * 1024
# 100,000 rows written by openpyxl expand to 37 MB of XML; five times that is still one list.
MAX_EXPANDED_BYTES = 200 * 1024 * 1024
MAX_ZIP_MEMBERS = 1000
_CHUNK = 64 * 1024
_OS_REASONS = {
    errno.ENOTDIR: "salah satu bagian jalurnya bukan folder",
    errno.EISDIR: "itu folder, bukan berkas",
    errno.ENAMETOOLONG: "nama atau jalurnya terlalu panjang",
    errno.ELOOP: "tautan simbolis berputar",
    errno.EIO: "kesalahan baca pada disk",
    errno.ENXIO: "bukan berkas biasa",
}
_MB = 1024 * 1024

# A well-formed multi-byte UTF-8 sequence: in a file that is not valid UTF-8 as a whole, this
# means part of it was saved as UTF-8 and part in a legacy encoding.
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}")


class FileRefused(Exception):
    """The file cannot be used; the message says why and what to do, in Indonesian."""


def read_limited(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes, or FileRefused for a folder, a missing, unreadable or huge file."""
    try:
        if path.is_dir():
            raise FileRefused(f"{path} adalah folder, bukan berkas.")
        if path.exists() and not path.is_file():  # a pipe or a device: blocks or never ends
            raise FileRefused(f"{path} bukan berkas biasa.")
        with path.open("rb") as source:
            data = source.read(limit + 1)
    except FileNotFoundError:
        raise FileRefused(f"Berkas {path} tidak ditemukan.") from None
    except PermissionError:
        raise FileRefused(f"Berkas {path} tidak bisa dibaca: tidak ada izin membacanya.") \
            from None
    except OSError as exc:
        why = _OS_REASONS.get(exc.errno or 0, f"kesalahan sistem {exc.errno}")
        raise FileRefused(f"Berkas {path} tidak bisa dibaca: {why}.") from None
    if len(data) > limit:
        raise FileRefused(f"Berkas {path} lebih dari {limit // _MB} MB. Pecah menjadi beberapa "
                          "berkas (mis. per unit) lalu impor satu per satu.")
    return data


def _line_of(data: bytes, position: int) -> int:
    return data.count(b"\n", 0, position) + 1


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or one legacy encoding (Windows-1252);
    a file that mixes UTF-8 with another encoding is refused with the first line affected."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise FileRefused("Berkas UTF-16 rusak: simpan ulang sebagai CSV UTF-8.") from None
    if data[:4096].count(b"\x00") * 4 > len(data[:4096]):  # every other byte: UTF-16
        raise FileRefused("Berkas tampaknya UTF-16 tanpa penanda (BOM). Simpan ulang sebagai "
                          "CSV UTF-8.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad_at = exc.start
    if _UTF8_SEQUENCE.search(data) is not None:
        raise FileRefused(
            "Pengodean berkas bercampur: sebagian teks UTF-8, sebagian lagi pengodean lain "
            f"(pertama di baris {_line_of(data, bad_at)}). Isinya akan rusak bila diimpor. "
            "Simpan ulang seluruh berkas sebagai CSV UTF-8.")
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise FileRefused(
            f"Berkas tidak bisa dibaca sebagai teks (baris {_line_of(data, exc.start)}). "
            "Simpan ulang sebagai CSV UTF-8.") from None


def _declared_members(data: bytes) -> int:
    """How many members the zip's end record declares, read before zipfile builds them all."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or end + 22 > len(data):
        raise FileRefused("Berkas Excel rusak atau bukan berkas Excel (.xlsx).")
    (members,) = struct.unpack_from("<H", data, end + 10)
    return int(members)


def _inflated_size(data: bytes, info: zipfile.ZipInfo, budget: int) -> int:
    """The member's real size, inflating at most `budget` + 1 bytes (64 KB at a time)."""
    if data[info.header_offset:info.header_offset + 4] != b"PK\x03\x04":
        raise FileRefused("Berkas Excel rusak (daftar isinya menunjuk ke tempat yang salah).")
    name_length, extra_length = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_length + extra_length
    raw = memoryview(data)[start:start + info.compress_size]
    if info.compress_type == zipfile.ZIP_STORED:
        return len(raw)
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise FileRefused("Berkas Excel memakai kompresi yang tidak dikenal; simpan ulang "
                          "dari Excel atau LibreOffice.")
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    size = 0
    for offset in range(0, len(raw), _CHUNK):
        pending = raw[offset:offset + _CHUNK].tobytes()
        while pending and not inflater.eof:
            size += len(inflater.decompress(pending, _CHUNK))
            if size > budget:
                return size
            pending = inflater.unconsumed_tail
        if inflater.eof:
            break
    while not inflater.eof and size <= budget:
        chunk = inflater.decompress(b"", _CHUNK)
        if not chunk:
            break
        size += len(chunk)
    return size


def check_zip_limits(data: bytes) -> None:
    """Refuse a zip-based spreadsheet whose members expand past MAX_EXPANDED_BYTES, whatever
    sizes it declares, before any spreadsheet library opens it."""
    if _declared_members(data) > MAX_ZIP_MEMBERS:
        raise FileRefused(f"Berkas Excel berisi lebih dari {MAX_ZIP_MEMBERS} bagian; bukan "
                          "daftar responden biasa.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, struct.error):
        raise FileRefused("Berkas Excel rusak atau bukan berkas Excel (.xlsx).") from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise FileRefused(f"Berkas Excel berisi lebih dari {MAX_ZIP_MEMBERS} bagian; bukan "
                          "daftar responden biasa.")
    too_big = FileRefused(
        f"Isi berkas Excel lebih dari {MAX_EXPANDED_BYTES // _MB} MB setelah dibuka (berkas "
        "terkompresi berlebihan atau terlalu besar). Pecah per unit, atau simpan sebagai CSV.")
    if sum(info.file_size for info in members) > MAX_EXPANDED_BYTES:
        raise too_big
    left = MAX_EXPANDED_BYTES
    for info in members:
        try:
            size = _inflated_size(data, info, left)
        except (zlib.error, struct.error):
            raise FileRefused("Berkas Excel rusak (isi terkompresinya tidak utuh).") from None
        if size > left:
            raise too_big
        if size != info.file_size:
            raise FileRefused("Berkas Excel rusak: ukuran isinya tidak sesuai dengan yang "
                              "tercatat. Simpan ulang dari Excel atau LibreOffice.")
        left -= size
