"""Calendars: courtrooms (sessions, hearings and deadlines follow)."""

from django.db import models

from casemgmt.core.models import Court


class Courtroom(models.Model):
    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="courtrooms")
    name = models.CharField(max_length=100)
    location = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["court", "name"]
        constraints = [
            models.UniqueConstraint(fields=["court", "name"], name="docket_courtroom_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.court.code})"
