# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.core.mail import send_mail
from django_tasks import task


@task()
def send_email(subject: str, body: str, recipients: list[str]) -> int:
    """Mail goes out from the worker so a slow mail server never slows a page."""
    return send_mail(subject, body, None, recipients)
