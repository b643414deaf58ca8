"""factory-boy factories shared by the tests."""

from __future__ import annotations

import factory
from stdnum.md import idno

from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.institutions.models import Institution


def _valid_idno(n: int) -> str:
    base = f"1{n:011d}"
    return base + idno.calc_check_digit(base)


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"persoana{n}@test.gov.md")
    first_name = factory.Faker("first_name", locale="ro_RO")
    last_name = factory.Faker("last_name", locale="ro_RO")
    password = factory.PostGenerationMethodCall("set_password", "Parola-de-test-2026")

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save()


class InstitutionFactory(factory.django.DjangoModelFactory[Institution]):
    class Meta:
        model = Institution

    idno = factory.Sequence(_valid_idno)
    name = factory.Sequence(lambda n: f"Instituția de test {n}")
    kind = Institution.Kind.AGENCY
