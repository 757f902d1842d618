"""What an uploaded file really is, decided by its content (DESIGN §7).

The name a browser sends is never trusted: it is only cleaned for display and
used in messages. The content decides the type, and only an allow-listed type
passes: PDF, Word (.doc/.docx), Excel (.xls/.xlsx), JPEG, PNG, plain text, CSV,
e-mail (.eml) and ZIP. Everything else is refused with a sentence a person
understands, in particular the hostile cases: HTML, XML and SVG, scripts,
executables, macro-enabled Office files, ZIP archives with paths leading
outside or a huge unpacked size, and empty or oversized files.

Binary formats are recognised by their magic bytes (PDF, JPEG, PNG and
executables through the ``filetype`` library). Office files need a look
inside, which ``filetype`` does not do reliably: it calls a macro-enabled
.xlsm an .xlsx, an .xlsb an .xlsx and a password-protected .xlsx an .xls.
So ZIP containers are opened with ``zipfile`` and OLE2 compound files
(.doc/.xls) are read with the small directory reader below. Text is sniffed
from its first 64 KB only.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
import struct
import unicodedata
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass
from typing import IO

import filetype
from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_noop

# Text files are judged by this many bytes from their start.
TEXT_SNIFF_BYTES = 64 * 1024
# Web browsers look for HTML in the first bytes of a file; so do we.
MARKUP_SNIFF_CHARS = 1024
# ZIP archives: at most this many members, and at most this many times
# DOCUMENT_MAX_BYTES once unpacked (250 MB with the default 25 MB).
ZIP_MAX_MEMBERS = 1000
ZIP_MAX_UNPACKED_FACTOR = 10
# The display name is cut to this many characters, keeping its extension.
FILENAME_MAX_CHARS = 200

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jpg": "image/jpeg",
    "png": "image/png",
    "txt": "text/plain",
    "csv": "text/csv",
    "eml": "message/rfc822",
    "zip": "application/zip",
}


@dataclass(frozen=True)
class DetectedType:
    """The accepted type of a file: its extension and the MIME type to serve."""

    extension: str
    content_type: str

    @classmethod
    def of(cls, extension: str) -> DetectedType:
        return cls(extension=extension, content_type=CONTENT_TYPES[extension])


# Messages (translated when raised). "name" is the cleaned display name.
_MESSAGES = {
    "not_accepted": gettext_noop(
        "“%(name)s” is not an accepted file type. Accepted: PDF, Word, Excel, "
        "JPEG, PNG, text, CSV, e-mail (.eml) and ZIP."
    ),
    "empty": gettext_noop("“%(name)s” is empty."),
    "too_large": gettext_noop(
        "“%(name)s” is larger than %(limit)s MB, the largest file accepted."
    ),
    "damaged": gettext_noop("“%(name)s” is damaged and cannot be read."),
    "executable": gettext_noop("“%(name)s” is a program. Programs are not accepted."),
    "script": gettext_noop(
        "“%(name)s” contains a script or program code. Scripts are not accepted."
    ),
    "markup": gettext_noop(
        "“%(name)s” contains HTML, XML or SVG markup. Such files are not accepted."
    ),
    "macros": gettext_noop(
        "“%(name)s” is an Office file with macros. Macros are not accepted: "
        "please save it as .docx or .xlsx without macros and upload it again."
    ),
    "encrypted": gettext_noop(
        "“%(name)s” is protected with a password, so it cannot be checked. "
        "Please remove the password and upload it again."
    ),
    "zip_empty": gettext_noop("The archive “%(name)s” contains no files."),
    "zip_unsafe_path": gettext_noop(
        "The archive “%(name)s” contains file paths that lead outside the "
        "archive. Such archives are not accepted."
    ),
    "zip_too_many_members": gettext_noop(
        "The archive “%(name)s” contains more than %(count)s files. "
        "Such archives are not accepted."
    ),
    "zip_too_large_unpacked": gettext_noop(
        "The archive “%(name)s” would unpack to more than %(limit)s MB. "
        "Such archives are not accepted."
    ),
}


class RejectedFile(ValueError):
    """An upload is refused; ``str(error)`` is a translated sentence.

    ``code`` says why, for callers and tests: one of the keys of _MESSAGES.
    """

    def __init__(self, message: str, *, code: str = "not_accepted") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _rejected(code: str, name: str, **params: object) -> RejectedFile:
    message = gettext(_MESSAGES[code]) % {"name": clean_filename(name), **params}
    return RejectedFile(message, code=code)


def _format_mb(num_bytes: int) -> str:
    mb = num_bytes / (1024 * 1024)
    if mb >= 1:
        decimals = 0 if mb.is_integer() else 1
    elif mb > 0:
        decimals = 1 - math.floor(math.log10(mb))  # two significant digits
    else:
        decimals = 0
    return number_format(round(mb, decimals), decimal_pos=decimals)


# --- Public API -------------------------------------------------------------


def check_upload(fileobj: IO[bytes], *, name: str, size: int) -> DetectedType:
    """Refuse a file over DOCUMENT_MAX_BYTES or empty, else detect its type."""
    limit = settings.DOCUMENT_MAX_BYTES
    actual = _stream_size(fileobj)
    real_size = max(size, actual) if actual is not None else size
    if real_size > limit:
        raise _rejected("too_large", name, limit=_format_mb(limit))
    if real_size <= 0:
        raise _rejected("empty", name)
    return detect_file_type(fileobj, name=name)


def detect_file_type(fileobj: IO[bytes], *, name: str) -> DetectedType:
    """Return the accepted type of the file's content or raise RejectedFile.

    Reads from the start and leaves the position at 0. ``name`` is used only
    in messages, never to decide the type.
    """
    try:
        fileobj.seek(0)
        head = _read_up_to(fileobj, TEXT_SNIFF_BYTES + 1)
        truncated = len(head) > TEXT_SNIFF_BYTES
        head = head[:TEXT_SNIFF_BYTES]
        if not head:
            raise _rejected("empty", name)
        return _detect(fileobj, head, truncated, name)
    finally:
        fileobj.seek(0)


_WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"]
    + [f"COM{i}" for i in range(1, 10)]
    + [f"LPT{i}" for i in range(1, 10)]
)
_ILLEGAL_IN_NAMES = frozenset('<>:"|?*\x00')
# Invisible direction marks and overrides make "fdp.exe" look like "exe.pdf".
_INVISIBLE_FORMAT = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
)


def clean_filename(name: str) -> str:
    """The original name, made safe to display and to offer as a download name.

    Drops any directory part (both / and \\), normalises to NFC, drops control
    and invisible direction characters and characters that common file systems
    forbid, collapses whitespace, strips leading and trailing dots and spaces,
    shortens to 200 characters keeping the extension, and falls back to
    "file". Letters of any script are kept as they are.
    """
    name = unicodedata.normalize("NFC", str(name))
    parts = [part for part in re.split(r"[\\/]", name) if part.strip()]
    name = parts[-1] if parts else ""
    kept = []
    for char in name:
        category = unicodedata.category(char)
        if char in "\t\n\r\x0b\x0c":
            kept.append(" ")
        elif (
            category in ("Cc", "Cs")
            or char in _ILLEGAL_IN_NAMES
            or char in _INVISIBLE_FORMAT
        ):
            continue
        else:
            kept.append(char)
    name = " ".join("".join(kept).split()).strip(" .")
    if name.split(".", 1)[0].rstrip().upper() in _WINDOWS_RESERVED:
        name = "_" + name
    if len(name) > FILENAME_MAX_CHARS:
        stem, dot, extension = name.rpartition(".")
        if dot and stem and len(extension) <= 16 and " " not in extension:
            stem = stem[: FILENAME_MAX_CHARS - len(extension) - 1].rstrip(" .")
            name = f"{stem or 'file'}.{extension}"
        else:
            name = name[:FILENAME_MAX_CHARS].rstrip(" .")
    return name or "file"


# --- Reading ----------------------------------------------------------------


def _read_up_to(fileobj: IO[bytes], size: int) -> bytes:
    chunks = []
    while size > 0:
        chunk = fileobj.read(size)
        if not chunk:
            break
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _stream_size(fileobj: IO[bytes]) -> int | None:
    try:
        fileobj.seek(0, io.SEEK_END)
        size = fileobj.tell()
        fileobj.seek(0)
    except (AttributeError, OSError, ValueError):
        return None
    return size


def _detect(
    fileobj: IO[bytes], head: bytes, truncated: bool, name: str
) -> DetectedType:
    if _is_executable(head):
        raise _rejected("executable", name)
    kind = filetype.guess(head)
    if kind is not None and kind.extension in ("pdf", "jpg"):
        return DetectedType.of(kind.extension)
    if kind is not None and kind.extension in ("png", "apng"):
        return DetectedType.of("png")
    if head.startswith(_OLE_MAGIC):
        return _detect_ole(fileobj, name)
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
        return _detect_zip(fileobj, name)
    return _detect_text(head, truncated, name)


_MACH_O_MAGICS = (
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # universal Mach-O binary, and Java class files
)


def _is_executable(head: bytes) -> bool:
    if head.startswith((b"\x7fELF", b"\x00asm", *_MACH_O_MAGICS)):
        return True
    if head.startswith(b"MZ"):
        # A PE file has "PE\0\0" where the DOS header points; any other
        # binary behind "MZ" is a DOS program. Text that merely starts with
        # the letters "MZ" is judged as text.
        if len(head) >= 64:
            (pe_offset,) = struct.unpack_from("<I", head, 0x3C)
            if head[pe_offset : pe_offset + 4] == b"PE\x00\x00":
                return True
        return _decode_text(head, truncated=True) is None
    return False


# --- OLE2 compound files (.doc, .xls) ---------------------------------------

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE_NO_STREAM = 0xFFFFFFFF
_OLE_END_OF_CHAIN = 0xFFFFFFFE
_OLE_MAX_REGULAR_SECTOR = 0xFFFFFFFA
_OLE_MAX_ENTRIES = 100_000
# Storages that hold VBA macros: Word keeps them in "Macros", Excel in
# "_VBA_PROJECT_CUR"; both hold a "VBA" storage.
_OLE_MACRO_NAMES = frozenset(["macros", "_vba_project_cur", "_vba_project", "vba"])


class _Damaged(Exception):
    pass


def _detect_ole(fileobj: IO[bytes], name: str) -> DetectedType:
    try:
        top_level, everywhere = _ole_entry_names(fileobj)
    except _Damaged:
        raise _rejected("damaged", name) from None
    if "encryptedpackage" in top_level:
        # An encrypted .docx/.xlsx/.xlsm: its content, macros included,
        # cannot be seen without the password.
        raise _rejected("encrypted", name)
    if everywhere & _OLE_MACRO_NAMES:
        raise _rejected("macros", name)
    if "worddocument" in top_level:
        return DetectedType.of("doc")
    if "workbook" in top_level or "book" in top_level:
        return DetectedType.of("xls")
    # PowerPoint, Outlook .msg, Windows Installer .msi and others.
    raise _rejected("not_accepted", name)


def _ole_entry_names(fileobj: IO[bytes]) -> tuple[set[str], set[str]]:
    """Names (casefolded) of the root's streams/storages, and of all entries.

    Follows the file's own FAT, so stale directory entries left in free
    sectors do not count; every index is checked against the file's size.
    """
    fileobj.seek(0, io.SEEK_END)
    file_size = fileobj.tell()
    fileobj.seek(0)
    header = _read_up_to(fileobj, 512)
    if len(header) < 512:
        raise _Damaged
    (sector_shift,) = struct.unpack_from("<H", header, 0x1E)
    if sector_shift not in (9, 12):
        raise _Damaged
    sector_size = 1 << sector_shift
    sector_count = max(0, (file_size - 1) // sector_size)  # a last one may be short
    ids_per_sector = sector_size // 4
    (first_dir_sector,) = struct.unpack_from("<I", header, 0x30)
    first_difat_sector, num_difat_sectors = struct.unpack_from("<II", header, 0x44)

    def read_sector(sector: int) -> bytes:
        if sector >= sector_count:
            raise _Damaged
        fileobj.seek((sector + 1) * sector_size)
        return _read_up_to(fileobj, sector_size).ljust(sector_size, b"\x00")

    # Where the FAT sectors are: 109 in the header, the rest in a DIFAT chain.
    fat_sectors = list(struct.unpack_from("<109I", header, 0x4C))
    difat_sector, seen = first_difat_sector, set()
    while difat_sector < _OLE_MAX_REGULAR_SECTOR and len(seen) < num_difat_sectors:
        if difat_sector in seen:
            raise _Damaged
        seen.add(difat_sector)
        values = struct.unpack(f"<{ids_per_sector}I", read_sector(difat_sector))
        fat_sectors.extend(values[:-1])
        difat_sector = values[-1]
    fat_sectors = [s for s in fat_sectors if s < _OLE_MAX_REGULAR_SECTOR]
    fat_sectors = fat_sectors[:sector_count]
    fat_cache: dict[int, tuple[int, ...]] = {}

    def next_sector(sector: int) -> int:
        index, offset = divmod(sector, ids_per_sector)
        if index >= len(fat_sectors):
            raise _Damaged
        if index not in fat_cache:
            fat_cache[index] = struct.unpack(
                f"<{ids_per_sector}I", read_sector(fat_sectors[index])
            )
        return fat_cache[index][offset]

    # The directory: 128-byte entries in the chain of sectors from the header.
    entries: list[tuple[str, int, int, int, int] | None] = []
    sector, seen = first_dir_sector, set()
    while sector != _OLE_END_OF_CHAIN:
        if sector in seen or len(entries) >= _OLE_MAX_ENTRIES:
            raise _Damaged
        seen.add(sector)
        data = read_sector(sector)
        for offset in range(0, sector_size, 128):
            name_length, kind, _color, left, right, child = struct.unpack_from(
                "<HBBIII", data, offset + 64
            )
            if kind in (1, 2, 5) and 2 <= name_length <= 64 and name_length % 2 == 0:
                raw_name = data[offset : offset + name_length - 2]
                entry_name = raw_name.decode("utf-16-le", errors="replace")
                entries.append((entry_name.casefold(), kind, left, right, child))
            else:
                entries.append(None)
        sector = next_sector(sector)
    if not entries or entries[0] is None or entries[0][1] != 5:
        raise _Damaged

    visited: set[int] = set()

    def siblings(start: int) -> list[tuple[str, int, int, int, int]]:
        """The entries of one storage: a binary tree via left/right links."""
        found, stack = [], [start]
        while stack:
            index = stack.pop()
            if index == _OLE_NO_STREAM:
                continue
            if index in visited or index >= len(entries) or entries[index] is None:
                raise _Damaged
            visited.add(index)
            entry = entries[index]
            found.append(entry)
            stack.extend((entry[2], entry[3]))
        return found

    top = siblings(entries[0][4])
    everything, pending = list(top), [e[4] for e in top if e[1] == 1]
    while pending:
        children = siblings(pending.pop())
        everything.extend(children)
        pending.extend(e[4] for e in children if e[1] == 1)
    return {e[0] for e in top}, {e[0] for e in everything}


# --- ZIP containers (.zip, .docx, .xlsx) ------------------------------------

_ZIP_READ_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    OSError,
    RuntimeError,  # encrypted member
    NotImplementedError,  # unsupported compression method
    ValueError,
    struct.error,
)
_DOCX_MAIN = (
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
)
_XLSX_MAIN = (
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
)
_XLSB_MAIN = b"application/vnd.ms-excel.sheet.binary.macroenabled.main"


def _detect_zip(fileobj: IO[bytes], name: str) -> DetectedType:
    declared = _zip_declared_member_count(fileobj)
    if declared is not None and declared > ZIP_MAX_MEMBERS:
        # Refused before zipfile reads a huge central directory into memory.
        raise _rejected("zip_too_many_members", name, count=ZIP_MAX_MEMBERS)
    try:
        fileobj.seek(0)
        with zipfile.ZipFile(fileobj) as archive:
            members = archive.infolist()
            _check_zip_members(members, name)
            return _classify_zip(archive, members, name)
    except RejectedFile:
        raise
    except _ZIP_READ_ERRORS:
        raise _rejected("damaged", name) from None


def _zip_declared_member_count(fileobj: IO[bytes]) -> int | None:
    """The member count in the end-of-central-directory record, if found."""
    fileobj.seek(0, io.SEEK_END)
    size = fileobj.tell()
    tail_size = min(size, 22 + 0xFFFF + 20)
    fileobj.seek(size - tail_size)
    tail = _read_up_to(fileobj, tail_size)
    end = tail.rfind(b"PK\x05\x06")
    if end < 0 or end + 22 > len(tail):
        return None
    (count,) = struct.unpack_from("<H", tail, end + 10)
    if count != 0xFFFF:
        return count
    locator = end - 20
    if locator < 0 or tail[locator : locator + 4] != b"PK\x06\x07":
        return None
    (zip64_end,) = struct.unpack_from("<Q", tail, locator + 8)
    if zip64_end + 56 > size:
        return None
    fileobj.seek(zip64_end)
    record = _read_up_to(fileobj, 56)
    if record[:4] != b"PK\x06\x06":
        return None
    return struct.unpack_from("<Q", record, 32)[0]


def _check_zip_members(members: list[zipfile.ZipInfo], name: str) -> None:
    if not members:
        raise _rejected("zip_empty", name)
    if len(members) > ZIP_MAX_MEMBERS:
        raise _rejected("zip_too_many_members", name, count=ZIP_MAX_MEMBERS)
    limit = settings.DOCUMENT_MAX_BYTES * ZIP_MAX_UNPACKED_FACTOR
    if sum(member.file_size for member in members) > limit:
        raise _rejected("zip_too_large_unpacked", name, limit=_format_mb(limit))
    for member in members:
        if _is_unsafe_member_path(member.filename) or _is_symlink(member):
            raise _rejected("zip_unsafe_path", name)


def _is_unsafe_member_path(path: str) -> bool:
    if path.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", path):
        return True  # absolute, UNC or drive path
    for part in re.split(r"[\\/]", path):
        # "..", and "..." or ".. " which Windows may shorten to "..".
        if part.count(".") >= 2 and not part.strip(". "):
            return True
    return False


def _is_symlink(member: zipfile.ZipInfo) -> bool:
    mode = member.external_attr >> 16
    return member.create_system == 3 and (mode & 0o170000) == 0o120000


def _classify_zip(
    archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], name: str
) -> DetectedType:
    by_lower_name = {member.filename.lower(): member for member in members}
    if any(re.split(r"[\\/]", path)[-1] == "vbaproject.bin" for path in by_lower_name):
        raise _rejected("macros", name)
    content_types = by_lower_name.get("[content_types].xml")
    if content_types is not None:
        # An Office Open XML package; its main part's type says which one.
        with archive.open(content_types) as member:
            declared = member.read(1024 * 1024)
        if declared.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            declared = declared.decode("utf-16", errors="replace").encode()
        # .xlsb's main part is called "macroEnabled" even without macros.
        declared = declared.lower().replace(_XLSB_MAIN, b"")
        if b"macroenabled" in declared:
            # .docm, .xlsm, .pptm, or a file embedding one of them.
            raise _rejected("macros", name)
        if _DOCX_MAIN in declared and _has_folder(by_lower_name, "word/"):
            return DetectedType.of("docx")
        if _XLSX_MAIN in declared and _has_folder(by_lower_name, "xl/"):
            return DetectedType.of("xlsx")
        # PowerPoint, Visio, app packages (.msix, .nupkg) and others.
        raise _rejected("not_accepted", name)
    if members[0].filename == "mimetype":
        # OpenDocument (.odt, .ods), EPUB and other typed containers.
        raise _rejected("not_accepted", name)
    java = "meta-inf/manifest.mf" in by_lower_name and any(
        path.endswith(".class") for path in by_lower_name
    )
    if java or "classes.dex" in by_lower_name:
        raise _rejected("executable", name)  # Java archive or Android app
    return DetectedType.of("zip")


def _has_folder(by_lower_name: dict[str, zipfile.ZipInfo], folder: str) -> bool:
    return any(path.startswith(folder) for path in by_lower_name)


# --- Text (.txt, .csv, .eml) ------------------------------------------------

# Control bytes other than tab, LF, FF and CR. Bytes 0x80-0x9F are not
# counted: they are letters in Windows-1252 and in many other 8-bit
# encodings, and e-mails often mix encodings or carry cut UTF-8 sequences.
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")

_MARKUP_AT_START = re.compile(
    r"<(?:\?xml|!doctype|!--|!\[cdata\[|"
    # a tag with an attribute, or a bare tag such as <Invoice> or <br/>
    r"[a-z][\w.:-]*(?:\s*/?>|[\s/]+[\w.:-]+\s*=)|"
    # a namespaced element such as <rsm:CrossIndustryInvoice
    r"[a-z][\w.-]*:[a-z]|"
    r"(?:html|head|body|script|svg|iframe|frame|frameset|object|embed|meta|"
    r"link|style|title|base|form|img|math|template|table|div|span|p|a|b|i|br|"
    r"h[1-6])\b)",
    re.IGNORECASE,
)
_MARKUP_ANYWHERE = re.compile(
    r"<(?:script|svg|iframe|html|body|object|embed|frameset|\?xml|!doctype\s+html)\b",
    re.IGNORECASE,
)
_SCRIPT_PREFIXES = (
    "#!",
    "@echo off",
    "<?php",
    "<%",
    "#@~^",  # encoded VBScript
    "'use strict'",
    '"use strict"',
    "windows registry editor",
    "regedit4",
    "[internetshortcut]",
    "[desktop entry]",
)
_SCRIPT_ANYWHERE = re.compile(
    r"\bwscript\.(?:shell|createobject|echo)\b|\bcreateobject\s*\(\s*[\"']"
    r"|\bnew\s+activexobject\s*\(|\bstring\.fromcharcode\s*\("
    r"|\b(?:document\.(?:cookie|write|location)|window\.location)\b"
    r"|(?<![\w.])(?-i:eval)\s*\(|\binvoke-(?:expression|webrequest)\b"
    r"|\bdownloadstring\s*\(|\bpowershell(?:\.exe)?\s+-",
    re.IGNORECASE,
)
# Lines that look like program code (JavaScript, VBScript, PowerShell,
# Python, batch), counted against all non-blank lines.
_CODE_LINE = re.compile(
    r"^\s*(?:"
    # JavaScript (case-sensitive, like the language)
    r"(?-i:(?:var|let|const)\s+[\w$]+\s*=|(?:async\s+)?function\b\s*[\w$]*\s*\("
    r"|import\s+(?:[\w${},*\s]+\s+from\s+)?[\"']"
    r"|export\s+(?:default|const|function|class)\b"
    r"|(?:if|for|while|switch|catch)\s*\(.*\)\s*\{\s*$"
    r"|\}\s*(?:else\b.*|catch\b.*|\)\s*;?|;)?\s*$"
    r"|return\b[^;]*;\s*$|module\.exports\b|exports\.\w+\s*=|require\s*\("
    r"|(?:alert|prompt|confirm|eval|fetch|setTimeout|setInterval)\s*\("
    r"|(?:document|window|console|navigator|location)\.[\w$]+"
    r"|.*=>\s*\{?\s*$"
    # Python
    r"|def\s+\w+\s*\(.*\)\s*:\s*$|import\s+[\w.]+\s*$|from\s+[\w.]+\s+import\s+\w)"
    # VBScript, PowerShell and batch (case-insensitive)
    r"|dim\s+\w+|set\s+\w+\s*=|sub\s+\w+\s*\(|end\s+(?:sub|function|if)\b"
    r"|on\s+error\s+resume\s+next|\$[a-z_][\w:]*\s*=|param\s*\("
    r"|rem\s|goto\s+:?\w+\s*$|call\s+:\w+"
    r")",
    re.IGNORECASE,
)
_EML_HEADER = re.compile(r"([!-9;-~]+)[ \t]*:")
_EML_KEY_HEADERS = frozenset(
    ["from", "to", "subject", "date", "received", "message-id", "mime-version"]
)


def _detect_text(head: bytes, truncated: bool, name: str) -> DetectedType:
    text = _decode_text(head, truncated)
    if text is None:
        raise _rejected("not_accepted", name)
    start = text.lstrip("\ufeff \t\r\n\f")
    lowered = start[:MARKUP_SNIFF_CHARS].lower()
    if lowered.startswith(_SCRIPT_PREFIXES):
        raise _rejected("script", name)
    if _MARKUP_AT_START.match(lowered):
        raise _rejected("markup", name)
    if lowered.startswith(("{\\rtf", "%!")):
        raise _rejected("not_accepted", name)  # RTF and PostScript
    if _looks_like_email(text):
        return DetectedType.of("eml")
    if _MARKUP_ANYWHERE.search(lowered):
        raise _rejected("markup", name)
    if _looks_like_script(text):
        raise _rejected("script", name)
    if _looks_like_csv(text, truncated):
        return DetectedType.of("csv")
    return DetectedType.of("txt")


def _decode_text(data: bytes, truncated: bool) -> str | None:
    """The text, as UTF-8 or else Windows-1252/Latin-1; None if binary."""
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        # A sniffed head may end inside a multi-byte character.
        text = codecs.getincrementaldecoder("utf-8")().decode(data, final=not truncated)
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    if _CONTROL_CHARS.search(text):
        return None
    return text


def _looks_like_email(text: str) -> bool:
    """RFC 822 headers up to the first blank line (or the end of the sample)."""
    lines = text.lstrip(" \t\r\n").split("\n")
    if lines and lines[0].startswith("From "):
        lines = lines[1:]  # mbox separator line
    names = []
    for line in lines:
        line = line.rstrip("\r")
        if not line:
            break
        if line[0] in " \t":
            if not names:
                return False
            continue  # folded header
        match = _EML_HEADER.match(line)
        if match is None:
            return False
        names.append(match.group(1).lower())
    return len(names) >= 2 and not _EML_KEY_HEADERS.isdisjoint(names)


def _looks_like_script(text: str) -> bool:
    if _SCRIPT_ANYWHERE.search(text):
        return True
    lines = [line for line in text.splitlines()[:1000] if line.strip()][:200]
    if not lines:
        return False
    code_lines = sum(1 for line in lines if _CODE_LINE.match(line))
    return code_lines >= min(3, len(lines)) and code_lines / len(lines) >= 0.3


def _looks_like_csv(text: str, truncated: bool) -> bool:
    """Several lines split into the same number (2+) of fields by , ; or tab.

    One differing first line is allowed (a title or metadata line, as in
    DATEV exports). csv.Sniffer is not used: it guesses delimiters from
    any character and raises on ordinary text.
    """
    lines = text.splitlines()
    if truncated and len(lines) > 1:
        lines = lines[:-1]  # probably cut off
    sample = "\n".join(lines[:200])
    for delimiter in (";", ",", "\t"):
        try:
            rows = [
                row
                for row in csv.reader(io.StringIO(sample), delimiter=delimiter)
                if any(field.strip() for field in row)
            ]
        except csv.Error:
            continue
        for candidate in (rows, rows[1:]):
            if len(candidate) < 2:
                continue
            width, count = Counter(len(row) for row in candidate).most_common(1)[0]
            if width >= 2 and count >= 2 and count / len(candidate) >= 0.8:
                return True
    return False
