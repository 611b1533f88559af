"""Beat's schedule lives in the database (django_celery_beat's DatabaseScheduler): the
nightly generation of calendar sessions is one periodic task there, editable in admin."""

from django.conf import settings
from django.db import migrations

TASK_NAME = "docket: generate calendar sessions ahead"


def add_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="15",
        hour="2",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone=settings.TIME_ZONE,
    )
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={
            "task": "docket.tasks.sessions_generate_ahead",
            "crontab": crontab,
            "description": "Every night: each active session template's sessions from today "
            "to DOCKET_SESSION_WEEKS_AHEAD weeks ahead (default 8); idempotent.",
        },
    )


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("docket", "0003_scheduling"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(add_schedule, remove_schedule)]
