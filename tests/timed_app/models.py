from django.db import models

from core.models import TimedStep


class TimedThing(TimedStep):
    title = models.CharField(max_length=100)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title
