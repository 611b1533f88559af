import factory

from casemgmt.core.models import AttorneyProfile, Court, CourtMembership, User
from casemgmt.core.roles import Role

PASSWORD = "correct-horse-battery-staple"


class CourtFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Court
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"court{n}")
    name = factory.LazyAttribute(lambda o: f"Court {o.code}")
    time_zone = "America/New_York"
    holiday_country = "US"
    holiday_subdivision = "FL"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Pat"
    last_name = factory.Sequence(lambda n: f"Tester{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@court.example")
    role = Role.CLERK
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def courts(self, create, extracted, **kwargs):
        if not create or not extracted:
            return
        for i, court in enumerate(extracted):
            CourtMembership.objects.get_or_create(
                user=self, court=court, defaults={"is_default": i == 0}
            )

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create and results:
            # set_password ran after the insert; save it without an audit-worthy "change".
            User.objects.filter(pk=instance.pk).update(password=instance.password)
            instance._password = None


class AttorneyProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AttorneyProfile

    user = factory.SubFactory(UserFactory, role=Role.ATTORNEY)
    bar_number = factory.Sequence(lambda n: f"{n:07d}")
    bar_state = "FL"
    firm = "Doe & Roe"
