"""The documents of requests and opinions: checked by content (core.checkers), never public."""

import datetime
from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from core.checkers import upload_sha256, uploads_problems
from core.models import User

from ..models import (
    AdjustmentRequest,
    Attachment,
    RequestEvent,
)

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_ATTACHMENTS = 10
# Office documents, scans and archives of them; OFD and WPS are the Chinese formats.
ATTACHMENT_SUFFIXES = frozenset(
    {
        "pdf",
        "ofd",
        "doc",
        "docx",
        "wps",
        "xls",
        "xlsx",
        "et",
        "txt",
        "jpg",
        "jpeg",
        "png",
        "tif",
        "tiff",
        "zip",
    }
)


def attachment_problems(files: Sequence[UploadedFile]) -> list[str]:
    """Why these files cannot be attached (forms show the same messages before saving). The
    type is decided by the content, by the one upload checker of the product
    (core.checkers.upload_problem): an ELF or HTML file named .pdf is refused."""
    return uploads_problems(
        files,
        suffixes=ATTACHMENT_SUFFIXES,
        max_files=MAX_ATTACHMENTS,
        max_bytes=MAX_ATTACHMENT_BYTES,
    )


def _attachments_save(
    request: AdjustmentRequest,
    event: RequestEvent,
    files: Sequence[UploadedFile],
    actor: User | None,
) -> list[Attachment]:
    saved = []
    for upload in files:
        attachment = Attachment(
            request=request,
            event=event,
            name=(upload.name or "file")[:200],
            size=upload.size,
            sha256=upload_sha256(upload),
            uploaded_by=actor if actor is not None and actor.is_authenticated else None,
        )
        attachment.file.save(upload.name or "file", upload, save=False)
        attachment.save()
        saved.append(attachment)
    return saved


# An upload younger than this may belong to a transaction still under way.
ORPHAN_AGE = datetime.timedelta(days=1)


def attachment_orphans_remove(*, now: datetime.datetime | None = None) -> int:
    """Housekeeping (daily, config/celery.py): a document is stored when its transaction
    saves it, so a transaction that is then rolled back (a refused submit, say) leaves its
    file behind with no Attachment row. Files under the attachments' folder that no row names
    and that are older than ORPHAN_AGE are deleted. Returns how many."""
    now = now or timezone.now()
    storage = Attachment._meta.get_field("file").storage
    known = set(Attachment.objects.values_list("file", flat=True))
    removed = 0
    folders = ["adjustments"]
    while folders:
        folder = folders.pop()
        if not storage.exists(folder):
            continue
        subfolders, files = storage.listdir(folder)
        folders += [f"{folder}/{name}" for name in subfolders]
        for name in files:
            path = f"{folder}/{name}"
            if path not in known and storage.get_modified_time(path) < now - ORPHAN_AGE:
                storage.delete(path)
                removed += 1
    return removed
