# SPDX-License-Identifier: AGPL-3.0-or-later
"""The permission table's building blocks, shared by every app's tests.

The generated tests in ``openiop/core/tests/test_permission_matrix.py`` check
every page against every role, against another site's objects and, for
forms, against a POST. Each app lists its own pages in
``openiop/<app>/tests/pages.py``:

    PAGES = [
        Page("plans:detail", PLAN_VIEW, lambda objects: {"pk": objects.extra["plan"].pk}),
        Page("plans:edit", PLAN_WRITE, lambda objects: {"pk": objects.extra["plan"].pk}, form=True),
    ]

    def extra_objects(base: Objects) -> dict[str, Any]:   # optional
        return {"plan": make_plan(base.patient)}

    PUBLIC_NAMES = {"public:home"}   # optional: pages for anyone, no action

``extra_objects`` runs once per site (the table builds a full set at two
sites), so anything it names uniquely (a username, a site code) takes the
base site's code into the name. All of a set's objects sit at its base site.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from types import ModuleType
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

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
    """One page behind the matrix.

    ``form``: the page's GET shows a form that posts back to the page, so the
    table also POSTs it as someone without the action. A guard checks the
    flag against the rendered page, so it cannot be forgotten.

    ``organization_wide``: the page's object belongs to the whole
    organization (a referral source), not to one site, so another site's
    staff reaching it is by design. Every other page with an object must
    answer 404 to staff of another site.
    """

    name: str
    action: str
    kwargs: Kwargs = no_kwargs
    form: bool = False
    organization_wide: bool = False

    def url(self, objects: Objects) -> str:
        return reverse(self.name, kwargs=self.kwargs(objects))

    @property
    def takes_object(self) -> bool:
        return self.kwargs is not no_kwargs


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
    them, for tests that build a set per test and use a few pages of it."""

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


def build_objects(site: Site) -> Objects:
    """Every object the table's pages need, at SITE, built now (for data
    built once and shared by many tests)."""
    from openiop.admissions.services import inquiry_create
    from openiop.patients.services import patient_register

    patient = patient_register(
        site=site, legal_first_name="Test", legal_last_name="Patient", birth_date=dt.date(1990, 1, 1)
    )
    inquiry = inquiry_create(
        actor=None,
        site=site,
        caller_name="Rosa Diaz",
        caller_relation="parent",
        first_name="Tom",
        last_name="Diaz",
        birth_date=dt.date(1998, 4, 2),
        phone="(617) 555-0142",
        consent_to_contact=True,
    )
    objects = Objects(site=site, patient=patient, inquiry=inquiry, extra={})
    build_extra_objects(objects)
    return objects


# --- Forms as a page offers them -------------------------------------------------------------------------------------

FormData = dict[str, list[str]]


@dataclass
class _Form:
    action: str
    data: FormData = field(default_factory=dict)
    submitted: bool = False  # the first submit button's name/value is in data


class _FormReader(HTMLParser):
    """The POST forms of a page with the values it fills in: what a browser
    would send if the user pressed the first button without typing."""

    def __init__(self, path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.path = path
        self.forms: list[_Form] = []
        self._form: _Form | None = None
        self._select: tuple[str, bool, list[str], list[str]] | None = None  # name, multiple, options, selected
        self._textarea: tuple[str, list[str]] | None = None

    def _add(self, name: str, value: str) -> None:
        if self._form is not None and name:
            self._form.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {key: value or "" for key, value in attrs}
        present = {key for key, _value in attrs}
        if tag == "form":
            if attr.get("method", "get").lower() == "post":
                self._form = _Form(action=urlsplit(urljoin(self.path, attr.get("action", ""))).path)
                self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = attr.get("name", "")
        if tag == "input":
            kind = attr.get("type", "text").lower()
            if kind in {"submit", "image", "button", "reset", "file"}:
                if kind == "submit" and not self._form.submitted:
                    self._form.submitted = True
                    self._add(name, attr.get("value", ""))
            elif kind in {"checkbox", "radio"}:
                if "checked" in present:
                    self._add(name, attr.get("value", "on"))
            else:
                self._add(name, attr.get("value", ""))
        elif tag == "button" and attr.get("type", "submit").lower() == "submit" and not self._form.submitted:
            self._form.submitted = True
            self._add(name, attr.get("value", ""))
        elif tag == "select":
            self._select = (name, "multiple" in present, [], [])
        elif tag == "option" and self._select is not None:
            self._select[2].append(attr.get("value", ""))
            if "selected" in present:
                self._select[3].append(attr.get("value", ""))
        elif tag == "textarea":
            self._textarea = (name, [])

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None:
            name, multiple, options, selected = self._select
            for value in selected or ([] if multiple else options[:1]):
                self._add(name, value)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            self._add(name, "".join(text).removeprefix("\n"))
            self._textarea = None


def offered_form(html: str, path: str) -> FormData | None:
    """The data of the first POST form in HTML that posts back to PATH (the
    page's own address), as offered; None when the page has no such form."""
    reader = _FormReader(path)
    reader.feed(html)
    reader.close()
    ours = [form for form in reader.forms if form.action == urlsplit(path).path]
    if not ours:
        return None
    data = dict(ours[0].data)
    data.pop("csrfmiddlewaretoken", None)
    return data
