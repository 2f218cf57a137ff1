"""Background work: the outbox sender, reminders and analysis jobs.

In production they run as Celery tasks with Redis (:mod:`fieldscan.jobs.celery_app`); in the
embedded default ``fieldscan worker`` runs the same functions in a loop, without a broker.
"""
