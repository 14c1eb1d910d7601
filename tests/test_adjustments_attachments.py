"""Documents of a request: stored with a random name, served only to those who see the request
(tests/test_adjustments_pages.py), and no file is left behind by a transaction that rolled
back (the daily housekeeping sweep)."""

import datetime
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from adjustments import services
from adjustments.models import Attachment
from core.choices import Role
from core.services import DomainError
from tests.adjustment_builders import request_for


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _files(media) -> list:
    return sorted(path for path in media.rglob("*") if path.is_file())


def test_a_rolled_back_upload_leaves_a_file_that_housekeeping_removes(org, calendar, media):
    clerk = org.users[Role.CLERK]
    kept = request_for(org, event_date=timezone.localdate() - datetime.timedelta(days=1))
    kept = services.adjustment_submit(
        actor=clerk, request=kept, files=[SimpleUploadedFile("依据.pdf", b"%PDF-1.4 kept")]
    )
    # A submit refused after the file was stored (its request proposes nothing) rolls back:
    # the row goes, the file stays.
    empty = services.adjustment_create(
        actor=clerk,
        trigger="internal",
        event_date=timezone.localdate(),
        summary="没有草稿的申请",
    )
    with pytest.raises(DomainError), transaction.atomic():
        services.adjustment_update(
            actor=clerk,
            request=empty,
            trigger="internal",
            event_date=timezone.localdate(),
            summary="没有草稿的申请",
            files=[SimpleUploadedFile("草稿.pdf", b"%PDF-1.4 lost")],
        )
        services.adjustment_submit(actor=clerk, request=empty)
    stored = _files(media)
    assert len(stored) == 2
    (attachment,) = Attachment.objects.all()
    orphan = next(path for path in stored if not str(path).endswith(attachment.file.name))

    # Too recent: it may belong to a transaction still under way.
    assert services.attachment_orphans_remove() == 0
    old = (timezone.now() - datetime.timedelta(days=2)).timestamp()
    for path in stored:
        os.utime(path, (old, old))
    assert services.attachment_orphans_remove() == 1
    assert not orphan.exists()
    assert _files(media) == [media / attachment.file.name]
    with attachment.file.open("rb") as handle:
        assert handle.read() == b"%PDF-1.4 kept"
