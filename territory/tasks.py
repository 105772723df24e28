"""Celery tasks of the territory: thin wrappers over territory.services (no rules here)."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def sync_groups_of_ended_seats():
    """Nightly: take the commission group away from members whose last seat ended by date."""
    return services.sync_groups_of_ended_seats()
