"""Reads of the case file: lookup by number, the case file, search, duplicate suggestions."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.contrib.postgres.search import TrigramWordSimilarity
from django.db.models import Count, F, Max, Q, QuerySet, Value
from django.http import Http404

from casemgmt.core.errors import DomainError
from casemgmt.core.models import AttorneyProfile

from .models import Appearance, Case, CaseParty, Charge, DocketEntry, NameKeys, Person, PersonKind
from .policies import can_see_contact_details, case_access_level

# Word similarity (pg_trgm) a name must reach; settings set the `%>` operator's
# threshold (pg_trgm.word_similarity_threshold) to the same value so the GIN index
# does the filtering.
SEARCH_MIN_SIMILARITY = 0.45
ORGANIZATION_MATCH_LIMIT = 500
PARTY_MATCH_LIMIT = 200  # people a party-name search considers, best match first
CASE_PAGE_ENTRIES = 100  # register entries shown on the case page


def docket_entry_list_visible(user, case: Case) -> QuerySet[DocketEntry]:
    """The case's register of actions as `user` may read it, oldest first."""
    return (
        DocketEntry.objects.filter(case=case)
        .visible_at(case_access_level(user, case))
        .select_related("recorded_by")
        .order_by("seq")
    )


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
    entries: list[DocketEntry]  # the latest CASE_PAGE_ENTRIES, oldest first
    has_older_entries: bool
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
    # The latest entries only: a long-running case has thousands (bench/cases.py);
    # the full register is paginated on its own page.
    latest = list(
        DocketEntry.objects.filter(case=case)
        .visible_at(level)
        .select_related("recorded_by")
        .order_by("-seq")[: CASE_PAGE_ENTRIES + 1]
    )
    has_older_entries = len(latest) > CASE_PAGE_ENTRIES
    entries = latest[:CASE_PAGE_ENTRIES][::-1]
    status_changes = list(case.status_changes.order_by("recorded_at", "id"))
    return CaseFile(
        case=case,
        level=level,
        show_contact=can_see_contact_details(level),
        parties=parties,
        appearances=appearances,
        charges=charges,
        entries=entries,
        has_older_entries=has_older_entries,
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
    # A number search lists by number, newest first (within a court's sequence that is
    # filing order), straight off the number index; anything else by filing date.
    ordering = ["-number", "-id"] if number and not party else ["-filed_on", "-id"]
    if party:
        name = " ".join(party.lower().split())
        people = person_match(name)
        if criteria.date_of_birth:
            people = people.filter(date_of_birth=criteria.date_of_birth)
        # The best-matching people only: a lone common surname matches thousands
        # (bench/cases.py), and a clerk refines rather than pages through them.
        best = people.order_by("-score", "-id").values("pk")[:PARTY_MATCH_LIMIT]
        cases = cases.filter(parties__person__in=best).annotate(
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
        # The attorney first (a few rows), so the planner sizes the appearances by the
        # attorney's own count rather than a guess.
        attorney_ids = list(
            AttorneyProfile.objects.filter(bar_number=criteria.bar_number.strip()).values_list(
                "user_id", flat=True
            )
        )
        cases = cases.filter(
            pk__in=Appearance.objects.filter(
                attorney_id__in=attorney_ids, withdrawn_on__isnull=True
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


def _name_words(name: str) -> list[str]:
    return [w for w in re.split(r"[\W\d_]+", name.lower()) if len(w) >= 2][:4]


def person_match(name: str) -> QuerySet[Person]:
    """People whose name is like `name`, annotated with `score` (pg_trgm word similarity).

    Individuals match when every word of the query meets one of their name keys
    (double metaphone or sorted letters: "Jonhson", "Smtih"); organizations when
    their name is trigram-similar. Both are index searches (bench/cases.py). When
    neither finds anyone, plain trigram similarity over every name is the fallback,
    for typos that change both the sound and the letters.
    """
    words = _name_words(name)
    organizations = list(
        Person.objects.filter(
            kind=PersonKind.ORGANIZATION, search_name__trigram_word_similar=name
        ).values_list("pk", flat=True)[:ORGANIZATION_MATCH_LIMIT]
    )
    individuals = Person.objects.none()
    if words:
        individuals = Person.objects.annotate(
            name_keys=NameKeys(F("first_name"), F("middle_name"), F("last_name"))
        ).filter(kind=PersonKind.INDIVIDUAL)
        for word in words:
            individuals = individuals.filter(
                name_keys__overlap=NameKeys(Value(word), Value(""), Value(""))
            )
    # A UNION, not an OR: "id IN (subquery) OR id IN (list)" defeats the indexes.
    matched = individuals.values("pk")
    if organizations:
        matched = matched.union(Person.objects.filter(pk__in=organizations).values("pk"))
    people = Person.objects.filter(pk__in=matched)
    if not people.exists():
        people = Person.objects.filter(search_name__trigram_word_similar=name)
    return people.annotate(score=TrigramWordSimilarity(name, "search_name"))


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
