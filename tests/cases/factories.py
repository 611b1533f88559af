import datetime as dt

import factory

from cases.models import CaseCategory, CaseType, Confidentiality, Person, PersonKind
from cases.services import ChargeInput, IntakeInput, PartyInput, case_open
from tests.core.factories import CourtFactory


class CaseTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseType
        django_get_or_create = ["court", "code"]

    court = factory.SubFactory(CourtFactory)
    code = "CR"
    name = "Criminal felony"
    category = CaseCategory.CRIMINAL
    default_confidentiality = Confidentiality.PUBLIC
    initial_event_code = "CHRG"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    kind = PersonKind.INDIVIDUAL
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=18, maximum_age=80)
    address_line1 = factory.Faker("street_address")
    city = "Sarasota"
    state = "FL"
    postal_code = "34236"
    phone = "(941) 555-0142"
    email = factory.LazyAttribute(lambda o: f"{o.first_name.lower()}@example.com")


def defendant(last_name="Doe", first_name="John", **kwargs) -> PartyInput:
    return PartyInput(
        role="defendant",
        first_name=first_name,
        last_name=last_name,
        date_of_birth=kwargs.pop("date_of_birth", dt.date(1990, 5, 17)),
        address_line1=kwargs.pop("address_line1", "12 Orange Ave"),
        city="Sarasota",
        state="FL",
        postal_code="34236",
        phone="(941) 555-0101",
        **kwargs,
    )


def charge(statute="812.014(2)(c)", text="Grand theft", cls="felony_3", days_ago=10) -> ChargeInput:
    return ChargeInput(statute, text, cls, dt.date.today() - dt.timedelta(days=days_ago))


def open_case(*, case_type, opened_by, parties=None, charges=None, **kwargs):
    """Open a case through the real intake service with sensible defaults per category."""
    category = case_type.category
    if parties is None:
        if category in (CaseCategory.CRIMINAL, CaseCategory.TRAFFIC):
            parties = [defendant()]
        elif category == CaseCategory.JUVENILE:
            parties = [
                PartyInput(
                    role="child",
                    first_name="Amy",
                    last_name="Roe",
                    date_of_birth=dt.date(2015, 1, 2),
                )
            ]
        else:
            parties = [
                PartyInput(role="plaintiff", first_name="Ann", last_name="Smith"),
                PartyInput(role="defendant", first_name="Bob", last_name="Jones"),
            ]
    if charges is None:
        charges = [charge()] if category in (CaseCategory.CRIMINAL, CaseCategory.TRAFFIC) else []
    return case_open(
        data=IntakeInput(
            court=case_type.court, case_type=case_type, parties=parties, charges=charges, **kwargs
        ),
        opened_by=opened_by,
    )
