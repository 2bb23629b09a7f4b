"""Surveys' e-mails: the invitation, the one reminder, and the short note to no-shows.

The rows are queued by services (invitations_for_attendance, invitations_move,
moment_update) inside the transaction that makes them due, so a register that rolls back
leaves no survey e-mail behind. `still_due` looks again just before sending: nothing goes
for a withdrawn invitation (attendance changed to a no-show), a closed survey, a stopped
moment, or — for the reminder — a person who has answered.

The invitation carries the first question's answers as buttons: each opens the survey page
with that answer chosen, where one more button records it (a GET records nothing, because
mail scanners follow links). A moment with an external survey links there instead, with
"{token}" in its address replaced by the token of our completion page.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from guildbook.core.timefmt import format_date
from guildbook.notifications.kinds import MessageKind, message_kind
from guildbook.training.messages import note_values, render_note, session_facts
from guildbook.training.models import Booking, Session

INVITATION = "surveys.invitation"
REMINDER = "surveys.reminder"
MISSED_YOU = "surveys.missed_you"

NEXT_DATES = 3


def first_question_buttons(invitation) -> list[dict[str, str]]:
    """The one-click answers for the e-mail: the first question's choices, or 1–5 for a
    scale; none for a text question or an external survey."""
    from guildbook.surveys import tokens

    if invitation.moment.external_url:
        return []
    question = invitation.template.questions.order_by("position", "id").first()
    if question is None:
        return []
    if question.kind == "scale":
        return [
            {"label": str(n), "url": tokens.answer_url(invitation, number=n)} for n in range(1, 6)
        ]
    if question.kind in ("yes_no", "single", "multiple"):
        return [
            {"label": c.label, "url": tokens.answer_url(invitation, choice=c)}
            for c in question.choices.all()
        ]
    return []


class SurveyMessage(MessageKind):
    """An invitation or its reminder (`about` is the Invitation)."""

    def still_due(self, message) -> bool:
        invitation = message.about
        return (
            invitation is not None
            and invitation.status == "scheduled"
            and invitation.moment.active
            and invitation.booking.attendance == Booking.Attendance.ATTENDED
            and timezone.now() < invitation.closes_at
        )

    def get_context(self, message) -> dict[str, Any]:
        from guildbook.surveys import tokens

        context = super().get_context(message)
        invitation = message.about
        booking = invitation.booking
        session = invitation.session
        moment = invitation.moment
        question = invitation.template.questions.order_by("position", "id").first()
        context.update(session_facts(session))
        context.update(
            invitation=invitation,
            moment=moment,
            first_name=booking.person.first_name,
            question=question,
            buttons=first_question_buttons(invitation),
            survey_url=(
                tokens.external_url(invitation)
                if moment.external_url
                else tokens.answer_url(invitation)
            ),
            external=bool(moment.external_url),
            anonymous=moment.anonymous,
            closes_text=format_date(invitation.closes_at),
            session_date=format_date(session.starts_at),
            note=render_note(moment.note, note_values(booking)),
        )
        return context

    def headers(self, message, context) -> dict[str, str]:
        return {"Auto-Submitted": "auto-generated"}


@message_kind(INVITATION)
class SurveyInvitation(SurveyMessage):
    label = "Follow-up survey"


@message_kind(REMINDER)
class SurveyReminder(SurveyMessage):
    label = "Follow-up survey reminder"

    def still_due(self, message) -> bool:
        return super().still_due(message) and message.about.answered_at is None


@message_kind(MISSED_YOU)
class MissedYou(MessageKind):
    """To a no-show, when the moment says so: a short note and the course's next dates
    (`about` is the Booking; the context names the moment)."""

    label = "Sorry we missed you"

    def _moment(self, message):
        from guildbook.surveys.models import SurveyMoment

        moment_id = (message.context or {}).get("moment")
        return SurveyMoment.objects.filter(pk=moment_id).first() if moment_id else None

    def still_due(self, message) -> bool:
        booking = message.about
        moment = self._moment(message)
        return (
            booking is not None
            and moment is not None
            and moment.active
            and moment.message_no_shows
            and booking.attendance == Booking.Attendance.NO_SHOW
        )

    def get_context(self, message) -> dict[str, Any]:
        context = super().get_context(message)
        booking = message.about
        session = booking.session
        course = session.course
        moment = self._moment(message)
        upcoming = list(
            Session.objects.filter(
                course=course, status=Session.Status.SCHEDULED, starts_at__gt=timezone.now()
            ).order_by("starts_at", "id")[:NEXT_DATES]
        )
        context.update(session_facts(session))
        context.update(
            first_name=booking.person.first_name,
            note=render_note(moment.no_show_note if moment else "", note_values(booking)),
            next_sessions=[
                {
                    "when": session_facts(s)["when"],
                    "url": settings.SITE_URL + s.get_absolute_url(),
                }
                for s in upcoming
            ],
            course_url=settings.SITE_URL + course.get_absolute_url(),
            catalogue_url=settings.SITE_URL + reverse("training:catalogue"),
            session_date=format_date(session.starts_at),
        )
        return context

    def headers(self, message, context) -> dict[str, str]:
        return {"Auto-Submitted": "auto-generated"}
