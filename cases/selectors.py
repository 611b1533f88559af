"""Reads of the case file: lookup by number, the case file, search, duplicate suggestions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.postgres.search import TrigramWordSimilarity
from django.db.models import CharField, Count, F, Func, Max, Q, QuerySet, Value
from django.http import Http404

from casemgmt.core.errors import DomainError

from .models import Appearance, Case, CaseParty, Charge, DocketEntry, Person
from .policies import can_see_contact_details, case_access_level

# Word similarity (pg_trgm) a name must reach; settings set the `%>` operator's
# threshold (pg_trgm.word_similarity_threshold) to the same value so the GIN index
# does the filtering.
SEARCH_MIN_SIMILARITY = 0.45
# A surname that sounds like a word of the query needs less likeness than that.
PHONETIC_MIN_SIMILARITY = 0.3


def case_list_visible(user) -> QuerySet[Case]:
    return Case.objects.visible_to(user).select_related("court", "case_type")


def case_get_visible(user, number: str, *, court_code: str | None = None) -> Case:
    """The case with `number` that `user` may see, else Http404 (also when it exists).

    Raises:
        Http404: no such case, or not visible to the user.
        DomainError: CASE_NUMBER_AMBIGUOUS (409) when two visible courts share the number.
    """
    cases = case_list_visible(user).select_related("judge").filter(number=number.strip().upper())
    if court_code:
        cases = cases.filter(court__code=court_code)
    found = list(cases[:2])
    if not found:
        raise Http404("No such case.")
    if len(found) > 1:
        raise DomainError(
            "CASE_NUMBER_AMBIGUOUS",
            "Two courts use that number; say which court (?court=CODE).",
            field="court",
            status=409,
        )
    return found[0]


@dataclass
class CaseFile:
    """Everything the case page shows, loaded in a fixed number of queries."""

    case: Case
    level: str
    show_contact: bool
    parties: list[CaseParty]
    appearances: list[Appearance]
    charges: list[Charge]
    entries: list[DocketEntry]
    status_changes: list


def case_file_get(user, case: Case) -> CaseFile:
    level = case_access_level(user, case)
    parties = list(
        CaseParty.objects.filter(case=case).select_related("person").order_by("role", "position")
    )
    appearances = list(
        Appearance.objects.filter(case=case)
        .select_related("attorney__attorney_profile", "party__person")
        .order_by("withdrawn_on", "entered_on", "id")
    )
    charges = list(Charge.objects.filter(case=case).order_by("count_number"))
    entries = list(
        DocketEntry.objects.filter(case=case)
        .visible_at(level)
        .select_related("recorded_by")
        .order_by("seq")
    )
    status_changes = list(case.status_changes.order_by("recorded_at", "id"))
    return CaseFile(
        case=case,
        level=level,
        show_contact=can_see_contact_details(level),
        parties=parties,
        appearances=appearances,
        charges=charges,
        entries=entries,
        status_changes=status_changes,
    )


@dataclass
class CaseSearch:
    q: str = ""  # a case number (exact or prefix) or a party name (fuzzy)
    number: str = ""
    party: str = ""
    date_of_birth: dt.date | None = None
    bar_number: str = ""
    status: str = ""
    case_type: str = ""  # code
    court: str = ""  # code
    filed_from: dt.date | None = None
    filed_to: dt.date | None = None


def _looks_like_number(text: str) -> bool:
    # Case numbers carry digits (2026-CR-000123, 1:26-CR-00012); names do not.
    return any(ch.isdigit() for ch in text)


def case_search(user, criteria: CaseSearch) -> QuerySet[Case]:
    """Cases matching every given criterion that `user` may see, best match first.

    The public may not search by date of birth (it is never shown to them).

    Raises:
        DomainError: DOB_SEARCH_NOT_ALLOWED for the public.
    """
    cases = case_list_visible(user)
    number = criteria.number.strip().upper()
    party = criteria.party.strip()
    q = criteria.q.strip()
    if q:
        if _looks_like_number(q):
            number = number or q.upper()
        else:
            party = party or q
    if number:
        cases = cases.filter(number__startswith=number)
    ordering = ["-filed_on", "-id"]
    if party:
        name = " ".join(party.lower().split())
        people = person_match(name)
        if criteria.date_of_birth:
            people = people.filter(date_of_birth=criteria.date_of_birth)
        cases = cases.filter(parties__person__in=people.values("pk")).annotate(
            score=Max(TrigramWordSimilarity(name, "parties__person__search_name"))
        )
        ordering = ["-score", *ordering]
    if criteria.date_of_birth:
        if not user.is_authenticated:
            raise DomainError(
                "DOB_SEARCH_NOT_ALLOWED",
                "Searching by date of birth needs an account.",
                field="date_of_birth",
                status=403,
            )
        if not party:
            cases = cases.filter(
                pk__in=CaseParty.objects.filter(
                    person__date_of_birth=criteria.date_of_birth
                ).values("case_id")
            )
    if criteria.bar_number:
        cases = cases.filter(
            pk__in=Appearance.objects.filter(
                attorney__attorney_profile__bar_number=criteria.bar_number.strip(),
                withdrawn_on__isnull=True,
            ).values("case_id")
        )
    if criteria.status:
        cases = cases.filter(status=criteria.status)
    if criteria.case_type:
        cases = cases.filter(case_type__code=criteria.case_type.upper())
    if criteria.court:
        cases = cases.filter(court__code=criteria.court)
    if criteria.filed_from:
        cases = cases.filter(filed_on__gte=criteria.filed_from)
    if criteria.filed_to:
        cases = cases.filter(filed_on__lte=criteria.filed_to)
    return cases.order_by(*ordering)


def _dmetaphone(expression) -> Func:
    return Func(expression, function="dmetaphone", output_field=CharField())


def person_match(name: str) -> QuerySet[Person]:
    """People whose name is like `name`, annotated with `score` (pg_trgm word similarity).

    A person matches when the name is trigram-similar (a typo or two: the GIN
    index on search_name), or when a word of the query sounds like their surname
    (double metaphone: a transposition such as "Jonhson") and the name is still
    loosely similar. Both branches are served by indexes.
    """
    words = [w for w in name.split() if len(w) >= 3][:4]
    sounds_like = Q()
    for word in words:
        sounds_like |= Q(surname_code=_dmetaphone(Value(word)))
    people = Person.objects.annotate(
        score=TrigramWordSimilarity(name, "search_name"),
        surname_code=_dmetaphone(F("last_name")),
    )
    loose = Q(score__gte=PHONETIC_MIN_SIMILARITY) & sounds_like if words else Q(pk__in=[])
    return people.filter(Q(search_name__trigram_word_similar=name) | loose)


def person_suggest(*, name: str, date_of_birth: dt.date | None = None, limit: int = 8):
    """Existing people whose name is like `name` (typo-tolerant), same DOB first.

    For the intake page, so the clerk links a known person instead of creating a
    duplicate. Staff only (it shows dates of birth).
    """
    name = " ".join((name or "").lower().split())
    if len(name) < 3:
        return []
    people = person_match(name)
    if date_of_birth:
        people = people.filter(Q(date_of_birth=date_of_birth) | Q(date_of_birth__isnull=True))
    people = people.annotate(case_count=Count("case_parties")).order_by("-score", "search_name")
    return list(people[:limit])
