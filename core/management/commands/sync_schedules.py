from __future__ import annotations

import json

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask, PeriodicTasks

PREFIX = "waypoint: "


class Command(BaseCommand):
    help = (
        "Install the periodic tasks of settings.WAYPOINT_SCHEDULES in django-celery-beat, by name: created "
        "when missing, updated when changed, and waypoint tasks no longer listed are disabled. Idempotent."
    )

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        wanted = settings.WAYPOINT_SCHEDULES
        for name, spec in wanted.items():
            if not name.startswith(PREFIX):
                raise ValueError(f"Schedule names start with {PREFIX!r}: {name!r}")
            crontab = interval = None
            if "crontab" in spec:
                crontab, _ = CrontabSchedule.objects.get_or_create(
                    minute=spec["crontab"].get("minute", "0"),
                    hour=spec["crontab"].get("hour", "*"),
                    day_of_week=spec["crontab"].get("day_of_week", "*"),
                    day_of_month=spec["crontab"].get("day_of_month", "*"),
                    month_of_year=spec["crontab"].get("month_of_year", "*"),
                    # Explicit zone: the daily run follows the workspace's midnight, DST included.
                    timezone=settings.TIME_ZONE,
                )
            else:
                interval, _ = IntervalSchedule.objects.get_or_create(
                    every=spec["every_seconds"], period=IntervalSchedule.SECONDS
                )
            values = {
                "task": spec["task"],
                "crontab": crontab,
                "interval": interval,
                "kwargs": json.dumps(spec.get("kwargs", {})),
                "expire_seconds": int(spec["expires_hours"] * 3600) if spec.get("expires_hours") else None,
                "description": spec.get("description", ""),
                "enabled": True,
            }
            task, created = PeriodicTask.objects.get_or_create(name=name, defaults=values)
            changed = [key for key, value in values.items() if getattr(task, key) != value]
            if changed:
                for key in changed:
                    setattr(task, key, values[key])
                task.save()
            self.stdout.write(f"{'created' if created else 'updated' if changed else 'unchanged'}: {name}")
        stale = PeriodicTask.objects.filter(name__startswith=PREFIX, enabled=True).exclude(
            name__in=list(wanted)
        )
        for name in stale.values_list("name", flat=True):
            self.stdout.write(f"disabled: {name}")
        stale.update(enabled=False)
        # Bulk updates skip the signals beat listens to; tell it to reload.
        PeriodicTasks.update_changed()
