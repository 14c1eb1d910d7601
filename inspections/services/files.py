"""Files of inspection records, rectification reports and milestones: checked by content
(core.checkers.upload_problem), stored under a random name, never public."""

import hashlib
from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from core.checkers import upload_problem
from core.models import User
from core.services import DomainError

from ..models import Attachment

SUFFIXES = frozenset({"pdf", "ofd", "jpg", "jpeg", "png", "doc", "docx", "xls", "xlsx"})
# This product's defaults: a rectification's evidence is scanned papers and photographs.
MAX_FILES = 10
MAX_BYTES = 20 * 1024 * 1024


def files_problems(files: Sequence[UploadedFile]) -> list[str]:
    """Why these files cannot be attached (translated messages), or an empty list."""
    problems = []
    if len(files) > MAX_FILES:
        problems.append(_("Attach at most %(count)s files.") % {"count": MAX_FILES})
    for upload in files:
        problem = upload_problem(upload, suffixes=SUFFIXES)
        if problem:
            problems.append(problem)
        elif upload.size > MAX_BYTES:
            problems.append(
                _("“%(name)s” is larger than %(size)s MB.")
                % {"name": upload.name, "size": MAX_BYTES // (1024 * 1024)}
            )
    return problems


def files_save(files: Sequence[UploadedFile], *, actor: User, **owner) -> list[Attachment]:
    """Saves checked files for one owner (record=, report= or milestone=); raises DomainError
    with every problem found, saving none."""
    problems = files_problems(files)
    if problems:
        raise DomainError(" ".join(problems))
    saved = []
    for upload in files:
        upload.seek(0)
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        saved.append(
            Attachment.objects.create(
                file=upload,
                name=(upload.name or "")[:200],
                size=upload.size,
                sha256=digest.hexdigest(),
                uploaded_by=actor,
                **owner,
            )
        )
    return saved
