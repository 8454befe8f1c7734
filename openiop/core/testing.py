# SPDX-License-Identifier: AGPL-3.0-or-later
"""The permission table's building blocks, shared by every app's tests.

The generated test in ``openiop/core/tests/test_permission_matrix.py`` checks
every page against every role. Each app lists its own pages in
``openiop/<app>/tests/pages.py``:

    PAGES = [Page("plans:detail", PLAN_VIEW, lambda objects: {"pk": objects.extra["plan"].pk})]

    def extra_objects(base: Objects) -> dict[str, Any]:   # optional
        return {"plan": make_plan(base.patient)}

    PUBLIC_NAMES = {"public:home"}   # optional: pages for anyone, no action

All objects sit at the North site, where the personas work, so a refusal can
only come from the matrix, never from site scope.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.urls import reverse

if TYPE_CHECKING:
    from openiop.admissions.models import Inquiry
    from openiop.patients.models import Patient
    from openiop.sites.models import Site


@dataclass(frozen=True)
class Objects:
    site: Site
    patient: Patient
    inquiry: Inquiry
    extra: dict[str, Any] = field(default_factory=lambda: LazyExtras())


Kwargs = Callable[[Objects], dict[str, Any]]


def no_kwargs(objects: Objects) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Page:
    name: str
    action: str
    kwargs: Kwargs = no_kwargs

    def url(self, objects: Objects) -> str:
        return reverse(self.name, kwargs=self.kwargs(objects))


def the_site(objects: Objects) -> dict[str, Any]:
    return {"code": objects.site.code}


def the_patient(objects: Objects) -> dict[str, Any]:
    return {"pk": objects.patient.pk}


def the_inquiry(objects: Objects) -> dict[str, Any]:
    return {"pk": objects.inquiry.pk}


def app_page_modules() -> list[ModuleType]:
    modules = []
    for config in apps.get_app_configs():
        if not config.name.startswith("openiop."):
            continue
        name = f"{config.name}.tests.pages"
        try:
            modules.append(importlib.import_module(name))
        except ModuleNotFoundError as error:
            if error.name not in {name, f"{config.name}.tests"}:
                raise
    return modules


def app_pages() -> list[Page]:
    return [page for module in app_page_modules() for page in getattr(module, "PAGES", [])]


def app_public_names() -> set[str]:
    """URL names an app declares public (``PUBLIC_NAMES`` in its pages.py),
    e.g. the public site's pages, each needing no action and no sign-in."""
    return {name for module in app_page_modules() for name in getattr(module, "PUBLIC_NAMES", set())}


class LazyExtras(dict[str, Any]):
    """Builds each app's extra objects only when one of its pages asks for
    them: most of the table's runs (a core page, a refused role) need none."""

    def __init__(self) -> None:
        super().__init__()
        self._base: Objects | None = None
        self._pending: list[Callable[[Objects], dict[str, Any]]] = []

    def bind(self, base: Objects, builders: list[Callable[[Objects], dict[str, Any]]]) -> None:
        self._base, self._pending = base, list(builders)

    def __missing__(self, key: str) -> Any:
        while self._pending and self._base is not None:
            self.update(self._pending.pop(0)(self._base))
            if dict.__contains__(self, key):
                return dict.__getitem__(self, key)
        raise KeyError(key)


def build_extra_objects(base: Objects) -> None:
    builders = [module.extra_objects for module in app_page_modules() if hasattr(module, "extra_objects")]
    if isinstance(base.extra, LazyExtras):
        base.extra.bind(base, builders)
    else:
        for builder in builders:
            base.extra.update(builder(base))
