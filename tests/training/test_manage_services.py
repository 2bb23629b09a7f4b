"""Services trainers use to edit courses: the session plan, booking questions, materials."""

from datetime import timedelta

import pytest
from django.utils import timezone

from guildbook.core.audit import audit_trail
from guildbook.core.errors import ServiceError
from guildbook.training import selectors, services
from guildbook.training.models import AgendaItem, Booking, BookingQuestion, Course
from tests.factories import BookingFactory, SessionFactory, UserFactory


def test_plan_set_adds_updates_reorders_and_deletes(course, trainer):
    services.course_plan_set(
        course=course,
        actor=trainer,
        agenda=[
            {"kind": "item", "minutes": 10, "title": "Welcome", "notes": ""},
            {
                "kind": "discussion",
                "minutes": None,
                "title": "Privacy and professional boundaries with service users",
                "notes": "Would you follow a patient back?",
            },
            {"kind": "item", "minutes": 30, "title": "Set up an account", "notes": ""},
        ],
    )
    welcome, privacy, setup = course.agenda.all()
    assert [a.order for a in (welcome, privacy, setup)] == [1, 2, 3]
    assert privacy.minutes is None and privacy.kind == AgendaItem.Kind.DISCUSSION

    services.course_plan_set(
        course=course,
        actor=trainer,
        agenda=[
            {"id": setup.pk, "kind": "item", "minutes": 45, "title": "Set up an account"},
            {"id": welcome.pk, "kind": "item", "minutes": 5, "title": "Welcome"},
        ],
    )
    assert [(a.pk, a.minutes) for a in course.agenda.all()] == [(setup.pk, 45), (welcome.pk, 5)]
    assert not AgendaItem.objects.filter(pk=privacy.pk).exists()
    assert audit_trail(course).filter(action="course_plan_updated").count() == 2


def test_plan_set_is_all_or_nothing(course, trainer):
    services.course_plan_set(
        course=course, actor=trainer, questions=[{"text": "First time here?", "kind": "yes_no"}]
    )
    with pytest.raises(ServiceError) as err:
        services.course_plan_set(
            course=course,
            actor=trainer,
            agenda=[{"kind": "item", "minutes": 10, "title": "Welcome"}],
            questions=[{"text": "Which team?", "kind": "choice", "choices": "Library"}],
        )
    assert err.value.field == "questions"
    assert "Question 1" in err.value.message
    assert course.agenda.count() == 0
    assert list(course.questions.values_list("text", flat=True)) == ["First time here?"]


def test_plan_set_refuses_rows_of_another_course(course, trainer):
    other = Course.objects.create(title="Other", slug="other", summary="x")
    services.course_plan_set(course=other, actor=trainer, agenda=[{"title": "Theirs"}])
    theirs = other.agenda.get()
    with pytest.raises(ServiceError):
        services.course_plan_set(
            course=course, actor=trainer, agenda=[{"id": theirs.pk, "title": "Mine now"}]
        )
    theirs.refresh_from_db()
    assert theirs.title == "Theirs"


def test_material_needs_a_link_or_a_file(course, trainer):
    with pytest.raises(ServiceError) as err:
        services.course_plan_set(course=course, actor=trainer, materials=[{"title": "Slides"}])
    assert err.value.field == "materials"
    services.course_plan_set(
        course=course,
        actor=trainer,
        materials=[{"title": "Slides", "url": "https://example.org/slides", "file": None}],
    )
    assert course.materials.get().href == "https://example.org/slides"


def test_deleting_a_question_keeps_answers_already_given(course, trainer, person):
    services.course_plan_set(
        course=course, actor=trainer, questions=[{"text": "Access needs?", "kind": "text"}]
    )
    question = BookingQuestion.objects.get(course=course)
    session = SessionFactory(course=course)
    booking = services.booking_create(
        session=session, person=person, actor=person, answers={str(question.pk): "Step-free"}
    )
    services.course_plan_set(course=course, actor=trainer, questions=[])
    booking.refresh_from_db()
    assert list(booking.answers.values()) == [{"question": "Access needs?", "answer": "Step-free"}]


def test_course_update_sets_trainers_and_reports_bad_fields_by_name(course, trainer):
    services.course_update(course=course, actor=trainer, trainers=[trainer], level="advanced")
    assert list(course.trainers.all()) == [trainer]
    with pytest.raises(ServiceError) as err:
        services.course_update(course=course, actor=trainer, level="expert")
    assert err.value.field == "level"
    with pytest.raises(ServiceError) as err:
        services.course_update(course=course, actor=trainer, title="  ")
    assert err.value.field == "title"


def test_invitation_link_can_be_renewed_for_closed_courses_only(course, trainer):
    with pytest.raises(ServiceError):
        services.course_invitation_renew(course=course, actor=trainer)
    services.course_update(course=course, actor=trainer, visibility="closed")
    old = course.invitation_token
    assert old
    services.course_invitation_renew(course=course, actor=trainer)
    course.refresh_from_db()
    assert course.invitation_token and course.invitation_token != old


def test_no_show_counts_can_count_only_earlier_sessions(course):
    person = UserFactory()
    now = timezone.now()
    earlier = SessionFactory(course=course, starts_at=now - timedelta(days=30))
    later = SessionFactory(course=course, starts_at=now - timedelta(days=1))
    for s in (earlier, later):
        BookingFactory(session=s, person=person, attendance=Booking.Attendance.NO_SHOW)
    assert selectors.no_show_counts([person.pk]) == {person.pk: 2}
    assert selectors.no_show_counts([person.pk], before=later.starts_at) == {person.pk: 1}


def test_course_save_is_all_or_nothing_with_the_parts_other_apps_add(course, trainer):
    def refuse(*, course):
        raise ServiceError("That skills area is closed.", field="areas")

    agenda = [{"kind": "item", "minutes": 10, "title": "Welcome", "notes": ""}]
    new_course = {
        "title": "Get Blogging",
        "summary": "Blogs for professional development.",
        "duration_minutes": 90,
        "category": course.category,
    }
    with pytest.raises(ServiceError, match="skills area"):
        services.course_save(
            course=None,
            actor=trainer,
            fields=new_course,
            trainers=[trainer],
            plan={"agenda": agenda},
            then=[refuse],
        )
    assert not Course.objects.filter(title="Get Blogging").exists()
    title = course.title
    with pytest.raises(ServiceError):
        services.course_save(
            course=course, actor=trainer, fields={"title": "Renamed"}, then=[refuse]
        )
    course.refresh_from_db()
    assert course.title == title

    seen = []
    saved = services.course_save(
        course=None,
        actor=trainer,
        fields=new_course,
        trainers=[trainer],
        plan={"agenda": agenda},
        then=[lambda *, course: seen.append(course.pk)],
    )
    assert seen == [saved.pk]
    assert [a.title for a in saved.agenda.all()] == ["Welcome"]
    assert list(saved.trainers.all()) == [trainer]
