# SPDX-License-Identifier: AGPL-3.0-or-later
"""Random Unicode into every field of every form: never a 5xx.

Every public page without arguments and every staff page of the permission
table is fetched as someone who may see it; the forms are read back from the
rendered HTML (so a field added tomorrow is fuzzed tomorrow), and each is
sent, a fixed number of times, with every field filled from Hypothesis:
digits from other scripts (Arabic-Indic, full-width, superscript), right-to-
left and zero-width marks, NUL, emoji, very long strings and plain noise. A
refusal (400, 403, 404, 409, 429) is fine; a 500, or an exception that would
become one, fails the test with the falsifying example.

Each form runs in a transaction rolled back afterwards, so a lucky post (a
cancelled session, a discharge) cannot take the next page's objects away.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, reverse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from openiop.accounts.models import Role, User
from openiop.admissions.services import inquiry_create
from openiop.core.testing import Objects, Page, build_extra_objects
from openiop.core.tests.test_permission_matrix import PAGES, PUBLIC_NAMES, all_routes
from openiop.patients.services import patient_register
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db

# Random examples per form, after the fixed ones below; with about 150 forms
# this keeps the whole module near half a minute on SQLite.
EXAMPLES_PER_FORM = 2

# Every field of the form gets each of these in turn, before the random ones.
FIXED_VALUES = [
    "٠٢١٠٨",  # Arabic-Indic digits: int() reads them, the ZIP library panics
    "０２１０８",  # full-width digits
    "²",  # isdigit() is true, int() raises
    "\x00",  # NUL: PostgreSQL refuses it in text
    "9" * 40,  # longer than any integer column
    "\u202e\u200f😀" * 200,  # RTL override and mark, emoji, long
]

NASTY = st.sampled_from(
    [
        *FIXED_VALUES,
        "-1",
        "0",
        "1e309",
        "NaN",
        "inf",
        "1_000",
        "1.5",
        "9" * 5000,
        "a" * 20_000,
        "2026-02-30",
        "24:61",
        "' OR 1=1 --",
        "<script>alert(1)</script>",
        "%(name)s {0} %s",
        "\u200b",
        "\ufeff",
        " ",
        "\r\n",
    ]
)
OTHER_DIGITS = st.text(alphabet=st.characters(categories=["Nd", "No", "Nl"]), min_size=1, max_size=12)
FIELD_VALUE = st.one_of(NASTY, OTHER_DIGITS, st.text(max_size=60))

# Forms that end the session rather than exercise anything.
SKIPPED_ACTIONS = {"accounts:logout"}
# The load balancer's probe answers 503 by design while no worker runs; it has no form.
SKIPPED_PAGES = {"core:healthz"}


# --- Reading forms from HTML -----------------------------------------------------------------------------------------


@dataclass
class FormField:
    name: str
    kind: str  # input type, "select" or "textarea"
    value: str = ""
    options: list[str] = field(default_factory=list)


@dataclass
class HtmlForm:
    method: str
    action: str
    fields: list[FormField] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)

    @property
    def has_file(self) -> bool:
        return any(f.kind == "file" for f in self.fields)


class FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[HtmlForm] = []
        self._form: HtmlForm | None = None
        self._select: FormField | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {key: value or "" for key, value in attrs}
        if tag == "option" and self._select is not None:
            self._select.options.append(attr.get("value", ""))
            return
        if tag == "form":
            self._form = HtmlForm(method=attr.get("method", "get").lower(), action=attr.get("action", ""))
            self.forms.append(self._form)
            return
        form = self._form
        if form is None or not attr.get("name") or "disabled" in attr:
            return
        name = attr["name"]
        if tag == "input":
            kind = attr.get("type", "text").lower()
            if kind in {"submit", "button", "image"}:
                form.buttons.append((name, attr.get("value", "")))
            elif kind != "reset":
                form.fields.append(FormField(name, kind, attr.get("value", "")))
        elif tag == "button" and attr.get("type", "submit").lower() == "submit":
            form.buttons.append((name, attr.get("value", "")))
        elif tag == "select":
            self._select = FormField(name, "select")
            form.fields.append(self._select)
        elif tag == "textarea":
            form.fields.append(FormField(name, "textarea"))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def forms_in(html: str) -> list[HtmlForm]:
    parser = FormParser()
    parser.feed(html)
    return parser.forms


def _skipped(form: HtmlForm, page_url: str) -> bool:
    target = urlsplit(urljoin(page_url, form.action)).path
    for name in SKIPPED_ACTIONS:
        try:
            if target == reverse(name):
                return True
        except NoReverseMatch:
            continue
    return False


# --- Sending ---------------------------------------------------------------------------------------------------------


def _payload(form: HtmlForm, values: dict[str, str], button: tuple[str, str] | None) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for item in form.fields:
        if item.name == "csrfmiddlewaretoken":
            data[item.name] = item.value
        elif item.kind == "file":
            data[item.name] = SimpleUploadedFile("fuzz.csv", values[item.name].encode("utf-8", "surrogatepass"))
        else:
            data[item.name] = values[item.name]
    if button is not None and button[0]:
        data[button[0]] = button[1]
    return data


def send(client: Client, page_url: str, form: HtmlForm, values: dict[str, str], button: Any) -> None:
    url = urljoin(page_url, form.action or page_url)
    data = _payload(form, values, button)
    response = client.post(url, data) if form.method == "post" else client.get(url, data)
    assert response.status_code < 500, (url, form.method, data)


def _shape(page_url: str, form: HtmlForm) -> tuple[Any, ...]:
    """Forms that differ only in their values (a row of Revoke buttons, the
    permission matrix's cells) are fuzzed once."""
    target = urlsplit(urljoin(page_url, form.action or page_url)).path
    return (
        form.method,
        target,
        tuple(sorted(f.name for f in form.fields)),
        tuple(sorted({b[0] for b in form.buttons})),
    )


def fuzz_form(client: Client, page_url: str, form: HtmlForm) -> None:
    names = [item.name for item in form.fields if item.name != "csrfmiddlewaretoken"]
    # One button of each name (a table of "Remove" buttons differs only in value).
    choices: list[Any] = [None, *{name: (name, value) for name, value in form.buttons}.values()]
    # Each fixed value once, the buttons taken in turn (every button is pressed
    # when a form has fewer buttons than there are values).
    for index, value in enumerate(FIXED_VALUES):
        send(client, page_url, form, dict.fromkeys(names, value), choices[index % len(choices)])

    def value_for(item: FormField) -> st.SearchStrategy[str]:
        if item.options:
            return st.one_of(st.sampled_from(item.options), FIELD_VALUE)
        if item.value and item.kind in {"checkbox", "radio", "hidden"}:
            return st.one_of(st.just(item.value), FIELD_VALUE)
        return FIELD_VALUE

    strategy = st.fixed_dictionaries(
        {item.name: value_for(item) for item in form.fields if item.name != "csrfmiddlewaretoken"}
    )

    @settings(
        max_examples=EXAMPLES_PER_FORM,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(values=strategy, button=st.sampled_from(choices))
    def run(values: dict[str, str], button: Any) -> None:
        send(client, page_url, form, values, button)

    run()


def fuzz_page(client: Client, url: str, seen: set[tuple[Any, ...]]) -> int:
    """Fuzz every form on the page at URL not SEEN yet; the number fuzzed."""
    response = client.get(url)
    assert response.status_code < 500, url
    if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
        return 0
    fuzzed = 0
    for form in forms_in(response.content.decode()):
        if _skipped(form, url) or not (form.fields or form.buttons) or _shape(url, form) in seen:
            continue
        seen.add(_shape(url, form))
        with transaction.atomic():
            fuzz_form(client, url, form)
            transaction.set_rollback(True)
        fuzzed += 1
    return fuzzed


# --- Fixtures and the tests ------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _uploads_in_memory(settings: Any) -> None:
    # Fuzzed uploads (consent documents, signatures) must not land in var/.
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}


@pytest.fixture
def objects(north: Site) -> Objects:
    patient = patient_register(
        site=north, legal_first_name="Test", legal_last_name="Patient", birth_date=dt.date(1990, 1, 1)
    )
    inquiry = inquiry_create(
        actor=None, site=north, caller_name="Rosa Diaz", caller_relation="parent", first_name="Tom",
        last_name="Diaz", birth_date=dt.date(1998, 4, 2), phone="(617) 555-0142", consent_to_contact=True,
    )  # fmt: skip
    objects = Objects(site=north, patient=patient, inquiry=inquiry)
    build_extra_objects(objects)
    return objects


@pytest.fixture
def user_for(persona: Callable[..., User]) -> Iterator[Callable[[str], User]]:
    made: dict[str, User] = {}

    def user(action: str) -> User:
        role = Role.objects.filter(actions__code=action).order_by("code").first()
        assert role is not None, f"no role is granted {action}"
        if role.code not in made:
            made[role.code] = persona(role.code)
        return made[role.code]

    yield user


def _app(page: Page) -> str:
    return page.name.split(":", 1)[0]


STAFF_APPS = sorted({_app(page) for page in PAGES})

# Staff pages whose forms once answered 500 (or leaked) on odd input: each
# must be among the pages actually fuzzed, so the test cannot pass by
# silently finding no form there.
REQUIRED_STAFF_PAGES = {
    "patients:register",
    "patients:edit",
    "scheduling:feeds",
    "scheduling:patient_feeds",
    "scheduling:availability",
    "scheduling:clinician_availability",
    "scheduling:attendance",
    "treatment:group_create",
    "treatment:homework_create",
    "treatment:plan_item_remove",
    "admissions:create",
    "directory:import",
}


def public_urls() -> list[str]:
    """Public pages without arguments (the feed, a facility and the password
    reset link need one, and hold no form but the locator's, fuzzed at /help/find/)."""
    urls = []
    for route in all_routes():
        if route.name in PUBLIC_NAMES - SKIPPED_PAGES and "<" not in route.route:
            urls.append(reverse(route.name))
    return sorted(set(urls))


def test_the_fuzzer_reads_every_kind_of_field() -> None:
    html = """<form method="post" action="/x/"><input type="hidden" name="csrfmiddlewaretoken" value="t">
      <input name="a"><select name="s"><option value="1">One</option><option value="2" selected>Two</option></select>
      <textarea name="t"></textarea><input type="checkbox" name="c" value="on"><input type="file" name="f">
      <button type="submit" name="remove" value="7">Remove</button><input type="submit" value="Save"></form>
      <form><input name="q"></form>"""

    posted, searched = forms_in(html)

    assert (posted.method, posted.action, searched.method) == ("post", "/x/", "get")
    assert [(f.name, f.kind) for f in posted.fields] == [
        ("csrfmiddlewaretoken", "hidden"), ("a", "text"), ("s", "select"), ("t", "textarea"), ("c", "checkbox"),
        ("f", "file"),
    ]  # fmt: skip
    assert posted.fields[2].options == ["1", "2"]
    assert posted.buttons == [("remove", "7")]
    assert posted.has_file


def test_no_public_form_answers_5xx_whatever_is_typed(client: Client, objects: Objects) -> None:
    urls = public_urls()
    seen: set[tuple[Any, ...]] = set()
    fuzzed = sum(fuzz_page(client, url, seen) for url in urls)

    # The locator, self-check, cost estimator, call-back, coverage check,
    # sign-in and password reset at least.
    for required in ["directory:search", "public:self_check", "public:cost", "public:call_back", "accounts:login"]:
        assert reverse(required) in urls
    assert fuzzed >= 7


@pytest.mark.parametrize("app", STAFF_APPS)
def test_no_staff_form_answers_5xx_whatever_is_typed(
    client: Client, objects: Objects, user_for: Callable[[str], User], app: str
) -> None:
    fuzzed: set[str] = set()
    seen: set[tuple[Any, ...]] = set()
    pages = [page for page in PAGES if _app(page) == app]
    for page in pages:
        client.force_login(user_for(page.action))
        if fuzz_page(client, page.url(objects), seen):
            fuzzed.add(page.name)
    assert {page.name for page in pages} & REQUIRED_STAFF_PAGES <= fuzzed
