"""The surveys app's part of a person's data: their named survey answers.

Anonymous answers are not theirs to export or erase: nothing joins them to a person.
"""

from django.conf import settings

from guildbook.core import privacy
from guildbook.surveys.models import Answer, Response, SurveyTemplate


def _named(person):
    return Response.objects.filter(invitation__booking__person=person)


def _answer_rows(person):
    answers = (
        Answer.objects.filter(response__in=_named(person))
        .select_related("response__moment__course", "question", "choice")
        .order_by("response__submitted_at", "question__position")
    )
    return [
        {
            "course": a.response.moment.course.title,
            "survey": a.response.moment.name,
            "answered": a.response.submitted_at,
            "question": a.question.text,
            "choice": a.choice.label if a.choice else "",
            "number": a.number,
            "text": a.text,
        }
        for a in answers
    ]


def _erase_answers(*, person, stand_in, actor):
    """As ERASURE_NAMED_ANSWERS says: "anonymise" keeps choices and numbers (so results still
    count them) and removes free text, which can name its writer; "remove" deletes the
    answers."""
    named = _named(person)
    counts = {
        "templates": SurveyTemplate.objects.filter(created_by=person).update(created_by=stand_in)
    }
    answers = Answer.objects.filter(response__in=named)
    if settings.ERASURE_NAMED_ANSWERS == "remove":
        counts["answers_removed"] = answers.delete()[0]
        counts["responses_removed"] = named.delete()[0]
    else:
        counts["free_text_removed"] = answers.exclude(text="").update(text="")
    return counts


def _old_named_answers(*, before, dry_run):
    """Named answers older than the period are deleted (anonymous ones are nobody's)."""
    old = Response.objects.filter(invitation__isnull=False, submitted_at__lt=before)
    if dry_run:
        return old.count()
    Answer.objects.filter(response__in=old).delete()
    return old.delete()[0]


def register() -> None:
    privacy.register_exporter("survey_answers", "Your named survey answers", _answer_rows)
    privacy.register_eraser("surveys", _erase_answers)
    privacy.register_retention(
        privacy.RetentionRule(
            "named_answers",
            "RETENTION_NAMED_ANSWERS_MONTHS",
            "months",
            "named survey responses",
            _old_named_answers,
        )
    )
