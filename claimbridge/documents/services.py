"""Storing uploaded files; the caller's transaction makes them part of an event."""

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import IO, Any

from django.core.files.uploadedfile import UploadedFile

from claimbridge.accounts.models import User
from claimbridge.audit.models import AuditEvent
from claimbridge.audit.services import record_event
from claimbridge.organisations.models import Organisation

from .models import Document
from .validation import DetectedType, check_upload, clean_filename

_stored_files: ContextVar[list[tuple[Any, str]] | None] = ContextVar(
    "stored_files", default=None
)


def validate_uploads(files: list[UploadedFile]) -> list[DetectedType]:
    """Check every file before anything is written; raises RejectedFile."""
    return [check_upload(f, name=f.name or "", size=f.size or 0) for f in files]


def _sha256(fileobj: IO[bytes]) -> str:
    digest = hashlib.sha256()
    fileobj.seek(0)
    for chunk in iter(lambda: fileobj.read(1024 * 1024), b""):
        digest.update(chunk)
    fileobj.seek(0)
    return digest.hexdigest()


def store_document(
    *,
    case: Any,
    uploaded: UploadedFile,
    detected: DetectedType,
    kind: str,
    actor: User,
    organisation: Organisation,
    upload_token: Any = None,
) -> Document:
    """Store one checked file on a case and record it in the audit trail.

    Must run inside the caller's transaction, itself inside
    `discard_files_on_error()`, so a rollback leaves no orphan file.
    """
    sha256 = _sha256(uploaded)
    document = Document(
        case=case,
        organisation=organisation,
        uploaded_by=actor,
        kind=kind or Document.Kind.OTHER,
        original_name=clean_filename(uploaded.name or ""),
        extension=detected.extension,
        content_type=detected.content_type,
        size=uploaded.size or 0,
        sha256=sha256,
        upload_token=upload_token,
    )
    document.file.save("upload", uploaded, save=False)
    _remove_file_on_rollback(document.file.storage, document.file.name)
    document.save()
    record_event(
        action=AuditEvent.Action.DOCUMENT_ADDED,
        actor=actor,
        organisation=organisation,
        case=case,
        changes={
            "document": document.pk,
            "name": document.original_name,
            "sha256": sha256,
            "size": document.size,
        },
        summary=f"{document.original_name} ({document.get_kind_display()})",
    )
    return document


@contextmanager
def discard_files_on_error() -> Iterator[None]:
    """Remove files stored inside the block if the block fails.

    Wrap it around the transaction that stores documents: a rollback removes
    the rows, this removes the bytes, so no orphan file stays behind.
    """
    stored: list[tuple[Any, str]] = []
    token = _stored_files.set(stored)
    try:
        yield
    except BaseException:
        for storage, name in stored:
            storage.delete(name)
        raise
    finally:
        _stored_files.reset(token)


def _remove_file_on_rollback(storage: Any, name: str) -> None:
    stored = _stored_files.get()
    if stored is not None:
        stored.append((storage, name))


def record_download(
    *, document: Document, actor: User, organisation: Organisation
) -> None:
    """Record who took a copy of a file, for both organisations' security logs.

    `organisation` is the downloader's; the file's own organisation is kept in
    `changes["owner"]`. Not on the case timeline: a download changes nothing.
    """
    record_event(
        action=AuditEvent.Action.DOCUMENT_DOWNLOADED,
        actor=actor,
        organisation=organisation,
        changes={
            "document": document.pk,
            "case": document.case_id,
            "owner": document.organisation_id,
            "name": document.original_name,
            "sha256": document.sha256,
        },
        summary=f"{document.original_name} (CB-{document.case_id:06d})",
    )
