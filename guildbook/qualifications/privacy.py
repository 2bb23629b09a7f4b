"""The qualifications app's part of a person's data: their candidacies, plans, goals,
mentor meetings and funding requests."""

from guildbook.core import privacy
from guildbook.qualifications.models import (
    Candidacy,
    FundingRequest,
    Goal,
    Meeting,
    MentorProfile,
)


def _candidacy_rows(person):
    return [
        {
            "scheme": c.scheme.name,
            "status": c.status,
            "started": c.started_on,
            "target": c.target_date,
            "ended": c.ended_on,
            "membership_number": c.membership_number,
        }
        for c in Candidacy.objects.filter(person=person).select_related("scheme")
    ]


def _goal_rows(person):
    return [
        {"goal": g.what, "measure": g.measure, "target": g.target_date, "status": g.status}
        for g in Goal.objects.filter(plan__candidacy__person=person)
    ]


def _meeting_rows(person):
    return [
        {"held": m.held_on, "notes": m.notes}
        for m in Meeting.objects.filter(candidacy__person=person).order_by("held_on")
    ]


def _funding_rows(person):
    return [
        {
            "fee": f.fee,
            "amount": f.amount,
            "justification": f.justification,
            "status": f.status,
            "decided": f.decided_at,
            "comment": f.comment,
        }
        for f in FundingRequest.objects.filter(candidacy__person=person)
    ]


def _erase_qualifications(*, person, stand_in, actor):
    """Candidacies (and their funding, so spending still adds up) pass to the stand-in;
    the person's words in them are removed; their mentor profile goes."""
    needles = privacy.needles_for(person)
    counts = {
        "candidacies": Candidacy.objects.filter(person=person).update(
            person=stand_in, membership_number=""
        ),
        "mentor_profile": MentorProfile.objects.filter(user=person).delete()[0],
    }
    for model, fields in (
        (Meeting, ["notes"]),
        (FundingRequest, ["justification", "comment"]),
        (Goal, ["what", "measure", "mentor_comment"]),
    ):
        counts[model._meta.model_name] = privacy.scrub_rows(
            model.objects.all(), fields, needles, stand_in.name
        )
    return counts


def register() -> None:
    privacy.register_exporter("candidacies", "Your qualifications", _candidacy_rows)
    privacy.register_exporter("goals", "Your development plan goals", _goal_rows)
    privacy.register_exporter("mentor_meetings", "Your mentor meetings", _meeting_rows)
    privacy.register_exporter("funding_requests", "Your funding requests", _funding_rows)
    privacy.register_eraser("qualifications", _erase_qualifications)
