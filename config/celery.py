"""The Celery app: configuration from Django settings (namespace CELERY), tasks autodiscovered."""

import os

from celery import Celery, signals

from infra.outages import DATABASE, dependency_of, probe_database, tracker

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("forum")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# Operators see a database or broker outage in the worker's log once as it begins and once as it
# ends (infra/outages.py), besides Celery's own line per retried task.
@signals.task_retry.connect
@signals.task_failure.connect
def _note_outage(sender=None, reason=None, exception=None, **kwargs):
    error = reason if reason is not None else exception
    dependency = dependency_of(error)
    if dependency is not None:
        tracker.failed(dependency, error)


@signals.task_success.connect
def _note_recovery(sender=None, **kwargs):
    if tracker.is_down(DATABASE):  # only while down: a task may not have touched the database
        probe_database()
