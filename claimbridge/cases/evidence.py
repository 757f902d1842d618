"""The evidence export of a case (DESIGN §8): one ZIP a lawyer can file and verify.

The ZIP holds `case-CB-000123.pdf` (parties, claims, status history, the whole
chat, the file list with SHA-256 and the audit timeline), every file that was
not removed under `files/<nn>-<name>`, and `SHA256SUMS`, which `sha256sum -c`
reads. Each stored file is hashed while it is copied; a file whose bytes are
gone or differ from the SHA-256 recorded at upload is reported in the PDF and
fails that check, instead of being left out without a word.

The PDF is rendered by xhtml2pdf from `cases/evidence.html`. Nothing here
writes to the database: the view records the export through a service.
"""

import enum
import hashlib
import io
import logging
import tempfile
import zipfile
import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any, NamedTuple

import reportlab
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import ResourceAccessPolicy

from claimbridge.accounts.models import User
from claimbridge.audit.models import AuditEvent
from claimbridge.documents.models import Document
from claimbridge.documents.validation import clean_filename
from claimbridge.messaging.models import Message
from claimbridge.organisations.models import Organisation

from .models import Case
from .selectors import CaseEvidence, case_evidence

logger = logging.getLogger(__name__)

# Up to this many bytes of the ZIP stay in memory; beyond, it goes to a temporary
# file (a case may hold many files of up to 25 MB each).
SPOOL_MAX_BYTES = 8 * 1024 * 1024
COPY_CHUNK_BYTES = 1024 * 1024
# Formats that are compressed already gain nothing from deflating again.
STORED_EXTENSIONS = {"pdf", "jpg", "png", "zip", "docx", "xlsx"}
DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
TIME_FORMAT = "Y-m-d H:i:s T"
# Audit details left out of the PDF: database ids mean nothing to its reader,
# and the kind of a message or task is in the summary or the chat already.
ID_KEYS = {"document", "message", "task"}
KIND_KEY = "kind"
# Audit actions whose `changes` hold [old, new] pairs; other actions hold lists.
PAIR_ACTIONS = {
    AuditEvent.Action.CASE_CREATED,
    AuditEvent.Action.CASE_STATUS_CHANGED,
    AuditEvent.Action.CASE_EDITED,
    AuditEvent.Action.CLAIM_CORRECTED,
}


class EvidenceExportError(RuntimeError):
    """The PDF could not be rendered; no ZIP is handed out."""


class FileCheck(enum.StrEnum):
    VERIFIED = "verified"
    HASH_MISMATCH = "hash_mismatch"
    MISSING = "missing"
    REMOVED = "removed"


@dataclass
class FileRow:
    number: int
    document: Document
    entry_name: str
    check: FileCheck = FileCheck.REMOVED
    actual_sha256: str = ""

    @property
    def is_in_zip(self) -> bool:
        return self.check in (FileCheck.VERIFIED, FileCheck.HASH_MISMATCH)

    @property
    def check_label(self) -> str:
        return {
            FileCheck.VERIFIED: _("Verified"),
            FileCheck.HASH_MISMATCH: _("HASH MISMATCH"),
            FileCheck.MISSING: _("MISSING"),
            FileCheck.REMOVED: _("Removed"),
        }[self.check]


@dataclass
class ChatRow:
    message: Message
    attachments: list[FileRow] = field(default_factory=list)


@dataclass
class TimelineRow:
    event: AuditEvent
    details: str


class EvidenceZip(NamedTuple):
    filename: str
    file: IO[bytes]
    sha256: str


@dataclass(frozen=True)
class Fonts:
    regular: Path
    bold: Path
    mono: Path | None

    @property
    def directories(self) -> tuple[Path, ...]:
        paths = [self.regular, self.bold, self.mono]
        return tuple({p.parent for p in paths if p is not None})


def evidence_fonts() -> Fonts:
    """Unicode TrueType fonts: DejaVu where the system has it, else ReportLab's Vera.

    The PDF's built-in fonts know Latin-1 only; a debtor called Ødegård or
    Шевченко must survive into the evidence. Vera covers Western European
    letters but neither Cyrillic nor arrows (→), so servers should have DejaVu
    (Debian: fonts-dejavu-core).
    """
    if (DEJAVU_DIR / "DejaVuSans.ttf").is_file():
        return Fonts(
            regular=DEJAVU_DIR / "DejaVuSans.ttf",
            bold=DEJAVU_DIR / "DejaVuSans-Bold.ttf",
            mono=DEJAVU_DIR / "DejaVuSansMono.ttf",
        )
    logger.warning(
        "DejaVu fonts not found in %s: the evidence PDF uses Vera", DEJAVU_DIR
    )
    vera = Path(reportlab.__file__).parent / "fonts"
    return Fonts(regular=vera / "Vera.ttf", bold=vera / "VeraBd.ttf", mono=None)


def build_evidence_zip(
    case: Case, *, side: str, exported_by: User, organisation: Organisation
) -> EvidenceZip:
    """The evidence ZIP of a case, as the exporting organisation sees it.

    Times are shown in the exporting organisation's time zone. The returned
    file is positioned at its start; the caller closes it.
    """
    evidence = case_evidence(case, side)
    zone = zoneinfo.ZoneInfo(organisation.time_zone)
    exported_at = timezone.now()
    files = _file_rows(evidence.documents)
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_BYTES)  # noqa: SIM115
    try:
        with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for row in files:
                if row.document.removed_at is None:
                    _copy_into(archive, row, zone)
            pdf_name = f"case-{case.reference}.pdf"
            with timezone.override(zone):
                pdf = render_evidence_pdf(
                    _context(
                        evidence,
                        files,
                        side=side,
                        exported_by=exported_by,
                        organisation=organisation,
                        exported_at=exported_at,
                        zone=zone,
                        pdf_name=pdf_name,
                    )
                )
            archive.writestr(_entry(pdf_name, exported_at, zone), pdf)
            archive.writestr(
                _entry("SHA256SUMS", exported_at, zone),
                _checksums(pdf_name, pdf, files),
            )
        digest = _sha256_of(spool)
    except BaseException:
        spool.close()
        raise
    filename = f"evidence-{case.reference}-{exported_at.astimezone(zone):%Y%m%d}.zip"
    return EvidenceZip(filename=filename, file=spool, sha256=digest)


def render_evidence_pdf(context: dict[str, Any]) -> bytes:
    """The case PDF from `cases/evidence.html`; raises EvidenceExportError."""
    fonts: Fonts = context["fonts"]
    html = render_to_string("cases/evidence.html", context)
    output = io.BytesIO()
    # The template is ours and user text in it is escaped; the policy still
    # keeps the renderer off the network and out of every directory but the
    # fonts'.
    policy = ResourceAccessPolicy(
        allow_remote=False, base_dir=None, extra_roots=fonts.directories
    )
    result = pisa.CreatePDF(html, dest=output, encoding="utf-8", resource_policy=policy)
    if result.err:
        raise EvidenceExportError(f"xhtml2pdf reported {result.err} error(s)")
    return output.getvalue()


def zip_entry_name(number: int, width: int, original_name: str) -> str:
    """`files/<nn>-<name>`: the number makes names unique and matches the PDF."""
    name = clean_filename(original_name).replace("/", "_").replace("\\", "_")
    return f"files/{number:0{width}d}-{name}"


def _file_rows(documents: list[Document]) -> list[FileRow]:
    width = max(2, len(str(len(documents))))
    return [
        FileRow(
            number=number,
            document=document,
            entry_name=zip_entry_name(number, width, document.original_name),
        )
        for number, document in enumerate(documents, start=1)
    ]


def _entry(name: str, when: datetime, zone: zoneinfo.ZoneInfo) -> zipfile.ZipInfo:
    local = when.astimezone(zone)
    info = zipfile.ZipInfo(name, date_time=local.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    # Unpacked files readable by everyone, as a downloaded file would be.
    info.external_attr = 0o644 << 16
    return info


def _copy_into(archive: zipfile.ZipFile, row: FileRow, zone: zoneinfo.ZoneInfo) -> None:
    """Copy one stored file into the ZIP, hashing it on the way."""
    document = row.document
    try:
        source = document.file.storage.open(document.file.name, "rb")
    except (OSError, ValueError):
        row.check = FileCheck.MISSING
        return
    info = _entry(row.entry_name, document.uploaded_at, zone)
    if document.extension in STORED_EXTENSIONS:
        info.compress_type = zipfile.ZIP_STORED
    digest = hashlib.sha256()
    with source, archive.open(info, "w") as target:
        for chunk in iter(lambda: source.read(COPY_CHUNK_BYTES), b""):
            digest.update(chunk)
            target.write(chunk)
    row.actual_sha256 = digest.hexdigest()
    row.check = (
        FileCheck.VERIFIED
        if row.actual_sha256 == document.sha256
        else FileCheck.HASH_MISMATCH
    )


def _checksums(pdf_name: str, pdf: bytes, files: list[FileRow]) -> str:
    """`sha256sum -c` input: the PDF, then every file with the hash recorded at upload.

    A missing file is listed too, so the check reports it instead of passing.
    """
    lines = [f"{hashlib.sha256(pdf).hexdigest()}  {pdf_name}"]
    lines += [
        f"{row.document.sha256}  {row.entry_name}"
        for row in files
        if row.document.removed_at is None
    ]
    return "\n".join(lines) + "\n"


def _sha256_of(fileobj: IO[bytes]) -> str:
    digest = hashlib.sha256()
    fileobj.seek(0)
    for chunk in iter(lambda: fileobj.read(COPY_CHUNK_BYTES), b""):
        digest.update(chunk)
    fileobj.seek(0)
    return digest.hexdigest()


def _context(
    evidence: CaseEvidence,
    files: list[FileRow],
    *,
    side: str,
    exported_by: User,
    organisation: Organisation,
    exported_at: datetime,
    zone: zoneinfo.ZoneInfo,
    pdf_name: str,
) -> dict[str, Any]:
    by_id = {row.document.pk: row for row in files}
    chat = [
        ChatRow(
            message=message,
            attachments=[
                by_id[d.pk] for d in message.attachments.all() if d.pk in by_id
            ],
        )
        for message in evidence.chat
    ]
    return {
        "case": evidence.case,
        "side": side,
        "claim_lines": evidence.claim_lines,
        "status_changes": evidence.status_changes,
        "chat": chat,
        "files": files,
        "files_in_zip": sum(1 for row in files if row.is_in_zip),
        "problems": [
            row
            for row in files
            if row.check in (FileCheck.MISSING, FileCheck.HASH_MISMATCH)
        ],
        "timeline": [
            TimelineRow(event=e, details=_describe_changes(e))
            for e in evidence.timeline
        ],
        "merged_cases": evidence.merged_cases,
        "exported_by": exported_by,
        "organisation": organisation,
        "exported_at": exported_at,
        "time_zone": zone.key,
        "time_format": TIME_FORMAT,
        "pdf_name": pdf_name,
        "fonts": evidence_fonts(),
    }


def _describe_changes(event: AuditEvent) -> str:
    """The event's recorded details as one line: `field: old → new; other: value`."""
    parts = []
    pairs = event.action in PAIR_ACTIONS
    for key, value in (event.changes or {}).items():
        if (key in ID_KEYS and isinstance(value, int)) or key == KIND_KEY:
            continue
        if pairs and isinstance(value, list) and len(value) == 2:
            old, new = (str(v) if v not in (None, "") else "—" for v in value)
            parts.append(f"{key}: {old} → {new}")
        elif isinstance(value, list):
            if value:
                parts.append(f"{key}: {', '.join(str(v) for v in value)}")
        elif value not in (None, ""):
            parts.append(f"{key}: {value}")
    return "; ".join(parts)
