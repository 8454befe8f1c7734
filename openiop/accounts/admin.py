# SPDX-License-Identifier: AGPL-3.0-or-later
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django_otp.plugins.otp_totp import admin as _otp_totp_admin  # noqa: F401 - registers the stock admin
from django_otp.plugins.otp_totp.models import TOTPDevice

from openiop.accounts.models import Role, User


@admin.register(User)
class StaffAdmin(UserAdmin[User]):
    list_display = ["username", "first_name", "last_name", "credentials", "is_active"]
    list_filter = ["is_active", "roles", "sites"]
    filter_horizontal = ["roles", "sites", "groups", "user_permissions"]
    raw_id_fields = ["clinical_supervisor"]
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("OpenIOP", {"fields": ("credentials", "roles", "sites", "requires_cosignature", "clinical_supervisor")}),
    )


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin[Role]):
    list_display = ["name", "code"]
    filter_horizontal = ["actions"]
    readonly_fields = ["code"]


# django-otp's own TOTPDevice admin shows the shared secret (the key field and
# an otpauth:// QR code page) to anyone who may view devices, superusers
# included: whoever reads it can produce that person's codes. Imported first so
# that it has registered before it is replaced, whatever the app order.
admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(admin.ModelAdmin[TOTPDevice]):
    """A staff member's authenticator, without its secret, for everyone.

    An administrator may see that a device exists, rename it, mark it
    unconfirmed or clear its failure count, and delete it so the person enrols
    again (scanning their own code at /mfa/enrol/); never read or set the key.
    """

    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    search_fields = ["user__username", "user__email"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at", "throttling_failure_count"]
    readonly_fields = ["user", "created_at", "last_used_at"]
    # Belt and braces: even a form built from other fields never takes the key.
    exclude = ["key", "drift", "last_t", "step", "t0", "digits", "tolerance", "throttling_failure_timestamp"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Adding here would mean choosing (and seeing) someone else's secret.
        return False
