"""Qualifications' e-mails, all through the outbox.

- `qualifications.request_answered`: a mentor accepted or declined a candidate's request
  (to the candidate, at once; `about` is the MentorRequest).
- `qualifications.action_due`: an action agreed at a meeting falls due in two days (to the
  candidate; `about` is the Action). Not sent once the action is done or the candidacy has
  closed. A mentor's own actions come in their weekly digest instead.
- `qualifications.mentor_digest`: one e-mail a week to a mentor with what is waiting for them
  (requests to answer, actions due in the coming fortnight); queued whenever something
  happens for that mentor, one row per mentor per week, so a busy week is still one e-mail
  (`about` is the MentorProfile). Void if, when it goes, there is nothing to say.
- `qualifications.funding_decided`: Staff Development approved, declined or paid a funding
  request (to the candidate; `about` is the FundingRequest, the decision in the context).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from guildbook.core.timefmt import format_date
from guildbook.notifications.kinds import MessageKind, message_kind

REQUEST_ANSWERED = "qualifications.request_answered"
ACTION_DUE = "qualifications.action_due"
MENTOR_DIGEST = "qualifications.mentor_digest"
FUNDING_DECIDED = "qualifications.funding_decided"

DIGEST_LOOKAHEAD = timedelta(days=14)


def _candidacy_url(context: dict[str, Any], candidacy_id: int) -> str:
    """The candidacy's page, as a link that works from an e-mail."""
    return context["site_url"] + reverse("qualifications:candidacy", args=[candidacy_id])


def _pounds(pence: int) -> str:
    return f"£{pence / 100:,.2f}".replace(".00", "")


@message_kind(REQUEST_ANSWERED)
class RequestAnswered(MessageKind):
    label = "Mentor's answer to a request"
    related = ("candidacy__person", "candidacy__scheme", "mentor__user")

    def get_context(self, message) -> dict[str, Any]:
        context = super().get_context(message)
        request = message.about
        context.update(
            request=request,
            first_name=request.candidacy.person.first_name,
            mentor_name=request.mentor.user.display_name,
            scheme_name=request.candidacy.scheme.name,
            accepted=request.status == "accepted",
            url=_candidacy_url(context, request.candidacy_id),
        )
        return context


@message_kind(ACTION_DUE)
class ActionDue(MessageKind):
    label = "Action from a mentoring meeting falls due"
    related = ("candidacy__person", "candidacy__scheme", "meeting")

    def still_due(self, message) -> bool:
        action = message.about
        return action is not None and action.done_at is None and action.candidacy.is_open

    def get_context(self, message) -> dict[str, Any]:
        context = super().get_context(message)
        action = message.about
        context.update(
            action=action,
            first_name=action.candidacy.person.first_name,
            due_text=format_date(action.due_on) if action.due_on else "",
            meeting_text=format_date(action.meeting.held_on),
            url=_candidacy_url(context, action.candidacy_id),
        )
        return context


@message_kind(MENTOR_DIGEST)
class MentorDigest(MessageKind):
    label = "Mentor's weekly digest"
    related = ("user",)

    def _items(self, profile) -> dict[str, list]:
        from guildbook.qualifications import selectors

        return selectors.mentor_digest_items(profile, until=timezone.localdate() + DIGEST_LOOKAHEAD)

    def still_due(self, message) -> bool:
        profile = message.about
        if profile is None:
            return False
        items = self._items(profile)
        return bool(items["requests"] or items["actions"])

    def get_context(self, message) -> dict[str, Any]:
        context = super().get_context(message)
        profile = message.about
        items = self._items(profile)
        context.update(
            first_name=profile.user.first_name,
            requests=items["requests"],
            actions=[
                {
                    "text": a.text,
                    "who": a.candidacy.person.display_name,
                    "mine": a.owner == "mentor",
                    "due_text": format_date(a.due_on),
                }
                for a in items["actions"]
            ],
            url=context["site_url"] + reverse("qualifications:mentor_home"),
        )
        return context


@message_kind(FUNDING_DECIDED)
class FundingDecided(MessageKind):
    label = "Decision on a funding request"
    related = ("candidacy__person", "candidacy__scheme")

    def get_context(self, message) -> dict[str, Any]:
        context = super().get_context(message)
        funding = message.about
        context.update(
            funding=funding,
            first_name=funding.candidacy.person.first_name,
            scheme_name=funding.candidacy.scheme.name,
            fee_words=funding.get_fee_display().lower(),
            amount_text=_pounds(funding.amount),
            url=_candidacy_url(context, funding.candidacy_id),
        )
        return context
