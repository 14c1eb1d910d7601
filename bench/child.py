"""The parts of `make bench` that run inside Django (issue 11 §2), each in a process of its
own started by the orchestrator with the served site's environment:

    python -m bench.child pages OUTPUT            (bench.pages)
    python -m bench.child operation NAME OUTPUT   (bench.operations)

An operation's tasks (e-mails, a calendar revision's trigger) go to kombu's in-memory transport
of its process and are dropped: the scratch register must never feed a worker through a real
broker. Celery reads CELERY_BROKER_URL from the environment before its own settings, so the
variables are set here before Django loads, and the transport is checked before anything runs."""

import os
import sys

MEMORY_BROKER = "memory://localhost/"
BROKER_VARIABLES = ("CELERY_BROKER_URL", "CELERY_BROKER_READ_URL", "CELERY_BROKER_WRITE_URL")


def broker_isolate() -> None:
    for name in BROKER_VARIABLES:
        os.environ[name] = MEMORY_BROKER


def broker_check() -> None:
    from config.celery import app

    with app.connection_for_write() as connection:
        transport = connection.transport.driver_type
    if transport != "memory":
        raise RuntimeError(f"the bench would publish its tasks to {transport}")


def main() -> None:
    part, *argv = sys.argv[1:]
    if part == "operation":
        broker_isolate()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    import django

    django.setup()
    if part == "operation":
        broker_check()
        from . import operations

        operations.main(argv)
    elif part == "pages":
        from . import pages

        pages.main(argv)
    else:
        raise SystemExit(f"unknown part {part}: pages or operation")


if __name__ == "__main__":
    main()
