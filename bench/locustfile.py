# SPDX-License-Identifier: AGPL-3.0-or-later
"""Staff at work, for ``python -m bench.load`` (run by locust, never by hand).

Each simulated user takes the next entry of the plan that bench.load wrote
(OPENIOP_LOAD_PLAN): a signed-in session, the pages its role opens and the
patients it may open. Front desk, navigators and directors also save the
same patient's contact details at the same time as each other: every save
reads the form (with its version) and posts it back; bench.load then checks
that each accepted save moved the version by one and no refused save
changed anything. Outcomes of saves go, one JSON line each, to
OPENIOP_LOAD_OUTCOMES.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from html.parser import HTMLParser
from typing import Any

from locust import HttpUser, between, task

PLAN: dict[str, Any] = json.loads(open(os.environ["OPENIOP_LOAD_PLAN"], encoding="utf-8").read())  # noqa: SIM115
_next_entry = itertools.cycle(PLAN["users"])
STALE_TEXT = "Someone else changed this record"


class FormFields(HTMLParser):
    """The values a browser would post back for the page's main form."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        name = values.get("name") or ""
        if tag == "input" and name:
            kind = values.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in values:
                    self.fields[name] = values.get("value") or "on"
            elif kind not in ("submit", "button", "file"):
                self.fields[name] = values.get("value") or ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in values:
            self.fields[self._select] = values.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea] += data


class StaffUser(HttpUser):
    wait_time = between(1.0, 3.0)

    def on_start(self) -> None:
        self.entry: dict[str, Any] = next(_next_entry)
        # Into the cookie jar, not a fixed Cookie header: a fixed header would
        # hide the CSRF cookie the first form page sets, and every save would
        # answer 403.
        name, _, value = self.entry["cookie"].partition("=")
        self.client.cookies.set(name, value)

    @task(6)
    def open_a_page(self) -> None:
        url = random.choice(self.entry["pages"])
        self.client.get(url, name=url.split("?")[0] if "/patients/" not in url else "chart tab", allow_redirects=False)

    @task(4)
    def open_a_chart(self) -> None:
        if not self.entry["patients"]:
            return
        patient = random.choice(self.entry["patients"])
        tab = random.choice(self.entry["tabs"])
        self.client.get(f"/patients/{patient}/?tab={tab}", name="chart", allow_redirects=False)

    @task(2)
    def save_the_contested_patient(self) -> None:
        if not self.entry["edits"]:
            return
        url = f"/patients/{PLAN['contested_patient']}/edit/"
        with self.client.get(url, name="patient edit form", catch_response=True) as form_page:
            if form_page.status_code != 200:
                form_page.failure(f"edit form answered {form_page.status_code}")
                return
            parser = FormFields()
            parser.feed(form_page.text)
        fields = parser.fields
        phone = f"555-{random.randint(100, 999)}-{random.randint(1000, 9999)}"
        fields["phone"] = phone
        with self.client.post(
            url,
            data=fields,
            headers={"Referer": f"{self.host}{url}"},
            name="patient edit save",
            allow_redirects=False,
            catch_response=True,
        ) as saved:
            if saved.status_code == 302:
                outcome = "saved"
            elif saved.status_code == 200 and STALE_TEXT in saved.text:
                outcome = "refused"  # the optimistic lock did its job; not an error
            else:
                errors = re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', saved.text, re.S)[:1]
                saved.failure(f"save answered {saved.status_code} {errors}")
                return
            saved.success()
        with open(os.environ["OPENIOP_LOAD_OUTCOMES"], "a", encoding="utf-8") as outcomes:
            outcomes.write(json.dumps({"outcome": outcome, "version": fields.get("version"), "phone": phone}) + "\n")
