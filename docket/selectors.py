"""Reads of the calendar that scheduling needs: visible hearings, the session a hearing
goes into, how full a session is, and the clashes a new setting would have.

The daily calendar, the docket sheet and the attorney portal have their own modules;
they may use `hearing_list_visible` here so that every surface shares one rule.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from casemgmt.core.models import Court, User
from casemgmt.core.roles import Role
from cases.models import Appearance, Case, CaseParty

from .models import (
    EXCLUSIVE_TYPES,
    OCCUPYING_STATUSES,
    ContinuanceReason,
    Courtroom,
    Hearing,
    HearingChange,
    JudgeAssignment,
    Session,
    SessionStatus,
)

# --- visibility ------------------------------------------------------------------------


def hearing_list_visible(user) -> QuerySet[Hearing]:
    """Hearings of the cases `user` may see (Case.objects.visible_to): the one rule."""
    return Hearing.objects.filter(case__in=Case.objects.visible_to(user))


def hearing_get_visible(user, pk: int) -> Hearing:
    """The hearing with `pk` if its case is visible to `user`, else Http404 (also if it exists).

    Raises:
        Http404: no such hearing, or its case is out of the user's sight.
    """
    hearing = (
        hearing_list_visible(user)
        .select_related(
            "case__court",
            "case__case_type",
            "court",
            "courtroom",
            "judge",
            "session",
            "continuance_reason",
            "continued_from",
            "scheduled_by",
        )
        .filter(pk=pk)
        .first()
    )
    if hearing is None:
        raise Http404("No such hearing.")
    return hearing


def case_hearing_list(user, case: Case) -> QuerySet[Hearing]:
    """The hearings of a case the user can see (the caller found the case among the
    visible ones), oldest first."""
    return (
        Hearing.objects.filter(case=case)
        .select_related(
            "case__court", "court", "courtroom", "judge", "continuance_reason", "continued_from"
        )
        .order_by("starts_at", "id")
    )


def hearing_continued_to(hearing: Hearing) -> Hearing | None:
    return Hearing.objects.filter(continued_from=hearing).first()


def hearing_change_list(hearing: Hearing) -> QuerySet[HearingChange]:
    return hearing.changes.select_related("changed_by").order_by("changed_at", "id")


# --- choices for the forms -------------------------------------------------------------


def courtroom_list_for(court: Court) -> QuerySet[Courtroom]:
    return Courtroom.objects.filter(court=court, is_active=True).order_by("name")


def judge_list_for(court: Court) -> QuerySet[User]:
    return User.objects.filter(role=Role.JUDGE, is_active=True, memberships__court=court).order_by(
        "last_name", "first_name"
    )


def continuance_reason_list(court: Court) -> QuerySet[ContinuanceReason]:
    return ContinuanceReason.objects.filter(court=court, is_active=True).order_by("label")


def judge_assigned(courtroom: Courtroom, day: dt.date) -> User | None:
    """The judge assigned to `courtroom` on `day` (the latest assignment that covers it)."""
    assignment = (
        JudgeAssignment.objects.filter(courtroom=courtroom, starts_on__lte=day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .select_related("judge")
        .order_by("-starts_on", "-id")
        .first()
    )
    return assignment.judge if assignment else None


# --- sessions --------------------------------------------------------------------------


def session_accepts(session: Session, hearing_type: str) -> bool:
    """A session takes hearings of its type; a session without a type takes any stacked kind."""
    return hearing_type not in EXCLUSIVE_TYPES and session.hearing_type in ("", hearing_type)


def session_find(
    *, courtroom: Courtroom, starts_at: dt.datetime, ends_at: dt.datetime, hearing_type: str
) -> Session | None:
    """The open session in `courtroom` that holds [starts_at, ends_at] and takes the type."""
    candidates = Session.objects.filter(
        courtroom=courtroom,
        status=SessionStatus.OPEN,
        starts_at__lte=starts_at,
        ends_at__gte=ends_at,
    ).order_by("starts_at", "id")
    # A typed session first (an arraignment goes to the arraignment calendar), then any.
    typed = [s for s in candidates if session_accepts(s, hearing_type)]
    typed.sort(key=lambda s: (s.hearing_type == "", s.starts_at, s.pk))
    return typed[0] if typed else None


def session_list_on(court: Court, day: dt.date) -> QuerySet[Session]:
    return (
        Session.objects.filter(court=court, date=day, status=SessionStatus.OPEN)
        .select_related("courtroom", "judge")
        .order_by("starts_at", "courtroom__name")
    )


@dataclass(frozen=True)
class SessionLoad:
    cases: int
    minutes: int


def session_load(session: Session, *, exclude_ids: tuple[int, ...] = ()) -> SessionLoad:
    """How many occupying hearings the session holds, and their minutes."""
    rows = (
        Hearing.objects.filter(session=session, status__in=OCCUPYING_STATUSES)
        .exclude(pk__in=exclude_ids)
        .aggregate(n=Count("id"), span=Sum(F("ends_at") - F("starts_at")))
    )
    span = rows["span"] or dt.timedelta()
    return SessionLoad(cases=rows["n"], minutes=int(span.total_seconds() // 60))


def sessions_overlapping(
    *,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    courtroom: Courtroom | None = None,
    judge: User | None = None,
) -> QuerySet[Session]:
    """Open sessions overlapping [starts_at, ends_at) in the room, or with the judge."""
    sessions = Session.objects.filter(
        status=SessionStatus.OPEN, starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    if courtroom is not None:
        sessions = sessions.filter(courtroom=courtroom)
    if judge is not None:
        sessions = sessions.filter(judge=judge)
    return sessions.select_related("courtroom", "judge").order_by("starts_at", "id")


# --- clashes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Clash:
    """Another setting in the way of a new one.

    kind: ``room`` / ``judge`` (an exclusive hearing, or a session, holds the room or the
    judge: refused), ``attorney`` / ``party`` (someone expected in two places: a warning
    the clerk may override with a reason).
    """

    kind: str
    who: str  # the attorney, party, courtroom or judge concerned
    case_number: str  # the other case's number, or the court's placeholder if not visible
    hearing_id: int | None
    hearing_type: str  # display label
    starts_at: dt.datetime
    ends_at: dt.datetime
    courtroom: str
    tz: Any = field(repr=False, compare=False, default=None)

    def when(self) -> str:
        start = timezone.localtime(self.starts_at, self.tz)
        end = timezone.localtime(self.ends_at, self.tz)
        return f"{start:%Y-%m-%d %H:%M} to {end:%H:%M}"

    def sentence(self) -> str:
        where = f"{self.hearing_type} in {self.case_number}, {self.when()}, {self.courtroom}"
        if self.kind == "attorney":
            return f"Attorney {self.who} is expected at the {where}."
        if self.kind == "party":
            return f"{self.who} is expected at the {where}."
        if self.kind == "room":
            return f"{self.courtroom} is taken by the {where}."
        return f"Judge {self.who} presides over the {where}."

    def as_dict(self) -> dict[str, Any]:
        start = timezone.localtime(self.starts_at, self.tz)
        end = timezone.localtime(self.ends_at, self.tz)
        return {
            "kind": self.kind,
            "who": self.who,
            "case_number": self.case_number,
            "hearing_id": self.hearing_id,
            "hearing_type": self.hearing_type,
            "starts_at": start.isoformat(),
            "ends_at": end.isoformat(),
            "courtroom": self.courtroom,
            "message": self.sentence(),
        }


def _case_label(case: Case, visible_ids: set[int]) -> str:
    # A clerk is told which case is in the way only if they may see it; otherwise the
    # court's placeholder ("Sealed matter") keeps a sealed case's number out of sight.
    return case.number if case.pk in visible_ids else case.court.sealed_caption_placeholder


def _visible_case_ids(user, case_ids: set[int]) -> set[int]:
    if user is None:
        return set()
    return set(Case.objects.visible_to(user).filter(pk__in=case_ids).values_list("pk", flat=True))


def hearing_clash_from(
    other: Hearing, *, kind: str, who: str, user, tz, visible_ids: set[int] | None = None
) -> Clash:
    if visible_ids is None:
        visible_ids = _visible_case_ids(user, {other.case_id})
    return Clash(
        kind=kind,
        who=who,
        case_number=_case_label(other.case, visible_ids),
        hearing_id=other.pk if other.case_id in visible_ids else None,
        hearing_type=other.get_hearing_type_display(),
        starts_at=other.starts_at,
        ends_at=other.ends_at,
        courtroom=other.courtroom.name,
        tz=tz,
    )


def session_clash_from(session: Session, *, kind: str, tz) -> Clash:
    return Clash(
        kind=kind,
        who=(session.judge.get_full_name() if session.judge else "") or session.courtroom.name,
        case_number=f"session “{session.name}”",
        hearing_id=None,
        hearing_type="Calendar",
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        courtroom=session.courtroom.name,
        tz=tz,
    )


def exclusive_clashes(
    *,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    courtroom: Courtroom,
    judge: User | None,
    user,
    exclude_ids: tuple[int, ...] = (),
) -> list[Clash]:
    """Exclusive hearings already holding the room or the judge over [starts_at, ends_at).

    The database refuses these (exclusion constraints); this read names them beforehand
    (the clerk's live check) and afterwards (the 409 after a refused insert).
    """
    tz = courtroom.court.tzinfo
    holding = Q(courtroom=courtroom)
    if judge is not None:
        holding |= Q(judge=judge)
    others = list(
        Hearing.objects.filter(
            holding,
            hearing_type__in=EXCLUSIVE_TYPES,
            status__in=OCCUPYING_STATUSES,
            starts_at__lt=ends_at,
            ends_at__gt=starts_at,
        )
        .exclude(pk__in=exclude_ids)
        .select_related("case__court", "courtroom", "judge")
        .order_by("starts_at", "id")
    )
    visible = _visible_case_ids(user, {h.case_id for h in others})
    clashes = []
    for other in others:
        if other.courtroom_id == courtroom.pk:
            clashes.append(
                hearing_clash_from(
                    other, kind="room", who=courtroom.name, user=user, tz=tz, visible_ids=visible
                )
            )
        if judge is not None and other.judge_id == judge.pk:
            clashes.append(
                hearing_clash_from(
                    other,
                    kind="judge",
                    who=judge.get_full_name() or judge.username,
                    user=user,
                    tz=tz,
                    visible_ids=visible,
                )
            )
    return clashes


def _window(starts_at, ends_at, session: Session | None) -> tuple[dt.datetime, dt.datetime]:
    # Someone called to a stacked calendar must be there for the whole session (the case
    # is called at some point in it), so a stacked hearing occupies its session's time.
    if session is not None:
        return min(starts_at, session.starts_at), max(ends_at, session.ends_at)
    return starts_at, ends_at


def attendance_clashes(
    *,
    case: Case,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    courtroom: Courtroom,
    session: Session | None,
    user,
    exclude_ids: tuple[int, ...] = (),
) -> list[Clash]:
    """Attorneys of record and parties of `case` expected elsewhere at the same time.

    An attorney with an active appearance on the case, or a party (the same Person) of
    it, who is due at another occupying hearing in a different courtroom whose time
    overlaps. Government agencies (the State) are parties to every prosecution and
    appear through their attorneys, so they are left out. The same courtroom is no
    clash: the cases are called one after the other.
    """
    tz = case.court.tzinfo
    start, end = _window(starts_at, ends_at, session)
    attorneys = {
        a.attorney_id: a.attorney
        for a in Appearance.objects.filter(case=case, withdrawn_on__isnull=True).select_related(
            "attorney"
        )
    }
    people = {
        p.person_id: p.person
        for p in CaseParty.objects.filter(
            case=case, removed_on__isnull=True, person__is_government_agency=False
        ).select_related("person")
    }
    if not attorneys and not people:
        return []
    local_start = timezone.localtime(start, tz).date()
    others = (
        Hearing.objects.filter(
            status__in=OCCUPYING_STATUSES,
            # The day index narrows the search; the window decides.
            date__gte=local_start - dt.timedelta(days=1),
            date__lte=timezone.localtime(end, tz).date() + dt.timedelta(days=1),
        )
        .exclude(courtroom=courtroom)
        .exclude(pk__in=exclude_ids)
        .annotate(
            win_start=Coalesce("session__starts_at", "starts_at"),
            win_end=Coalesce("session__ends_at", "ends_at"),
        )
        .filter(win_start__lt=end, win_end__gt=start)
        .filter(
            Q(
                case__appearances__attorney_id__in=list(attorneys),
                case__appearances__withdrawn_on__isnull=True,
            )
            | Q(
                case__parties__person_id__in=list(people),
                case__parties__removed_on__isnull=True,
            )
        )
        .distinct()
        .select_related("case__court", "courtroom")
        .order_by("starts_at", "id")
    )
    others = list(others)
    if not others:
        return []
    case_ids = {h.case_id for h in others}
    attorney_cases: dict[int, set[int]] = {}
    for case_id, attorney_id in Appearance.objects.filter(
        case_id__in=case_ids, attorney_id__in=list(attorneys), withdrawn_on__isnull=True
    ).values_list("case_id", "attorney_id"):
        attorney_cases.setdefault(case_id, set()).add(attorney_id)
    person_cases: dict[int, set[int]] = {}
    for case_id, person_id in CaseParty.objects.filter(
        case_id__in=case_ids, person_id__in=list(people), removed_on__isnull=True
    ).values_list("case_id", "person_id"):
        person_cases.setdefault(case_id, set()).add(person_id)
    visible = _visible_case_ids(user, case_ids)
    clashes = []
    for other in others:
        for attorney_id in sorted(attorney_cases.get(other.case_id, ())):
            attorney = attorneys[attorney_id]
            clashes.append(
                hearing_clash_from(
                    other,
                    kind="attorney",
                    who=attorney.get_full_name() or attorney.username,
                    user=user,
                    tz=tz,
                    visible_ids=visible,
                )
            )
        for person_id in sorted(person_cases.get(other.case_id, ())):
            clashes.append(
                hearing_clash_from(
                    other,
                    kind="party",
                    who=people[person_id].display_name,
                    user=user,
                    tz=tz,
                    visible_ids=visible,
                )
            )
    return clashes


def interpreter_languages(case: Case) -> str:
    """The languages the case's parties need an interpreter in, e.g. "es" or "es,vi"."""
    languages = sorted(
        {
            (p.person.preferred_language or "").strip().lower()
            for p in CaseParty.objects.filter(
                case=case, removed_on__isnull=True, person__interpreter_needed=True
            ).select_related("person")
        }
        - {""}
    )
    return ",".join(languages)[:40]
