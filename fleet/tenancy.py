"""The one scoping helper every user-facing query goes through (DESIGN.md rule 5).

Models that belong to an organisation use ``OrganisationQuerySet`` (directly or through a
relation path), so views call ``Model.objects.for_user(user)`` and never filter by hand.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar

from django.db import models

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

_M = TypeVar("_M", bound=models.Model)


def organisation_ids_for(user: AbstractBaseUser | AnonymousUser) -> models.QuerySet[Any] | None:
    """The ids of the organisations ``user`` may see; None means all (superusers)."""
    from accounts.models import Membership

    if not user.is_authenticated or not user.is_active:
        return Membership.objects.none().values("organisation_id")
    if getattr(user, "is_superuser", False):
        return None
    return Membership.objects.filter(user_id=user.pk).values("organisation_id")


class OrganisationQuerySet(models.QuerySet[_M]):
    """A queryset whose rows belong to an organisation through ``organisation_path``."""

    organisation_path: ClassVar[str] = "organisation"

    def for_user(self, user: AbstractBaseUser | AnonymousUser) -> Self:
        ids = organisation_ids_for(user)
        if ids is None:
            return self.all()
        return self.filter(**{f"{self.organisation_path}_id__in": ids})

    def for_organisation(self, organisation_id: int) -> Self:
        return self.filter(**{f"{self.organisation_path}_id": organisation_id})


def can_operate(user: AbstractBaseUser | AnonymousUser, organisation_id: int) -> bool:
    """Whether ``user`` may act in the organisation (acknowledge alarms, send commands):
    its admins and dispatchers may, viewers may not."""
    from accounts.models import Membership, Role

    if not user.is_authenticated or not user.is_active:
        return False
    if getattr(user, "is_superuser", False):
        return True
    return Membership.objects.filter(
        user_id=user.pk,
        organisation_id=organisation_id,
        role__in=[Role.ADMIN, Role.DISPATCHER],
    ).exists()
