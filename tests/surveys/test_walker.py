"""Every surveys page as anonymous, a learner and a trainer (tests/walker.py)."""

from guildbook.surveys.models import Choice, Question, SurveyMoment
from tests.factories import CourseFactory, SessionFactory
from tests.walker import LOGIN, NOT_FOUND, OK, POST_ONLY, REDIRECT, walk

TRAINERS_ONLY = {
    "anonymous": {LOGIN},
    "learner": {NOT_FOUND},  # a page's existence is not confirmed to someone who may not use it
    "trainer": {OK, POST_ONLY, REDIRECT},
}
# Answer links are signed, for anyone holding them: a made-up one answers a page saying the
# link does not work (tests/surveys/test_tokens.py checks what it says), whoever asks.
ANSWER_LINKS = {role: {OK} for role in ("anonymous", "learner", "trainer")}


def test_every_surveys_page_answers_each_role_as_the_table_says(person, trainer):
    course = CourseFactory()
    session = SessionFactory(course=course)
    moment = SurveyMoment.objects.get(course=course)  # the follow-up every course starts with
    question = Question.objects.filter(template=moment.template).first()
    choice = Choice.objects.filter(question=question).first()
    ids = {
        "slug": course.slug,
        "token": "not-a-real-link",
        "session": session.pk,
        "moment": moment.pk,
        "template": moment.template_id,
        "family": moment.template.family,
        "kind": "text",
        "question": question.pk,
        "choice": choice.pk if choice else 1,
    }

    def fill(name, param):
        if param != "pk":
            return ids[param]
        for word in ("choice", "question", "moment", "session"):
            if word in name:
                return ids[word]
        return ids["template"]

    requests = walk(
        namespace="surveys",
        people={"anonymous": None, "learner": person, "trainer": trainer},
        fill=fill,
        expect=[("answer", ANSWER_LINKS), ("external_done", ANSWER_LINKS), ("*", TRAINERS_ONLY)],
    )
    assert requests > 50
