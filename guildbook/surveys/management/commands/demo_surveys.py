"""`guildbook demo_surveys [--seed N]`: the follow-up surveys of the demo library service.

Run by `guildbook demo` (by name, so training never imports surveys) once the story of
bookings and registers has loaded. By then every attended session has its follow-up
invitations, queued by the register as it was taken; this step adds what people did with
them:

- Get Tweeting asks its own question, "Have you used Twitter since the session?", in a
  copy of the default template, and the critical appraisal course's follow-up is anonymous;
- about half the people invited answered, most within a couple of days and some after the
  reminder, with answers that lean the way such surveys do (more "a little" than
  "regularly", some "not yet" with what got in the way), so results and trends show data.

Answers are written in bulk (hundreds of them; the demo must stay quick) and keep the
rules the answering service keeps: a named response points at its invitation and time, an
anonymous one at neither, the invitation records that it was answered, and the pending
reminder of an answered invitation is withdrawn.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from guildbook.core.management.base import GuildbookCommand
from guildbook.notifications.models import OutboxMessage
from guildbook.surveys import defaults, services
from guildbook.surveys.messages import REMINDER
from guildbook.surveys.models import (
    Answer,
    Choice,
    Invitation,
    Question,
    Response,
    SurveyMoment,
    SurveyTemplate,
)
from guildbook.training.models import Course

TWITTER_QUESTION = "Have you used Twitter since the session?"
TWEETING = "get-tweeting"
ANONYMOUS_COURSE = "critical-appraisal-rcts"

FIRST_WEIGHTS = {
    "Yes, regularly": 24,
    "Yes, a little": 38,
    "I tried and stopped": 14,
    "Not yet": 24,
}
HELPED = {
    TWEETING: [
        "Following a few library and NHS accounts that share useful things.",
        "Joining the #HCLDR chat one evening with a colleague.",
        "Having the app on my phone so I could look on the train.",
        "The handout on setting up a profile.",
        "Tweeting from our team conference: people replied!",
    ],
    "": [
        "Trying it the same week on a real question.",
        "The handout and the examples from the session.",
        "A colleague who had been on it too.",
        "Being able to ask the librarian afterwards.",
        "Having a reason to use it for a project.",
    ],
}
IN_THE_WAY = [
    "Time, mostly: clinics have been very busy.",
    "I could not get access on the work computers.",
    "I was not sure what I was allowed to post.",
    "I forgot how to do it once I was back at work.",
    "Nobody else in my team uses it yet.",
]
ANYTHING_ELSE = [
    "Thank you, it was a friendly session.",
    "A follow-up session in a few months would help.",
    "More time to practise would have been good.",
    "Could this be run online as well?",
]
CONFIDENCE = {
    "Yes, regularly": (3, 5),
    "Yes, a little": (2, 4),
    "I tried and stopped": (1, 3),
    "Not yet": (1, 3),
}


class Command(GuildbookCommand):
    help = "Add the demo's follow-up survey answers (run by `guildbook demo`)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, **options):
        rng = random.Random(options["seed"])
        now = timezone.now()
        with transaction.atomic():
            self.twitter_wording()
            self.anonymous_course()
            answered = self.answers(rng, now)
        if options["verbosity"] > 1:
            self.stdout.write(f"Follow-up surveys: {answered} answered.")

    def twitter_wording(self) -> None:
        course = Course.objects.filter(slug=TWEETING).first()
        if course is None:
            return
        template = defaults.build_default_template(
            SurveyTemplate,
            Question,
            Choice,
            title="Get Tweeting: a month on",
            first=TWITTER_QUESTION,
        )
        moment = course.survey_moments.order_by("id").first()
        services.moment_update(moment=moment, actor=None, template=template)
        # The story's invitations were queued before this wording existed; nobody has
        # answered yet, so they ask it too.
        Invitation.objects.filter(moment=moment).update(template=template)

    def anonymous_course(self) -> None:
        moment = SurveyMoment.objects.filter(course__slug=ANONYMOUS_COURSE).order_by("id").first()
        if moment is not None:
            services.moment_update(moment=moment, actor=None, anonymous=True)

    def answers(self, rng: random.Random, now) -> int:
        invitations = list(
            Invitation.objects.filter(status=Invitation.Status.SCHEDULED, due_at__lte=now)
            .select_related("moment__course")
            .order_by("due_at", "id")
        )
        questions: dict[int, list[Question]] = {}
        for question in Question.objects.filter(
            template__in={i.template_id for i in invitations}
        ).prefetch_related("choices"):
            questions.setdefault(question.template_id, []).append(question)
        for listed in questions.values():
            listed.sort(key=lambda q: q.position)

        responses, answers, answered_ids = [], [], []
        for invitation in invitations:
            if rng.random() >= 0.55:
                continue
            # Most answer within a day or two; some only after the reminder.
            delay = (
                timedelta(hours=rng.expovariate(1 / 20))
                if rng.random() < 0.8
                else timedelta(
                    days=invitation.moment.reminder_after_days or 7, hours=rng.randint(1, 48)
                )
            )
            at = invitation.due_at + delay
            if at >= invitation.closes_at or at > now:
                continue
            template_questions = questions.get(invitation.template_id, [])
            if not template_questions:
                continue
            anonymous = invitation.moment.anonymous
            response = Response(
                moment_id=invitation.moment_id,
                template_id=invitation.template_id,
                session_id=invitation.session_id,
                invitation=None if anonymous else invitation,
                submitted_at=None if anonymous else at,
            )
            responses.append(response)
            answers.extend(self.answer_rows(rng, response, template_questions, invitation))
            invitation.answered_at = at
            answered_ids.append(invitation.pk)
        rng.shuffle(responses)  # stored order says nothing about who answered when
        Response.objects.bulk_create(responses)
        Answer.objects.bulk_create(answers, batch_size=500)
        Invitation.objects.bulk_update(
            [i for i in invitations if i.pk in set(answered_ids)], ["answered_at"], batch_size=500
        )
        OutboxMessage.objects.filter(
            kind=REMINDER, object_id__in=answered_ids, status=OutboxMessage.Status.PENDING
        ).update(status=OutboxMessage.Status.VOID, updated_at=now)
        return len(responses)

    def answer_rows(self, rng, response, template_questions, invitation):
        course_slug = invitation.moment.course.slug
        first = template_questions[0]
        choices = {c.label: c for c in first.choices.all()}
        label = rng.choices(list(FIRST_WEIGHTS), weights=list(FIRST_WEIGHTS.values()))[0]
        choice = choices.get(label) or next(iter(choices.values()))
        rows = [Answer(response=response, question=first, choice=choice)]
        for question in template_questions[1:]:
            if question.show_if_choice_id and question.show_if_choice_id != choice.pk:
                continue
            if question.kind == Question.Kind.SCALE:
                if rng.random() < 0.85:
                    low, high = CONFIDENCE.get(label, (1, 5))
                    rows.append(
                        Answer(response=response, question=question, number=rng.randint(low, high))
                    )
            elif question.text == "What helped?" and label.startswith("Yes") and rng.random() < 0.5:
                pool = HELPED.get(course_slug) or HELPED[""]
                rows.append(Answer(response=response, question=question, text=rng.choice(pool)))
            elif question.text == "What got in the way?" and rng.random() < 0.7:
                rows.append(
                    Answer(response=response, question=question, text=rng.choice(IN_THE_WAY))
                )
            elif question.text.startswith("Anything else") and rng.random() < 0.2:
                rows.append(
                    Answer(response=response, question=question, text=rng.choice(ANYTHING_ELSE))
                )
        return rows
