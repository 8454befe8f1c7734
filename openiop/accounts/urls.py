# SPDX-License-Identifier: AGPL-3.0-or-later
from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from openiop.accounts import views
from openiop.accounts.forms import StaffPasswordResetForm

app_name = "accounts"

urlpatterns = [
    path("auth/login/", views.LoginView.as_view(), name="login"),
    path("auth/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("auth/mfa/enrol/", views.mfa_enrol, name="mfa_enrol"),
    path("auth/mfa/verify/", views.mfa_verify, name="mfa_verify"),
    path(
        "auth/password/reset/",
        views.PasswordResetView.as_view(
            form_class=StaffPasswordResetForm,
            template_name="accounts/password_reset.html",
            email_template_name="accounts/password_reset_email.txt",
            subject_template_name="accounts/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "auth/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "auth/password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "auth/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("staff/permissions/", views.permission_matrix, name="permission_matrix"),
]
