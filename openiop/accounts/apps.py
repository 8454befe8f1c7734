# SPDX-License-Identifier: AGPL-3.0-or-later
from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.module_loading import autodiscover_modules


class AccountsConfig(AppConfig):
    name = "openiop.accounts"
    label = "accounts"
    verbose_name = "Staff, roles and permissions"

    def ready(self) -> None:
        from openiop.accounts import models
        from openiop.core.access import by_site, everything, register_scope

        # Every app lists the actions it checks in its permissions.py.
        autodiscover_modules("permissions")
        register_scope(models.Action, everything)
        register_scope(models.Role, everything)
        register_scope(models.User, by_site("sites"))
        post_migrate.connect(_sync_matrix, sender=self, dispatch_uid="openiop_sync_permission_matrix")


def _sync_matrix(sender: AppConfig, **kwargs: object) -> None:
    from openiop.accounts.services import sync_permission_matrix

    sync_permission_matrix(using=str(kwargs.get("using", "default")))
