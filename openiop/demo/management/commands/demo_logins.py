# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from openiop.accounts.models import User
from openiop.demo import program as demo


class Command(BaseCommand):
    help = "Print the demo logins that exist in this database (scripts/serve.sh prints them last, once all is up)."

    def handle(self, *args: Any, **options: Any) -> None:
        present = set(
            User.objects.filter(username__in=[login[0] for login in demo.DEMO_LOGINS], is_active=True).values_list(
                "username", flat=True
            )
        )
        if not present:
            self.stdout.write("No demo logins in this database (run `manage.py seed`).")
            return
        self.stdout.write(f"Demo logins (password for each: {demo.DEMO_PASSWORD}):")
        for username, role, *_ in demo.DEMO_LOGINS:
            if username in present:
                self.stdout.write(f"  {role.label:<34} {username}")
