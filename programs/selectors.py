"""Reads of program records: one record for a user (404 when not visible) and a
participant's timeline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.http import Http404

from .models import (
    ComplianceFlag,
    Enrollment,
    EnrollmentStatusChange,
    FlagStatus,
    PhaseChange,
    ProgramResponse,
    Referral,
    ServiceEvent,
)


def referral_get_visible(user, pk) -> Referral:
    """The referral `pk` if `user` may see it (programs.querysets), else Http404."""
    try:
        return (
            Referral.objects.visible_to(user)
            .select_related("case__court", "program__court", "participant__person", "referred_by")
            .get(pk=pk)
        )
    except (Referral.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such referral.") from exc


def enrollment_get_visible(user, pk) -> Enrollment:
    """The enrollment `pk` if `user` may see it (programs.querysets), else Http404."""
    try:
        return (
            Enrollment.objects.visible_to(user)
            .select_related(
                "case__court",
                "program__court",
                "participant__person",
                "phase",
                "referral",
                "fee_obligation",
            )
            .get(pk=pk)
        )
    except (Enrollment.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such enrollment.") from exc


# --- timeline ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineItem:
    """One thing on a participant's timeline."""

    on: dt.date  # the court-local date it happened or took effect
    at: dt.datetime  # when it was recorded (orders items of one day)
    kind: str  # event, void, flag, response, phase, status
    title: str
    detail: str = ""
    by: str = ""
    obj: Any = None
    voided: bool = False  # an event a later entry voided


def _who(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _event_words(event: ServiceEvent) -> tuple[str, str]:
    label = event.get_kind_display()
    if event.voids_id is not None:
        return f"Entry voided: {label.lower()} of {event.voids.occurred_on:%Y-%m-%d}", event.notes
    parts: list[str] = []
    if event.drug_test_result:
        result = event.get_drug_test_result_display()
        parts.append(f"{result}" + (f" ({event.substances})" if event.substances else ""))
    if event.attendance:
        parts.append(event.get_attendance_display())
    if event.completed:
        parts.append("completed")
    if event.hours is not None:
        hours = format(event.hours, "f").rstrip("0").rstrip(".")
        parts.append(f"{hours} {'hour' if event.hours == 1 else 'hours'}")
    if event.site_id:
        parts.append(f"at {event.site.name}")
    if event.supervisor_name:
        parts.append(f"supervised by {event.supervisor_name}")
    detail = ", ".join(parts)
    if event.notes:
        detail = f"{detail}. {event.notes}" if detail else event.notes
    title = event.requirement.name if event.requirement_id else label
    return title, detail


def enrollment_timeline(enrollment: Enrollment) -> list[TimelineItem]:
    """Everything that happened in the enrollment, newest first: service events (and their
    voids), compliance flags, sanctions and incentives, phase and status changes.
    Six queries whatever the length."""
    items: list[TimelineItem] = []
    events = list(
        ServiceEvent.objects.filter(enrollment=enrollment).select_related(
            "requirement", "site", "recorded_by", "voids"
        )
    )
    voided = {e.voids_id for e in events if e.voids_id is not None}
    for event in events:
        title, detail = _event_words(event)
        items.append(
            TimelineItem(
                on=event.occurred_on,
                at=event.recorded_at,
                kind="void" if event.voids_id else "event",
                title=title,
                detail=detail,
                by=_who(event.recorded_by),
                obj=event,
                voided=event.pk in voided,
            )
        )
    for flag in ComplianceFlag.objects.filter(enrollment=enrollment).select_related("resolved_by"):
        detail = flag.detail
        if flag.status == FlagStatus.RESOLVED:
            detail += f" Resolved {flag.resolved_on:%Y-%m-%d}: {flag.resolution_note}"
        items.append(
            TimelineItem(
                on=flag.raised_on,
                at=flag.created_at,
                kind="flag",
                title=f"Flag: {flag.get_kind_display().lower()}",
                detail=detail,
                by=_who(flag.resolved_by),
                obj=flag,
            )
        )
    for response in ProgramResponse.objects.filter(enrollment=enrollment).select_related(
        "recorded_by"
    ):
        items.append(
            TimelineItem(
                on=response.ordered_on,
                at=response.recorded_at,
                kind="response",
                title=f"{response.get_kind_display()}: {response.action}",
                detail=response.reason,
                by=_who(response.recorded_by),
                obj=response,
            )
        )
    for change in PhaseChange.objects.filter(enrollment=enrollment).select_related(
        "phase", "from_phase", "changed_by"
    ):
        if change.from_phase_id is None:
            title = f"Started phase {change.phase.number}: {change.phase.name}"
        elif change.phase.number > change.from_phase.number:
            title = f"Advanced to phase {change.phase.number}: {change.phase.name}"
        else:
            title = f"Moved back to phase {change.phase.number}: {change.phase.name}"
        items.append(
            TimelineItem(
                on=change.started_on,
                at=change.recorded_at,
                kind="phase",
                title=title,
                detail=change.reason,
                by=_who(change.changed_by),
                obj=change,
            )
        )
    for status in EnrollmentStatusChange.objects.filter(enrollment=enrollment).select_related(
        "changed_by"
    ):
        items.append(
            TimelineItem(
                on=status.effective_on,
                at=status.recorded_at,
                kind="status",
                title=status.get_to_status_display(),
                detail=status.reason,
                by=_who(status.changed_by),
                obj=status,
            )
        )
    items.sort(key=lambda i: (i.on, i.at), reverse=True)
    return items
