# SPDX-License-Identifier: AGPL-3.0-or-later
"""Signed records are locked in the model too, not only in the services:
whatever code path tries to change or delete a signed plan version, a signed
note or anything hanging off them gets a ``LockedRecordError``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from openiop.core.access import RestrictedQuerySet

DRAFT = "draft"


class LockedRecordError(ValidationError):
    """A change to a signed (locked) record."""

    def __init__(self, message: Any = None) -> None:
        super().__init__(
            message or _("This record is signed and locked. It cannot be changed or deleted; add an addendum instead.")
        )


def refuse_locked_changes(instance: models.Model, *, status_field: str = "status", mutable: Iterable[str] = ()) -> None:
    """Refuse saving INSTANCE when its stored row is no longer a draft and a
    field other than MUTABLE (e.g. the co-signature) differs from storage."""
    if instance.pk is None:
        return
    model = type(instance)
    names = [field.attname for field in model._meta.concrete_fields]
    stored = model._default_manager.filter(pk=instance.pk).values(*names).first()
    if stored is None or stored[status_field] == DRAFT:
        return
    allowed = set(mutable)
    for name in names:
        if name not in allowed and stored[name] != getattr(instance, name):
            raise LockedRecordError()


class LockedParentQuerySet(RestrictedQuerySet[Any]):
    """Rows that belong to a parent with a draft/signed status: bulk deletes
    and updates are refused while any matched row's parent is signed."""

    parent_status_lookup = "status"

    def _locked(self) -> bool:
        return self.exclude(**{self.parent_status_lookup: DRAFT}).exists()

    def delete(self) -> tuple[int, dict[str, int]]:
        if self._locked():
            raise LockedRecordError()
        return super().delete()

    def update(self, **kwargs: Any) -> int:
        if self._locked():
            raise LockedRecordError()
        return super().update(**kwargs)
