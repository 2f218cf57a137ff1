"""Celery for production: ``celery -A fieldscan.jobs.celery_app worker -B``.

Uses ``FIELDSCAN_REDIS_URL`` as broker. Each task runs inside the Flask app context and
calls the same functions as ``fieldscan worker``.
"""

from __future__ import annotations

from celery import Celery, Task

from fieldscan import create_app


def make_celery(app=None) -> Celery:
    """A Celery app bound to a fieldscan app, with the periodic schedule."""
    flask_app = app or create_app()
    broker = flask_app.config.get("FIELDSCAN_REDIS_URL") or "memory://"

    class AppContextTask(Task):
        def __call__(self, *args, **kwargs):
            with flask_app.app_context():
                return self.run(*args, **kwargs)

    celery = Celery("fieldscan", broker=broker, task_cls=AppContextTask)
    celery.conf.update(
        task_acks_late=True,  # a task that dies mid-run is delivered again (at least once)
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_always_eager=bool(flask_app.config.get("TESTING")),
        beat_schedule={
            "send-outbox": {"task": "fieldscan.send_outbox", "schedule": 2.0},
            "queue-reminders": {"task": "fieldscan.queue_reminders", "schedule": 60.0},
            "run-analysis": {"task": "fieldscan.run_analysis", "schedule": 300.0},
        },
    )

    @celery.task(name="fieldscan.send_outbox", shared=False)
    def send_outbox_task() -> int:
        from fieldscan.jobs import work

        return work.send_outbox().sent

    @celery.task(name="fieldscan.queue_reminders", shared=False)
    def queue_reminders_task() -> int:
        from fieldscan.jobs import work

        return work.queue_reminders()

    @celery.task(name="fieldscan.run_analysis", shared=False)
    def run_analysis_task() -> int:
        from fieldscan.jobs import work

        return work.run_analysis()

    return celery


def __getattr__(name: str):
    # ``celery -A fieldscan.jobs.celery_app`` looks up ``celery``; build it on first use so
    # importing this module never creates an app by itself.
    if name == "celery":
        globals()["celery"] = make_celery()
        return globals()["celery"]
    raise AttributeError(name)
