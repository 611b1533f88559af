"""Who may see and do what with documents and filings.

A document (or filing) is visible when

1. its case is visible (``Case.objects.visible_to``: the one rule for cases),
2. its own confidentiality is within how deep the user may read that case
   (``cases.policies.case_access_level``: public, confidential or sealed), and
3. it is not a submission still under review (or rejected): those are for the filer
   and the court's record keepers only.

Anything else answers 404, like a document that does not exist. ``document_level_q``
is the SQL form of ``case_access_level`` (so lists across cases need no per-case
query); tests/filings/test_visibility.py holds the two to the same answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from casemgmt.core.roles import Role
from cases.models import Appearance, Case
from cases.policies import (
    CONFIDENTIAL,
    PUBLIC,
    RECORD_KEEPERS,
    SEALED,
    can_keep_record,
    can_seal,
)
from cases.querysets import sealed_grant_case_ids, user_court_ids

from .models import FilingStatus, FilingType

LEVEL_ALLOWS = {
    PUBLIC: (PUBLIC,),
    CONFIDENTIAL: (PUBLIC, CONFIDENTIAL),
    SEALED: (PUBLIC, CONFIDENTIAL, SEALED),
}
ORDER = (PUBLIC, CONFIDENTIAL, SEALED)
NOTHING = Q(pk__in=[])
# "Every row". Not Q(): an empty Q vanishes when OR-ed (Q(a) | Q() is Q(a)).
EVERYTHING = Q(pk__isnull=False)


def confidentiality_allowed(level: str) -> tuple[str, ...]:
    """The document confidentialities a reader at `level` may see."""
    return LEVEL_ALLOWS[level]


def confidentiality_max(*values: str) -> str:
    """The most restrictive of `values`."""
    return max(values, key=ORDER.index)


@dataclass(frozen=True)
class Reader:
    """A user with what the visibility rules need to know about them, looked up once."""

    user: Any
    court_ids: tuple[int, ...] = ()
    grant_ids: tuple[int, ...] = ()


def reader_for(user) -> Reader:
    """The courts `user` works in and the sealed cases they hold grants on (two queries)."""
    if user is None or not user.is_authenticated or user.is_superuser or not user.is_active:
        return Reader(user)
    courts = () if user.role == Role.ATTORNEY else tuple(user_court_ids(user))
    return Reader(user, courts, tuple(sealed_grant_case_ids(user)))


def document_level_q(
    user, *, case: str = "case", confidentiality: str = "confidentiality", reader=None
) -> Q:
    """Rows whose `confidentiality` is within `user`'s access level on the row's `case`.

    Mirrors ``cases.policies.case_access_level`` in SQL. The case's own visibility
    is a separate condition (see :func:`document_visibility_q`).
    """
    conf = confidentiality
    public = Q(**{conf: PUBLIC})
    up_to_confidential = Q(**{f"{conf}__in": (PUBLIC, CONFIDENTIAL)})
    if user is None or not user.is_authenticated:
        return public
    if user.is_superuser:
        return EVERYTHING
    reader = reader or reader_for(user)
    granted = Q(**{f"{case}_id__in": reader.grant_ids})
    if user.role == Role.ATTORNEY:
        own = Appearance.objects.filter(attorney=user, withdrawn_on__isnull=True).values("case_id")
        return public | granted | (Q(**{f"{case}_id__in": own}) & up_to_confidential)
    if not user.is_court_staff:
        return public
    in_court = Q(**{f"{case}__court_id__in": reader.court_ids})
    if user.role == Role.SUPERVISOR:
        return public | in_court
    full = granted
    if user.role == Role.JUDGE:
        full |= Q(**{f"{case}__judge_id": user.pk})
    return public | (in_court & (up_to_confidential | full))


def record_keeper_q(user, *, case: str = "case", reader=None) -> Q:
    """Rows of cases whose court `user` keeps the records of (``can_keep_record``)."""
    if not (user.is_authenticated and user.is_active):
        return NOTHING
    if user.is_superuser:
        return EVERYTHING
    if user.role not in RECORD_KEEPERS:
        return NOTHING
    reader = reader or reader_for(user)
    return Q(**{f"{case}__court_id__in": reader.court_ids})


def case_visible_q(user, *, case: str = "case") -> Q:
    return Q(**{f"{case}_id__in": Case.objects.visible_to(user).values("pk")})


def filing_visibility_q(user, *, reader=None) -> Q:
    """Filings `user` may see (on Filing)."""
    reader = reader or reader_for(user)
    under_review_ok = ~Q(status__in=[FilingStatus.SUBMITTED, FilingStatus.REJECTED])
    if user.is_authenticated:
        under_review_ok |= Q(filed_by_id=user.pk) | record_keeper_q(user, reader=reader)
    return (
        case_visible_q(user)
        & document_level_q(user, confidentiality="document__confidentiality", reader=reader)
        & under_review_ok
    )


def document_visibility_q(user, *, reader=None) -> Q:
    """Documents `user` may see (on Document)."""
    reader = reader or reader_for(user)
    not_under_review = Q(filing__isnull=True) | Q(filing__status=FilingStatus.ACCEPTED)
    if user.is_authenticated:
        not_under_review |= Q(filing__filed_by_id=user.pk) | record_keeper_q(user, reader=reader)
    return case_visible_q(user) & document_level_q(user, reader=reader) & not_under_review


def keeps_record_at_level(user, level: str) -> bool:
    """``can_keep_record(user, case)`` for a case the user can see at `level`, without a query.

    Staff of the case's court read it at confidential or deeper; staff of another
    court at public only (``case_access_level``). So a record keeper's level tells
    whether the case is of their court. Used by the case page's panel.
    """
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    return user.role in RECORD_KEEPERS and level != PUBLIC


# --- acts on a case the user can see ----------------------------------------------------------


def is_attorney_of_record(user, case: Case) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role == Role.ATTORNEY
        and Appearance.objects.filter(case=case, attorney=user, withdrawn_on__isnull=True).exists()
    )


def can_file_at_counter(user, case: Case) -> bool:
    """The clerk's office of the case's court files documents at the counter."""
    return can_keep_record(user, case)


def can_submit(user, case: Case) -> bool:
    """An attorney with an active appearance e-files; the clerk's office may queue one too."""
    return is_attorney_of_record(user, case) or can_keep_record(user, case)


APPEARANCE_EVENT_CODE = "APPR"  # a notice of appearance (cases.services.DEFAULT_EVENT_CODES)


def is_appearance_type(filing_type: FilingType) -> bool:
    return filing_type.event_code == APPEARANCE_EVENT_CODE


def can_file_appearance(user, case: Case, filing_type: FilingType) -> bool:
    """An attorney not (yet) of record may e-file a notice of appearance on a case they can
    see: accepting it makes them of record (``filings.services``)."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role == Role.ATTORNEY
        and filing_type.efiling_allowed
        and is_appearance_type(filing_type)
    )


def can_review(user, case: Case) -> bool:
    """Accepting or rejecting a submission is the clerk's office's (of the case's court)."""
    return can_keep_record(user, case)


def can_file_type(user, case: Case, filing_type: FilingType) -> bool:
    """Orders and judgments are the court's own: attorneys may not e-file them."""
    return filing_type.efiling_allowed or can_keep_record(user, case)


def confidentiality_choices_for(user, case: Case) -> tuple[str, ...]:
    """What a filer may mark a new document: never below the case; sealed only by a sealer."""
    start = ORDER.index(case.confidentiality)
    allowed = ORDER[start:]
    if SEALED in allowed and case.confidentiality != SEALED and not can_seal(user, case):
        allowed = tuple(c for c in allowed if c != SEALED)
    return allowed


def can_set_document_confidentiality(user, case: Case) -> bool:
    """Sealing (or unsealing) a document is by order: the court's supervisors and judges."""
    return bool(user.is_authenticated and user.is_active and can_seal(user, case))


def document_confidentiality_choices(case: Case) -> tuple[str, ...]:
    """What an existing document of `case` may be set to: never less restricted than the case."""
    return ORDER[ORDER.index(case.confidentiality) :]
