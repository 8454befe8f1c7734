# SPDX-License-Identifier: AGPL-3.0-or-later
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from openiop.accounts.models import Role, User


@admin.register(User)
class StaffAdmin(UserAdmin[User]):
    list_display = ["username", "first_name", "last_name", "credentials", "is_active"]
    list_filter = ["is_active", "roles", "sites"]
    filter_horizontal = ["roles", "sites", "groups", "user_permissions"]
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("OpenIOP", {"fields": ("credentials", "roles", "sites", "requires_cosignature")}),
    )


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin[Role]):
    list_display = ["name", "code"]
    filter_horizontal = ["actions"]
    readonly_fields = ["code"]
