from __future__ import annotations

from celery import shared_task

from lpse.providers.services.registration import registrations_expire_due


@shared_task
def expire_registrations() -> int:
    return registrations_expire_due()
