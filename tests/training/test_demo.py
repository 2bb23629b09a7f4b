"""`guildbook demo` loads a believable service, through the services, without breaking a rule."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F, Q
from django.utils import timezone

from guildbook.accounts.models import User
from guildbook.core import roles
from guildbook.core.models import AuditEntry
from guildbook.insights.figures import course_figures
from guildbook.training.models import Booking, Course, Session
from tests.factories import CourseFactory

pytestmark = pytest.mark.slow


@pytest.fixture
def demo(db, capsys, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    real_now = timezone.now
    call_command("demo", seed=7, password="heron-quill-lantern-42")
    out = capsys.readouterr().out
    # The command's clock must not outlive it.
    assert timezone.now is real_now
    assert Booking._meta.get_field("created_at").default is real_now
    return out


def test_demo_loads_a_library_service_that_keeps_every_invariant(demo):
    now = timezone.now()

    # --- the catalogue ----------------------------------------------------------------
    assert Course.objects.count() >= 12
    tweeting = Course.objects.get(title="Get Tweeting – Twitter for professional development")
    assert (tweeting.duration_minutes, tweeting.level) == (90, "novice")
    discussion = tweeting.agenda.filter(kind="discussion").values_list("title", flat=True)
    assert any("professional boundaries with service users" in t for t in discussion)
    questions = set(tweeting.questions.values_list("text", flat=True))
    assert "Is this your first time using the library?" in questions
    assert "What do you hope to get from the session?" in questions
    # Its first-time question is the "new to the library?" question, so insights show it.
    first = tweeting.questions.get(text="Is this your first time using the library?")
    assert (first.asks_if_new, first.new_answer) == (True, "yes")
    said = course_figures(course=tweeting).said_new
    assert 0 < said.count < said.total
    titles = set(Course.objects.values_list("title", flat=True))
    assert "Introduction to CILIP Certification and Chartership" in titles
    assert any("Literature searching" in t for t in titles)
    assert any("Critical appraisal" in t for t in titles)
    assert any("Reference management" in t for t in titles)
    assert Course.objects.filter(status=Course.Status.ARCHIVED).exists()
    assert len(set(Course.objects.values_list("category", flat=True))) >= 6

    # --- sessions: two years; Get Tweeting monthly, then every other month --------------
    sessions = Session.objects.all()
    assert sessions.filter(starts_at__lt=now - timedelta(days=365)).exists()
    assert sessions.filter(starts_at__gt=now + timedelta(days=90)).exists()
    intervals = sorted(tweeting.series.values_list("interval", flat=True))
    assert intervals == [1, 2]
    monthly, every_other = (tweeting.series.get(interval=i) for i in (1, 2))
    assert monthly.sessions.count() >= 12
    assert every_other.sessions.filter(starts_at__lt=now).exists()
    assert every_other.sessions.filter(starts_at__gt=now).exists()
    assert sessions.filter(status=Session.Status.CANCELLED).exists()

    # --- people ---------------------------------------------------------------------------
    assert User.objects.count() >= 250
    organisations = set(
        User.objects.exclude(organisation="").values_list("organisation", flat=True)
    )
    assert len(organisations) == 2
    teams = set(User.objects.values_list("team", flat=True))
    assert {"School nursing", "Library and knowledge service"} <= teams
    assert any(t.startswith("Ward") for t in teams)
    for group in (
        roles.LEARNER,
        roles.TRAINER,
        roles.MENTOR,
        roles.STAFF_DEVELOPMENT,
        roles.ADMINISTRATOR,
    ):
        member = Group.objects.get(name=group).user_set.filter(email__contains="@").first()
        assert member is not None, group
    signed_in = [u for u in User.objects.all() if u.check_password("heron-quill-lantern-42")]
    assert len(signed_in) == 5
    for user in signed_in:
        assert user.email in demo
    assert "/accounts/login/" in demo
    assert "heron-quill-lantern-42" in demo

    # --- what people did --------------------------------------------------------------------
    b = Booking.objects
    assert b.count() >= 800
    assert b.filter(ending=Booking.Ending.CANCELLED, late_cancellation=False).exists()
    assert b.filter(late_cancellation=True).exists()
    assert b.filter(attendance=Booking.Attendance.NO_SHOW).exists()
    assert b.filter(attendance=Booking.Attendance.ATTENDED).count() >= 300
    assert b.filter(arrived_late=True).exists()
    assert b.filter(ending=Booking.Ending.LEFT_WAITING_LIST).exists()
    assert b.filter(ending=Booking.Ending.MOVED, moved_to__isnull=False).exists()
    assert b.filter(status=Booking.Status.WAITING, session__starts_at__gt=now).exists()
    assert b.exclude(answers={}).exists()
    assert b.exclude(booked_by=None).exclude(booked_by=F("person")).exists()

    # --- invariants ------------------------------------------------------------------------
    counted = sessions.annotate(
        confirmed=Count("bookings", filter=Q(bookings__status=Booking.Status.CONFIRMED)),
        waiting=Count("bookings", filter=Q(bookings__status=Booking.Status.WAITING)),
    )
    for s in counted:
        assert s.places_taken == s.confirmed, s
        assert s.places_taken <= s.capacity, s
        if s.status == Session.Status.CANCELLED:
            assert s.confirmed == s.waiting == 0, s
        elif s.waiting:
            # A freed place always went to the waiting list at once.
            assert s.places_taken == s.capacity, s
    duplicates = (
        b.filter(status__in=Booking.ACTIVE)
        .values("session", "person")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not duplicates.exists()
    # Registers only for sessions that have happened, and only for people with places.
    assert not b.exclude(attendance="").filter(session__starts_at__gt=now).exists()
    assert not b.exclude(attendance="").exclude(status=Booking.Status.CONFIRMED).exists()

    # --- dated as it happened, never in the future --------------------------------------------
    assert not b.filter(created_at__gt=now).exists()
    assert b.filter(created_at__lt=now - timedelta(days=365)).exists()
    assert not b.filter(created_at__gte=F("session__starts_at")).exists()
    assert not AuditEntry.objects.filter(at__gt=now).exists()
    assert AuditEntry.objects.filter(at__lt=now - timedelta(days=365)).exists()
    late = b.filter(late_cancellation=True).select_related("session__course")
    for booking in late:
        assert booking.ended_at >= booking.session.late_cancellation_from()
    for booking in b.exclude(attendance="").select_related("session")[:200]:
        assert booking.attendance_recorded_at >= booking.session.starts_at

    # --- the history's e-mails are not sent on the first start ------------------------------
    from guildbook.notifications.models import OutboxMessage

    pending = OutboxMessage.objects.filter(status="pending")
    assert not pending.filter(due_at__lte=now).exists()
    assert pending.filter(kind="training.reminder", due_at__gt=now).exists()


def test_demo_if_empty_leaves_a_database_with_courses_alone(db, capsys):
    CourseFactory()
    call_command("demo", if_empty=True)
    assert Course.objects.count() == 1
    assert not User.objects.exists()
    with pytest.raises(CommandError, match="There are courses already"):
        call_command("demo")


def test_a_restart_prints_the_sign_in_details_again_at_the_served_address(demo, capsys, settings):
    settings.SITE_URL = "http://127.0.0.1:8322"
    call_command("demo", if_empty=True)
    again = capsys.readouterr().out
    assert "Sign in at http://127.0.0.1:8322/accounts/login/" in again
    assert again.count("heron-quill-lantern-42") == 5
    assert "jamie.carter@" in again


def test_demo_tells_the_school_nursing_outreach_with_what_followed(demo, client):
    from guildbook.training.models import OutreachEntry

    meeting = OutreachEntry.objects.get(kind="presentation")
    assert meeting.team.name == "School nursing"
    assert meeting.team.people.count() >= 20  # the directory linked the demo's people
    closed = OutreachEntry.objects.get(kind="helping").sessions.get()
    assert closed.for_team == meeting.team and closed.course.slug == "get-tweeting"
    client.force_login(User.objects.get(name="Rachel Okafor"))
    text = client.get(meeting.get_absolute_url()).content.decode()
    assert "from School nursing in the 3 months after" in text
