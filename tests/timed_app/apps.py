from django.apps import AppConfig


class TimedAppConfig(AppConfig):
    """Test-only: a concrete TimedStep so the calendar's recomputation is tested on a real
    table without depending on the workflow apps."""

    name = "tests.timed_app"
    label = "timed_app"
