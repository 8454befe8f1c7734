# SPDX-License-Identifier: AGPL-3.0-or-later
"""Writes for the public site: a request from a member of the public becomes
an inquiry in the admissions pipeline, and the site's navigators hear of it.

The email to navigators carries no name, number or detail of the person
(email is not a safe channel for them): only that a request arrived and a
link to it on the board, where access is checked and audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openiop.accounts.models import User
from openiop.admissions import services as admissions_services
from openiop.admissions.models import CallerRelation, Channel, ContactMethod, Inquiry, Urgency
from openiop.admissions.permissions import ADMISSIONS_MANAGE
from openiop.core.jobs import enqueue_on_commit
from openiop.core.roles import RoleCode
from openiop.core.tasks import send_email
from openiop.insurance.models import SubscriberRelation
from openiop.public import selfcheck
from openiop.sites.models import Site

CALL_BACK = "call_back"
COVERAGE_CHECK = "coverage_check"
KINDS = (CALL_BACK, COVERAGE_CHECK)

# Stands in for a last name the person did not give; the inquiry needs one.
NO_LAST_NAME = "-"

BEST_TIMES = [
    ("", gettext_lazy("Any time")),
    ("morning", gettext_lazy("Morning (8 am to noon)")),
    ("afternoon", gettext_lazy("Afternoon (noon to 5 pm)")),
    ("evening", gettext_lazy("Evening (5 pm to 8 pm)")),
]

FOR_MYSELF = "myself"
FOR_SOMEONE_ELSE = "someone_else"
FOR_WHOM_CHOICES = [(FOR_MYSELF, gettext_lazy("Myself")), (FOR_SOMEONE_ELSE, gettext_lazy("Someone else"))]

# May we leave a voicemail, may we text? In substance-use care a message seen
# by the wrong person can do harm, so the answer travels with the request.
VOICEMAIL_AND_TEXT = "both"
VOICEMAIL_ONLY = "voicemail"
TEXT_ONLY = "text"
NO_MESSAGES = "neither"
LEAVE_MESSAGE_CHOICES = [
    (VOICEMAIL_AND_TEXT, gettext_lazy("Yes, a voicemail or a text is fine")),
    (VOICEMAIL_ONLY, gettext_lazy("A voicemail, but no texts")),
    (TEXT_ONLY, gettext_lazy("A text, but no voicemail")),
    (NO_MESSAGES, gettext_lazy("Neither: only speak to me")),
]

# Whose name the insurance is in, as the public says it; the values are the
# X12 relationship codes the admissions benefits check uses.
SUBSCRIBER_CHOICES = [
    (SubscriberRelation.SELF, gettext_lazy("Mine (or the person's, if I am asking for someone)")),
    (SubscriberRelation.SPOUSE, gettext_lazy("A spouse's or partner's")),
    (SubscriberRelation.CHILD, gettext_lazy("A parent's")),
    (SubscriberRelation.OTHER, gettext_lazy("Someone else's")),
]


@dataclass(frozen=True)
class PublicRequest:
    kind: str
    site: Site
    name: str
    phone: str = ""
    email: str = ""
    best_time: str = ""
    insurer: str = ""
    member_id: str = ""
    consent: bool = False
    language: str = ""
    selfcheck_outcomes: list[str] = field(default_factory=list)
    for_whom: str = FOR_MYSELF
    their_name: str = ""
    leave_messages: str = ""  # unanswered: no voicemail, no text
    message: str = ""
    birth_date: dt.date | None = None
    subscriber_relation: str = ""
    subscriber_name: str = ""

    @property
    def for_someone_else(self) -> bool:
        return self.for_whom == FOR_SOMEONE_ELSE

    @property
    def voicemail_ok(self) -> bool:
        return self.leave_messages in (VOICEMAIL_AND_TEXT, VOICEMAIL_ONLY)

    @property
    def text_ok(self) -> bool:
        return self.leave_messages in (VOICEMAIL_AND_TEXT, TEXT_ONLY)


def split_name(name: str) -> tuple[str, str]:
    """First word as the first name, the rest as the last name (so double
    surnames stay together)."""
    words = name.split()
    if not words:
        raise ValueError("a name is required")
    return words[0], " ".join(words[1:]) or NO_LAST_NAME


def _kind_label(kind: str) -> str:
    return _("Coverage check") if kind == COVERAGE_CHECK else _("Call back")


def _notes(request: PublicRequest) -> str:
    lines = [_("%(kind)s requested on the public website.") % {"kind": _kind_label(request.kind)}]
    if request.for_someone_else:
        lines.append(
            _("%(caller)s asked on behalf of someone else (%(name)s).")
            % {"caller": request.name.strip(), "name": request.their_name.strip()}
        )
    # The admissions inquiry has no field for these answers yet; the notes
    # are where the navigator reads them before calling.
    if request.leave_messages:
        lines.append(
            _("Voicemail: %(voicemail)s. Text messages: %(text)s.")
            % {
                "voicemail": _("may be left") if request.voicemail_ok else _("do NOT leave one"),
                "text": _("may be sent") if request.text_ok else _("do NOT send any"),
            }
        )
    else:
        lines.append(
            _("They did not say whether we may leave a voicemail or send a text: do neither until they agree.")
        )
    if request.best_time:
        time = dict(BEST_TIMES).get(request.best_time, request.best_time)
        lines.append(_("Best time to reach them: %(time)s.") % {"time": time})
    if request.language and request.language != settings.LANGUAGE_CODE:
        languages = dict(settings.LANGUAGES)
        lines.append(_("The form was filled in in %(language)s.") % {"language": languages.get(request.language)})
    # A shared self-check result is never written here: the notes are read by
    # everyone who may open the inquiry (billing, the front desk), the result
    # only by navigators and clinical staff (admissions.SelfCheckShare).
    if request.kind == COVERAGE_CHECK:
        lines.append(_("They asked us to check their insurance coverage before they call."))
        if request.subscriber_relation and request.subscriber_relation != SubscriberRelation.SELF:
            lines.append(
                _("Insurance subscriber: %(name)s (the person is the subscriber's %(relation)s).")
                % {
                    "name": request.subscriber_name.strip(),
                    "relation": _relation_word(request.subscriber_relation),
                }
            )
        elif request.subscriber_relation:
            lines.append(_("Insurance subscriber: the person themselves."))
    if request.message.strip():
        lines.append(_("Their message: %(message)s") % {"message": request.message.strip()})
    return "\n".join(lines)


def _relation_word(relation: str) -> str:
    return {
        SubscriberRelation.SPOUSE: _("spouse or partner"),
        SubscriberRelation.CHILD: _("child"),
    }.get(SubscriberRelation(relation), _("relative or dependent"))


@transaction.atomic
def public_request_create(*, request: PublicRequest, link_for: Callable[[Inquiry], str]) -> Inquiry:
    """Log REQUEST as a new website inquiry at its site and, once committed,
    email the site's admissions navigators. ``link_for(inquiry)`` gives the
    absolute address of the inquiry's page, for the email.

    Raises ``ValueError`` without consent or without a way to reach the
    person, ``ValidationError`` when the inquiry does not validate."""
    if not request.consent:
        raise ValueError("a request from the public needs consent to be contacted")
    if not (request.phone or request.email):
        raise ValueError("a request needs a phone number or an email address")
    first, last = split_name(request.their_name if request.for_someone_else else request.name)
    # Staff read the inquiry in the program's language, whatever the form's was.
    with translation.override(settings.LANGUAGE_CODE):
        notes = _notes(request)
    urgent = bool(selfcheck.risks_in(request.selfcheck_outcomes))
    inquiry = admissions_services.inquiry_create(
        actor=None,
        site=request.site,
        channel=Channel.WEBSITE,
        caller_name=request.name.strip(),
        caller_relation=CallerRelation.OTHER if request.for_someone_else else CallerRelation.SELF,
        first_name=first,
        last_name=last,
        birth_date=request.birth_date,
        phone=request.phone,
        email=request.email,
        preferred_contact=_preferred_contact(request),
        consent_to_contact=True,
        urgency=Urgency.URGENT if urgent else Urgency.ROUTINE,
        insurance_payer=request.insurer,
        insurance_member_id=request.member_id,
        notes=notes,
    )
    admissions_services.selfcheck_share_record(inquiry=inquiry, outcomes=request.selfcheck_outcomes)
    notify_navigators(inquiry=inquiry, kind=request.kind, link=link_for(inquiry))
    return inquiry


def _preferred_contact(request: PublicRequest) -> str:
    """Text only when texts are allowed and a voicemail is not; email when
    no phone was given."""
    if not request.phone:
        return ContactMethod.EMAIL
    if request.text_ok and not request.voicemail_ok:
        return ContactMethod.TEXT
    return ContactMethod.PHONE


def navigators_to_notify(site: Site) -> QuerySet[User]:
    """The site's admissions navigators with an email address; where a site
    has none, whoever at the site may work inquiries (admissions.manage)."""
    people = User.objects.filter(is_active=True, sites=site).exclude(email="")
    navigators = people.filter(roles__code=RoleCode.ADMISSIONS_NAVIGATOR).distinct()
    if navigators.exists():
        return navigators
    return people.filter(roles__actions__code=ADMISSIONS_MANAGE).distinct()


def notify_navigators(*, inquiry: Inquiry, kind: str, link: str) -> None:
    recipients = sorted(navigators_to_notify(inquiry.site).values_list("email", flat=True))
    if not recipients:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("New %(kind)s request from the public website (%(site)s)") % {
            "kind": _kind_label(kind).lower(),
            "site": inquiry.site.name,
        }
        urgent = (
            _("The person's self-check suggested a safety or withdrawal risk: please call first.")
            if inquiry.urgency == Urgency.URGENT
            else ""
        )
        body = "\n\n".join(
            part
            for part in (
                _("Someone asked for help through the public website at %(site)s.") % {"site": inquiry.site.name},
                urgent,
                _("For their privacy this email has no details. Open the request on the admissions board:"),
                link,
            )
            if part
        )
    enqueue_on_commit(send_email, subject, body, recipients)
