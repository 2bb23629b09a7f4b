"""A person's own answers, for their training record."""

from __future__ import annotations

from django.db.models import Prefetch

from guildbook.surveys.models import Answer, Response

# --- A person's own answers (their training record) ---------------------------------------


def my_answers(person) -> list[Response]:
    """The person's named responses, newest session first, each with `lines`: (question,
    answer in words) in question order. Two queries, or one when there are none.
    Anonymous responses cannot be found here, or anywhere: they point at nobody."""
    responses = list(
        Response.objects.filter(invitation__isnull=False, invitation__booking__person=person)
        .select_related("session__course", "moment", "template")
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=Answer.objects.select_related("question", "choice").order_by(
                    "question__position", "choice__position"
                ),
            )
        )
        .order_by("-session__starts_at", "session_id")
    )
    for r in responses:
        lines: dict[int, list] = {}
        for a in r.answers.all():
            entry = lines.setdefault(a.question_id, [a.question.text, []])
            entry[1].append(answer_words(a))
        r.lines = [(text, "; ".join(w for w in words if w)) for text, words in lines.values()]
    return responses


def answer_words(answer: Answer) -> str:
    """One answer row as words: the choice's label, the scale's number, or the text."""
    if answer.choice_id:
        return answer.choice.label
    if answer.number is not None:
        return str(answer.number)
    return answer.text
