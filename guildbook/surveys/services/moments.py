"""Survey moments: when after a course's session its follow-up survey goes, and with which
template.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guildbook.core.audit import audit_record
from guildbook.core.errors import ServiceError
from guildbook.notifications.models import OutboxMessage
from guildbook.notifications.services import outbox_void
from guildbook.surveys import defaults
from guildbook.surveys.messages import MISSED_YOU
from guildbook.surveys.models import (
    Choice,
    Invitation,
    Question,
    SurveyMoment,
    SurveyTemplate,
)
from guildbook.surveys.services.invitations import _queue, _set_times
from guildbook.training.notes import NOTE_PLACEHOLDERS, note_mistakes

MAX_DAYS = 366


MOMENT_FIELDS = (
    "name",
    "template",
    "days_after",
    "reminder_after_days",
    "closes_after_days",
    "anonymous",
    "external_url",
    "note",
    "message_no_shows",
    "no_show_note",
)


def template_default() -> SurveyTemplate:
    """The current default follow-up template, created (and marked default) if there is
    none: the data migration makes it, but a database emptied by hand or by a test must
    still give new courses their follow-up."""
    template = SurveyTemplate.objects.filter(is_default=True, is_current=True).first()
    if template is None:
        with transaction.atomic():
            template = defaults.build_default_template(SurveyTemplate, Question, Choice)
            template.is_default = True
            template.save(update_fields=["is_default", "updated_at"])
    return template


def _check_moment(moment: SurveyMoment) -> None:
    if not (moment.name or "").strip():
        raise ServiceError(_("Give the survey a name, e.g. Follow-up."), field="name")
    if moment.days_after > MAX_DAYS:
        raise ServiceError(
            _("Send it within a year of the session (at most %(n)s days).") % {"n": MAX_DAYS},
            field="days_after",
        )
    if not 1 <= moment.closes_after_days <= MAX_DAYS:
        raise ServiceError(
            _("Keep the survey open for between 1 and %(n)s days.") % {"n": MAX_DAYS},
            field="closes_after_days",
        )
    if (
        moment.reminder_after_days is not None
        and not 1 <= moment.reminder_after_days < moment.closes_after_days
    ):
        raise ServiceError(
            _(
                "The reminder must go at least a day after the invitation "
                "and before the survey closes."
            ),
            field="reminder_after_days",
        )
    template = moment.template
    if template is None or not template.is_current or template.archived:
        raise ServiceError(
            _("Choose a survey template that is in use (not archived, the latest version)."),
            field="template",
        )
    url = (moment.external_url or "").strip()
    if url and not url.lower().startswith(("https://", "http://")):
        raise ServiceError(
            _("The external survey's address must start with https://."), field="external_url"
        )
    for name in ("note", "no_show_note"):
        wrong = note_mistakes(getattr(moment, name) or "")
        if wrong:
            raise ServiceError(
                _(
                    "“%(wrong)s” is not something Guildbook can fill in. You can use "
                    "%(names)s, written exactly so."
                )
                % {"wrong": wrong[0], "names": ", ".join(f"{{{n}}}" for n in NOTE_PLACEHOLDERS)},
                field=name,
            )
    if moment.message_no_shows and not (moment.no_show_note or "").strip():
        raise ServiceError(
            _("Write the short message for people who did not come, or untick the option."),
            field="no_show_note",
        )


def moment_add_default(*, course) -> SurveyMoment:
    """The follow-up at 30 days with the default template; every new course gets one (in
    the transaction that creates the course)."""
    with transaction.atomic():
        return SurveyMoment.objects.create(course=course, template=template_default())


def moment_create(*, course, actor, **fields) -> SurveyMoment:
    """Add a survey moment to a course. It applies to attendance marked from now on; people
    already marked are not invited after the fact."""
    unknown = set(fields) - set(MOMENT_FIELDS)
    if unknown:
        raise ServiceError(f"Unknown fields: {', '.join(sorted(unknown))}")
    fields.setdefault("template", template_default())
    moment = SurveyMoment(course=course, **fields)
    _check_moment(moment)
    with transaction.atomic():
        moment.save()
        audit_record(actor=actor, action="survey_moment_created", subject=moment)
    return moment


def moment_update(
    *, moment: SurveyMoment, actor, now: datetime | None = None, **fields
) -> SurveyMoment:
    """Change a moment. Invitations not yet answered follow the new timing in the same
    transaction (their e-mails move, or a reminder is added or dropped); an invitation
    that has gone out is not sent again. Unsent invitations move to a new template."""
    now = now or timezone.now()
    unknown = set(fields) - set(MOMENT_FIELDS)
    if unknown:
        raise ServiceError(f"Unknown fields: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        moment = (
            SurveyMoment.objects.select_for_update().select_related("template").get(pk=moment.pk)
        )
        old = {name: getattr(moment, name) for name in MOMENT_FIELDS}
        for name, value in fields.items():
            setattr(moment, name, value)
        _check_moment(moment)
        if moment.anonymous != old["anonymous"] and (
            moment.responses.exists()
            or moment.invitations.filter(answered_at__isnull=False).exists()
        ):
            # People answered on the understanding they were given; the answers already
            # stored must stay as they were promised (named, or without any link to them).
            raise ServiceError(
                _(
                    "People have answered already, so whether answers are anonymous cannot "
                    "change. Add a new survey instead."
                ),
                field="anonymous",
            )
        moment.save()
        changed = sorted(n for n in MOMENT_FIELDS if getattr(moment, n) != old[n])
        if changed:
            audit_record(
                actor=actor, action="survey_moment_updated", subject=moment, changed=changed
            )
        timing = {"days_after", "reminder_after_days", "closes_after_days"} & set(changed)
        open_invitations = Invitation.objects.filter(
            moment=moment, status=Invitation.Status.SCHEDULED, answered_at__isnull=True
        ).select_related("session", "booking__person", "moment")
        if "template" in changed:
            # Only people who have not been sent it yet are asked the new version.
            unsent = [i.pk for i in open_invitations if i.due_at > now]
            Invitation.objects.filter(pk__in=unsent).update(template=moment.template)
        if timing:
            for invitation in open_invitations:
                invitation.moment = moment
                _set_times(invitation, invitation.session)
                invitation.save(update_fields=["due_at", "closes_at", "updated_at"])
                _queue(invitation, now=now)
    return moment


def moment_remove(*, moment: SurveyMoment, actor, now: datetime | None = None) -> bool:
    """Stop a moment. One that never invited anyone is deleted; otherwise it is made
    inactive, keeping its answers for the results, and the invitations not yet sent are
    withdrawn with their e-mails. Returns True when it was deleted."""
    now = now or timezone.now()
    with transaction.atomic():
        moment = SurveyMoment.objects.select_for_update().get(pk=moment.pk)
        audit_record(actor=actor, action="survey_moment_removed", subject=moment)
        if not moment.invitations.exists() and not moment.responses.exists():
            moment.delete()
            return True
        moment.active = False
        moment.save(update_fields=["active", "updated_at"])
        unsent = list(
            Invitation.objects.filter(
                moment=moment, status=Invitation.Status.SCHEDULED, due_at__gt=now
            )
        )
        for invitation in unsent:
            outbox_void(about=invitation)
        Invitation.objects.filter(pk__in=[i.pk for i in unsent]).update(
            status=Invitation.Status.VOID, updated_at=now
        )
        OutboxMessage.objects.filter(
            kind=MISSED_YOU,
            status=OutboxMessage.Status.PENDING,
            dedupe_key__startswith=f"{MISSED_YOU}:{moment.pk}:",
        ).update(status=OutboxMessage.Status.VOID, updated_at=now)
    return False
