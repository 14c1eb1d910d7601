"""Files of inspection records, rectification reports and milestones: checked by content
(core.checkers.upload_problem), stored under a random name, never public."""

from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile

from core.checkers import upload_sha256, uploads_problems
from core.models import User
from core.services import DomainError

from ..models import Attachment

SUFFIXES = frozenset({"pdf", "ofd", "jpg", "jpeg", "png", "doc", "docx", "xls", "xlsx"})
# This product's defaults: a rectification's evidence is scanned papers and photographs.
MAX_FILES = 10
MAX_BYTES = 20 * 1024 * 1024


def files_problems(files: Sequence[UploadedFile]) -> list[str]:
    """Why these files cannot be attached (translated messages), or an empty list."""
    return uploads_problems(files, suffixes=SUFFIXES, max_files=MAX_FILES, max_bytes=MAX_BYTES)


def files_save(files: Sequence[UploadedFile], *, actor: User, **owner) -> list[Attachment]:
    """Saves checked files for one owner (record=, report= or milestone=); raises DomainError
    with every problem found, saving none."""
    problems = files_problems(files)
    if problems:
        raise DomainError(" ".join(problems))
    saved = []
    for upload in files:
        saved.append(
            Attachment.objects.create(
                file=upload,
                name=(upload.name or "")[:200],
                size=upload.size,
                sha256=upload_sha256(upload),
                uploaded_by=actor,
                **owner,
            )
        )
    return saved
