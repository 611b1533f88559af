"""Visibility: the one rule for who may see which case, used on every surface.

* The public sees public, non-juvenile cases.
* Attorneys see what the public sees, plus the cases where they have an active
  appearance (confidential and juvenile included); sealed ones only with a grant.
* Court staff (clerk, courtroom clerk, judge, program coordinator) see what the
  public sees, plus every case of their courts; sealed ones only with an explicit
  grant (django-guardian ``cases.view_sealed_case``) or, for a judge, when
  assigned to the case.
* Supervisors see what the public sees, plus every case of their courts, sealed
  included.

Signing in never hides a case the public may see.
* Superusers see everything.

A case outside this set answers 404 everywhere, exactly like a missing one.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from casemgmt.core.roles import Role


def _memoized(user, key: str, load):
    """`load()`, kept in the request's `user.access_cache` when there is one (see
    casemgmt.core.middleware.AccessCacheMiddleware); read afresh otherwise."""
    cache = getattr(user, "access_cache", None)
    if cache is None:
        return load()
    if key not in cache:
        cache[key] = load()
    return cache[key]


def sealed_grant_case_ids(user) -> list[int]:
    """Ids of cases the user holds an explicit view_sealed_case grant on (rare; small)."""
    return _memoized(user, "sealed_grant_case_ids", lambda: _sealed_grant_case_ids(user))


def _sealed_grant_case_ids(user) -> list[int]:
    from guardian.models import UserObjectPermission

    return [
        int(pk)
        for pk in UserObjectPermission.objects.filter(
            user=user,
            permission__codename="view_sealed_case",
            content_type__app_label="cases",
            content_type__model="case",
        ).values_list("object_pk", flat=True)
    ]


def user_court_ids(user) -> list[int]:
    from casemgmt.core.models import CourtMembership

    return _memoized(
        user,
        "court_ids",
        lambda: list(CourtMembership.objects.filter(user=user).values_list("court_id", flat=True)),
    )


PUBLIC_FILTER = Q(confidentiality="public", is_juvenile=False)


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user) -> CaseQuerySet:
        if user is None or not user.is_authenticated:
            return self.filter(PUBLIC_FILTER)
        if not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        if user.role == Role.ATTORNEY:
            from .models import Appearance

            own = Appearance.objects.filter(attorney=user, withdrawn_on__isnull=True).values(
                "case_id"
            )
            return self.filter(
                PUBLIC_FILTER
                | (Q(pk__in=own) & ~Q(confidentiality="sealed"))
                | Q(pk__in=sealed_grant_case_ids(user))
            )
        courts = user_court_ids(user)
        if user.role == Role.SUPERVISOR:
            return self.filter(PUBLIC_FILTER | Q(court_id__in=courts))
        sealed_ok = Q(pk__in=sealed_grant_case_ids(user))
        if user.role == Role.JUDGE:
            sealed_ok |= Q(judge=user)
        return self.filter(
            PUBLIC_FILTER | Q(court_id__in=courts) & (~Q(confidentiality="sealed") | sealed_ok)
        )


class DocketEntryQuerySet(models.QuerySet):
    def visible_at(self, level: str) -> DocketEntryQuerySet:
        """Entries whose effective confidentiality is within `level` (see cases.policies).

        The effective confidentiality is the latest DocketEntryRestriction's, else the
        entry's own (entries are append-only; a later sealing is a restriction row).
        """
        from django.db.models import F, OuterRef, Subquery
        from django.db.models.functions import Coalesce

        from .models import DocketEntryRestriction

        allowed = {
            "public": ["public"],
            "confidential": ["public", "confidential"],
            "sealed": ["public", "confidential", "sealed"],
        }[level]
        if level == "sealed":
            return self  # everything is within the deepest level
        latest = (
            DocketEntryRestriction.objects.filter(entry=OuterRef("pk"))
            .order_by("-recorded_at", "-id")
            .values("confidentiality")[:1]
        )
        return self.alias(
            effective_confidentiality=Coalesce(Subquery(latest), F("confidentiality"))
        ).filter(effective_confidentiality__in=allowed)
