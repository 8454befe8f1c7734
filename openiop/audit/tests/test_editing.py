# SPDX-License-Identifier: AGPL-3.0-or-later
"""The one edit-with-version view shape (openiop.audit.editing)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from openiop.accounts.models import User
from openiop.audit.editing import edit_with_version
from openiop.audit.models import AuditEvent
from openiop.audit.services import log_action
from openiop.core.locking import STALE_MESSAGE, StaleEditError

pytestmark = pytest.mark.django_db


class NameForm(forms.Form):
    name = forms.CharField(max_length=20)


def _request(data: dict[str, str] | None = None) -> HttpRequest:
    factory = RequestFactory()
    return factory.post("/things/1/", data) if data is not None else factory.get("/things/1/")


def _edit(
    request: HttpRequest, record: User, save: Callable[[int], Any], version: int = 3
) -> tuple[HttpResponse, NameForm]:
    form = NameForm(request.POST or None)
    response = edit_with_version(
        request,
        form,
        record=record,
        version=version,
        save=save,
        saved=lambda result: HttpResponse(f"saved {result}", status=302),
        page=lambda: HttpResponse("page"),
    )
    return response, form


def _refuse(expected: int) -> None:
    raise StaleEditError(STALE_MESSAGE, code="stale")


@pytest.fixture
def record(persona: Callable[..., User]) -> User:
    return persona()


def test_the_form_opens_with_the_records_version_hidden_and_nothing_is_saved(record: User) -> None:
    calls: list[int] = []
    response, form = _edit(_request(), record, calls.append)
    assert response.content == b"page" and calls == []
    assert form.initial["version"] == 3
    assert 'type="hidden" name="version" value="3"' in str(form["version"])


def test_a_valid_post_saves_against_the_version_the_form_was_opened_at(record: User) -> None:
    calls: list[int] = []
    response, _form = _edit(_request({"name": "Ana", "version": "2"}), record, lambda v: calls.append(v) or "ok")
    assert calls == [2]
    assert response.status_code == 302 and response.content == b"saved ok"


def test_a_post_without_the_version_is_refused_before_saving(record: User) -> None:
    calls: list[int] = []
    response, form = _edit(_request({"name": "Ana"}), record, calls.append)
    assert calls == [] and response.content == b"page"
    assert "version" in form.errors


def test_a_stale_save_keeps_the_input_names_who_saved_first_and_is_audited(
    record: User, persona: Callable[..., User]
) -> None:
    first = persona()
    log_action("record.read", obj=record, actor=first)
    log_action("staff.create", obj=record, actor=first, data={})
    log_action("record.read", obj=record)  # a later look is not a change

    response, form = _edit(_request({"name": "Mine", "version": "3"}), record, _refuse)

    assert response.content == b"page"
    errors = form.non_field_errors()
    assert str(STALE_MESSAGE) in errors
    assert any(error.startswith(f"Last saved by {first.get_full_name()} at ") for error in errors)
    assert form.data["name"] == "Mine"  # what the user typed is shown again
    stale = AuditEvent.objects.get(action="edit.stale")
    assert stale.object_id == str(record.pk) and stale.data["expected_version"] == 3


def test_another_refusal_lands_beside_its_field(record: User) -> None:
    def refuse(expected: int) -> None:
        raise ValidationError({"name": "That name is taken.", "elsewhere": "Not a field."})

    response, form = _edit(_request({"name": "Ana", "version": "3"}), record, refuse)
    assert response.content == b"page"
    assert form.errors["name"] == ["That name is taken."]
    assert form.non_field_errors() == ["Not a field."]
    assert not AuditEvent.objects.filter(action="edit.stale").exists()
