# SPDX-License-Identifier: AGPL-3.0-or-later
"""What every response and request goes through: the Content-Security-Policy,
no-store on anything but the public site, the request-body limit, and the
request id a client cannot choose."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from openiop.accounts.models import User
from openiop.config.env import csp_sources_for_url_template
from openiop.patients.services import patient_register
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db

TEMPLATE_ROOT = Path(django_settings.BASE_DIR) / "openiop"


def policy(response: Any) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


# --- Content-Security-Policy ---------------------------------------------------------


@pytest.mark.parametrize("name", ["accounts:login", "public:home", "directory:search", "core:healthz"])
def test_anonymous_pages_carry_a_policy_that_allows_no_inline_script(client: Client, name: str) -> None:
    directives = policy(client.get(reverse(name)))

    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert not any("unsafe" in source for sources in directives.values() for source in sources)


def test_staff_pages_carry_the_policy_too(client: Client, bob: User) -> None:
    client.force_login(bob)

    directives = policy(client.get(reverse("core:dashboard")))

    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]


def test_the_base_page_keeps_htmx_from_injecting_its_inline_style(client: Client) -> None:
    html = client.get(reverse("accounts:login")).content.decode()

    assert """<meta name="htmx-config" content='{"includeIndicatorStyles": false, "allowEval": false}'>""" in html


_INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.IGNORECASE)
_STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE)
_STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)
_JAVASCRIPT_URL = re.compile(r"javascript:", re.IGNORECASE)


def test_no_template_has_inline_script_handlers_or_styles_the_policy_would_block() -> None:
    # Templates under <app>/documents/ are rendered only into PDFs by WeasyPrint
    # (never served to a browser), where the page's styles must travel inside it.
    templates = sorted(
        path for path in TEMPLATE_ROOT.rglob("templates/**/*.html") if "documents" not in path.parent.parts
    )
    assert len(templates) > 50
    found = [
        f"{path.relative_to(TEMPLATE_ROOT)}: {pattern.pattern}"
        for path in templates
        for pattern in (_INLINE_HANDLER, _INLINE_SCRIPT, _STYLE_ATTRIBUTE, _STYLE_ELEMENT, _JAVASCRIPT_URL)
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_print_and_change_site_are_wired_by_data_attributes_the_shared_script_handles() -> None:
    script = (TEMPLATE_ROOT / "core" / "static" / "core" / "openiop.js").read_text(encoding="utf-8")
    assert "[data-print]" in script and "data-submit-on-change" in script
    print_page = (TEMPLATE_ROOT / "treatment" / "templates" / "treatment" / "plan_print.html").read_text()
    group_page = (TEMPLATE_ROOT / "treatment" / "templates" / "treatment" / "group_create.html").read_text()
    assert "data-print" in print_page and "data-submit-on-change" in group_page


def test_map_tiles_are_allowed_from_the_configured_tile_server_only() -> None:
    name = "OPENIOP_MAP_TILE_URL"
    assert csp_sources_for_url_template(name, "") == []
    assert csp_sources_for_url_template(name, "https://tiles.example.org/{z}/{x}/{y}.png") == [
        "https://tiles.example.org"
    ]
    assert csp_sources_for_url_template(name, "https://{s}.tile.example.org/{z}/{x}/{y}.png") == [
        "https://*.tile.example.org"
    ]
    assert csp_sources_for_url_template(name, "/tiles/{z}/{x}/{y}.png") == []  # this site: 'self'


def test_a_tile_url_that_is_not_http_stops_start_up_naming_the_variable() -> None:
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="OPENIOP_MAP_TILE_URL"):
        csp_sources_for_url_template("OPENIOP_MAP_TILE_URL", "ftp://tiles.example.org/{z}/{x}/{y}.png")


# --- Cache-Control: no-store --------------------------------------------------------


def assert_not_stored(response: Any) -> None:
    cache_control = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    assert {"no-store", "private"} <= cache_control, response.get("Cache-Control")


def test_the_patient_chart_is_never_stored(client: Client, bob: User, north: Site) -> None:
    patient = patient_register(
        site=north, legal_first_name="Test", legal_last_name="Patient", birth_date=dt.date(1990, 1, 1)
    )
    client.force_login(bob)

    response = client.get(reverse("patients:chart", kwargs={"pk": patient.pk}))

    assert response.status_code == 200
    assert_not_stored(response)


def test_an_export_is_never_stored(client: Client, alice: User) -> None:
    client.force_login(alice)

    response = client.get(reverse("audit:export"))

    assert response.status_code == 200
    assert_not_stored(response)


@pytest.mark.parametrize("name", ["core:dashboard", "patients:list", "scheduling:feeds"])
def test_every_staff_page_is_never_stored(client: Client, alice: User, name: str) -> None:
    client.force_login(alice)

    response = client.get(reverse(name))

    assert response.status_code == 200
    assert_not_stored(response)


def test_a_refusal_and_a_feed_link_are_never_stored_either(client: Client, bob: User) -> None:
    # Anonymous responses outside the public site: the iCalendar feed is
    # opened with its link alone, and a refusal names the page asked for.
    assert_not_stored(client.get(reverse("scheduling:feed", kwargs={"signed": "not-a-real-link"})))
    assert_not_stored(client.get(reverse("core:dashboard")))
    assert_not_stored(client.get(reverse("accounts:login")))


def test_the_public_sites_pages_are_left_to_choose_their_own_caching(client: Client) -> None:
    assert "no-store" not in client.get(reverse("public:home")).get("Cache-Control", "")
    assert "no-store" not in client.get(reverse("directory:search")).get("Cache-Control", "")


# --- Request body limit ---------------------------------------------------------------


class UnreadableBody:
    """A request body that fails the test if anything reads it."""

    def read(self, *args: Any) -> bytes:
        raise AssertionError("the request body was read")

    readline = read


def test_a_60_mb_anonymous_post_to_the_login_page_is_refused_before_it_is_read(client: Client) -> None:
    response = client.generic(
        "POST",
        reverse("accounts:login"),
        CONTENT_TYPE="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(60 * 1024 * 1024),
        **{"wsgi.input": UnreadableBody()},
    )

    assert response.status_code == 413
    assert "too large" in response.content.decode().lower()


def test_a_body_over_the_limit_is_refused_on_any_page(client: Client, settings: Any) -> None:
    settings.OPENIOP_MAX_REQUEST_BYTES = 64 * 1024

    response = client.post(reverse("public:call_back"), {"notes": "x" * (70 * 1024)})

    assert response.status_code == 413


def test_the_directory_import_accepts_a_file_up_to_its_own_limit(client: Client, alice: User, settings: Any) -> None:
    settings.OPENIOP_MAX_REQUEST_BYTES = 64 * 1024
    settings.OPENIOP_DIRECTORY_IMPORT_MAX_BYTES = 200 * 1024
    client.force_login(alice)
    # Larger than any form may send, smaller than the import allows.
    upload = SimpleUploadedFile("places.json", b"[" + b" " * (150 * 1024) + b"]")

    accepted = client.post(reverse("directory:import"), {"file": upload})
    refused = client.post(reverse("directory:import"), {"file": SimpleUploadedFile("big.csv", b"x" * 300 * 1024)})

    assert accepted.status_code == 200  # reached the page (its report or its own form error)
    assert refused.status_code == 413


def test_a_file_over_the_imports_limit_gets_the_forms_own_message(client: Client, alice: User, settings: Any) -> None:
    settings.OPENIOP_DIRECTORY_IMPORT_MAX_BYTES = 2048
    client.force_login(alice)

    response = client.post(reverse("directory:import"), {"file": SimpleUploadedFile("big.csv", b"x" * 4096)})

    assert response.status_code == 200
    assert "the limit is 2,048 bytes" in response.content.decode()


def test_django_checks_form_fields_against_explicit_limits() -> None:
    assert django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= django_settings.OPENIOP_MAX_REQUEST_BYTES
    assert django_settings.DATA_UPLOAD_MAX_NUMBER_FIELDS <= 1000
    assert django_settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 5 * 1024 * 1024


# --- X-Request-ID ---------------------------------------------------------------------------


def request_id(client: Client, header: str, **extra: Any) -> str:
    response = client.get(reverse("accounts:login"), headers={"X-Request-ID": header}, **extra)
    return str(response["X-Request-ID"])


def test_a_clients_request_id_is_ignored_without_a_trusted_proxy(client: Client) -> None:
    chosen = request_id(client, "trace-0001abcd")

    assert chosen != "trace-0001abcd"
    assert re.fullmatch(r"[0-9a-f]{32}", chosen)


def test_a_trusted_proxys_well_formed_request_id_is_kept(client: Client, settings: Any) -> None:
    settings.OPENIOP_TRUSTED_PROXIES = ["127.0.0.0/8"]

    assert request_id(client, "trace-0001abcd") == "trace-0001abcd"
    assert request_id(client, "0b1c7a0e-2f55-4c39-9a1b-3f0e7c2d9b10") == "0b1c7a0e-2f55-4c39-9a1b-3f0e7c2d9b10"


@pytest.mark.parametrize(
    "header", ["short", "x" * 65, "trace 0001abcd", "trace.0001_abcd", "trace-0001abcd\n", "<b>12345678"]
)
def test_a_malformed_request_id_is_replaced_even_from_a_trusted_proxy(
    client: Client, settings: Any, header: str
) -> None:
    settings.OPENIOP_TRUSTED_PROXIES = ["127.0.0.0/8"]

    assert request_id(client, header) != header


def test_a_request_id_from_an_address_that_is_not_the_proxy_is_replaced(client: Client, settings: Any) -> None:
    settings.OPENIOP_TRUSTED_PROXIES = ["10.0.0.5"]

    assert request_id(client, "trace-0001abcd", REMOTE_ADDR="203.0.113.9") != "trace-0001abcd"
    assert request_id(client, "trace-0001abcd", REMOTE_ADDR="10.0.0.5") == "trace-0001abcd"
