from django.db import models

from core.models import TimedStep


class TimedThing(TimedStep):
    title = models.CharField(max_length=100)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title


class Case(models.Model):
    """Test-only: a record of a procedure declared with core.workflow, shaped like a
    complaint or an inspection (a state, an owner, open steps held by people)."""

    title = models.CharField(max_length=100)
    state = models.CharField(max_length=20, default="new")
    owner = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title


class CaseStep(TimedStep):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(max_length=20)
    holder = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.case} {self.kind}"


class CaseEvent(models.Model):
    """Append-only, like RequestEvent."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    step = models.ForeignKey(CaseStep, null=True, on_delete=models.PROTECT, related_name="+")
    transition = models.CharField(max_length=20)
    actor = models.ForeignKey("core.User", null=True, on_delete=models.PROTECT, related_name="+")
    from_state = models.CharField(max_length=20)
    to_state = models.CharField(max_length=20)
    at = models.DateTimeField()
    detail = models.JSONField(default=dict)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.case} {self.transition}"
