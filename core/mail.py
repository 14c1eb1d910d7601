"""The e-mail backend of `make run` (config/settings/local.py): one INFO log line per message.

Django's console backend writes each message in full to stdout; under the Celery worker that
run_all starts, stdout is redirected to the log at WARNING, so every notification became some
fifty WARNING lines that bury what the developer looks for (issue 10 §9)."""

import logging

from django.core.mail.backends.base import BaseEmailBackend

logger = logging.getLogger("qingdan.mail")


class LoggingEmailBackend(BaseEmailBackend):
    """Sends nothing: logs who would get which subject, and how long the body is."""

    def send_messages(self, email_messages) -> int:
        for message in email_messages:
            logger.info(
                "e-mail to %s: %s (%d characters, not sent: local settings)",
                ", ".join(message.recipients()) or "-",
                " ".join(str(message.subject).split()),
                len(message.body or ""),
            )
        return len(email_messages)
