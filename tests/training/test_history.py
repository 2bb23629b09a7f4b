"""history_import: all or nothing with every error by line and column, idempotent, quiet
(no e-mail, ever) and a constant number of statements whatever the file's size."""

from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from guildbook.accounts.models import User
from guildbook.notifications.models import OutboxMessage
from guildbook.training import history
from guildbook.training.history import COLUMNS, history_import
from guildbook.training.history_demo import CourseHistory, history_csv, history_rows
from guildbook.training.messages import kinds
from guildbook.training.models import Booking, Course, Session

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, params=[True, False], ids=["sql", "orm"])
def writes(request, monkeypatch):
    """Every test runs with the hand-written inserts and with their ORM twin."""
    monkeypatch.setattr(history, "RAW_SQL", request.param)
    return request.param


HEADER = ",".join(COLUMNS)
S = "2024-03-05T10:00:00+00:00,2024-03-05T11:30:00+00:00"


def csv_of(*rows: str) -> str:
    return HEADER + "\n" + "\n".join(rows) + "\n"


GOOD = csv_of(
    f"Get Tweeting,{S},3,ada@x.example,Ada,School nursing,2024-02-01T09:00:00+00:00,attended,,",
    f"Get Tweeting,{S},3,bob@x.example,Bob,,2024-02-02T09:00:00+00:00,no_show,,",
    f"Get Tweeting,{S},3,cy@x.example,Cy,,2024-02-03T09:00,cancelled,2024-02-10T09:00,",
    f"Get Tweeting,{S},3,di@x.example,Di,,2024-02-04T09:00,late_cancelled,2024-03-04T12:00,",
    f"Get Tweeting,{S},3,ed@x.example,Ed,,2024-02-05T09:00,attended,,2024-02-05T09:00",
    f"Get Tweeting,{S},3,fay@x.example,Fay,,,waiting_not_offered,,2024-02-06T09:00",
)


def test_a_good_file_makes_a_retired_course_an_imported_session_and_its_bookings():
    result = history_import(text=GOOD)
    assert result.errors == []
    assert (result.courses_created, result.sessions_created, result.bookings_created) == (1, 1, 6)
    course = Course.objects.get(title="Get Tweeting")
    assert course.status == Course.Status.ARCHIVED
    session = Session.objects.get(course=course)
    assert session.imported and session.capacity == 3 and session.places_taken == 3
    by = {b.person.email: b for b in Booking.objects.filter(session=session)}
    assert by["ada@x.example"].attendance == Booking.Attendance.ATTENDED
    assert by["bob@x.example"].attendance == Booking.Attendance.NO_SHOW
    assert by["cy@x.example"].ending == Booking.Ending.CANCELLED
    assert not by["cy@x.example"].late_cancellation
    assert by["di@x.example"].late_cancellation
    assert by["ed@x.example"].waiting_since is not None
    assert by["fay@x.example"].confirmed_at is None
    assert by["fay@x.example"].status == Booking.Status.CANCELLED
    # Local times without an offset are the service's zone (GMT in February).
    assert by["cy@x.example"].confirmed_at.isoformat() == "2024-02-03T09:00:00+00:00"


def test_people_are_inactive_without_a_password_and_keep_their_team():
    history_import(text=GOOD)
    ada = User.objects.get(email="ada@x.example")
    assert not ada.is_active and not ada.has_usable_password()
    assert (ada.name, ada.team) == ("Ada", "School nursing")


def test_an_existing_course_is_used_by_its_title_and_existing_people_are_kept(course, person):
    course.title = "Get Tweeting"
    course.save()
    text = GOOD.replace("ada@x.example", person.email)
    result = history_import(text=text)
    assert result.courses_created == 0 and result.people_created == 5
    assert Session.objects.get(imported=True).course == course
    person.refresh_from_db()
    assert person.is_active


def test_importing_the_same_file_twice_adds_nothing():
    history_import(text=GOOD)
    counts = (Session.objects.count(), Booking.objects.count(), User.objects.count())
    again = history_import(text=GOOD)
    assert again.errors == [] and again.already_there == 6
    assert (again.sessions_created, again.bookings_created, again.people_created) == (0, 0, 0)
    assert (Session.objects.count(), Booking.objects.count(), User.objects.count()) == counts


def test_a_second_file_adds_only_the_new_rows_to_the_session():
    history_import(text=GOOD)
    more = GOOD.replace("fay@x.example", "gus@x.example")
    result = history_import(text=more)
    assert (result.bookings_created, result.already_there) == (1, 5)
    assert Session.objects.get().places_taken == 3


def test_every_error_is_listed_by_line_and_column_and_nothing_is_saved():
    text = csv_of(
        f"Get Tweeting,{S},3,ada@x.example,Ada,,2024-02-01T09:00,attended,,",
        "Get Tweeting,2024-13-05T10:00,2024-03-05T11:30,3,bob@x.example,Bob,,"
        "2024-02-01T09:00,attended,,",
        "Get Tweeting,2024-03-05T10:00,2024-03-05T09:00,3,cy@x.example,Cy,,"
        "2024-02-01T09:00,maybe,,",
        f"Get Tweeting,{S},three,not-an-email,Di,,2024-02-01T09:00,cancelled,,",
    )
    result = history_import(text=text)
    assert [str(e) for e in result.errors] == [
        "line 3, session_start: “2024-13-05T10:00” is not a date and time "
        "(use e.g. 2024-03-05T10:00)",
        "line 4, outcome: “maybe” is not one of attended, no_show, cancelled, "
        "late_cancelled, waiting_not_offered",
        "line 4, session_end: is not after session_start",
        "line 5, capacity: “three” is not a whole number above 0",
        "line 5, email: “not-an-email” is not a valid e-mail address",
        "line 5, ended_at: is empty; give a date and time (ISO 8601)",
    ]
    assert not Course.objects.exists() and not User.objects.exists()


def test_capacity_below_the_attendees_is_refused():
    text = csv_of(
        f"Get Tweeting,{S},1,ada@x.example,Ada,,2024-02-01T09:00,attended,,",
        f"Get Tweeting,{S},1,bob@x.example,Bob,,2024-02-01T09:00,no_show,,",
    )
    result = history_import(text=text)
    assert [str(e) for e in result.errors] == [
        "line 2, capacity: 1 is below the 2 people who attended or did not show for this "
        "session (lines 2, 3)"
    ]
    assert not Session.objects.exists()


def test_more_attendees_than_an_existing_session_has_room_for_is_refused():
    history_import(text=GOOD)
    more = GOOD.replace("ed@x.example", "gus@x.example")
    result = history_import(text=more)
    assert [str(e) for e in result.errors] == [
        "line 2, capacity: the session is already there with 3 of its 3 places held; "
        "1 more do not fit"
    ]
    assert not User.objects.filter(email="gus@x.example").exists()


def test_the_same_person_twice_on_a_session_and_a_missing_column():
    text = csv_of(
        f"Get Tweeting,{S},3,ada@x.example,Ada,,2024-02-01T09:00,attended,,",
        f"Get Tweeting,{S},3,ADA@x.example,Ada,,2024-02-01T09:00,attended,,",
    )
    assert [str(e) for e in history_import(text=text).errors] == [
        "line 3, email: the same person and session as line 2"
    ]
    with pytest.raises(Exception, match="lacks the column waiting_since"):
        history_import(
            text="course,session_start,session_end,capacity,email,name,team,"
            "booked_at,outcome,ended_at\n"
        )


def test_imported_sessions_never_have_a_message_due(course):
    history_import(text=GOOD)
    booking = Booking.objects.filter(status=Booking.Status.CONFIRMED).first()
    assert not kinds._live(booking.session, until="starts_at")
    assert not OutboxMessage.objects.exists()


def _big(n_sessions: int) -> str:
    course = CourseHistory(
        "Get Tweeting",
        [(date(2020, 1, 7), 1)],
        until=date(2020, 1, 7).replace(year=2020 + n_sessions // 12 + 1),
        demand_per_month=14,
    )
    rows = list(history_rows([course], people=300))
    sessions = sorted({r["session_start"] for r in rows})[:n_sessions]
    return history_csv(r for r in rows if r["session_start"] in sessions)


def test_statements_do_not_grow_with_the_file(writes, django_assert_max_num_queries):
    from allauth.account.models import EmailAddress

    if not writes:
        pytest.skip("bulk_create splits its rows by SQLite's parameter limit")
    from tests.factories import CourseFactory

    CourseFactory(title="Get Tweeting")
    small, large = _big(2), _big(20)
    with django_assert_max_num_queries(40) as few:
        assert history_import(text=small).bookings_created > 0
    Booking.objects.all().delete()
    Session.objects.all().delete()
    EmailAddress.objects.all().delete()
    User.objects.all().delete()
    with django_assert_max_num_queries(40) as many:
        assert history_import(text=large).bookings_created > 0
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_command_prints_errors_and_exits_non_zero(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text(csv_of(f"Get Tweeting,{S},3,ada,Ada,,2024-02-01T09:00,attended,,"))
    with pytest.raises(CommandError, match="Nothing was imported: 1 problem to correct"):
        call_command("import_history", str(bad))
    assert "line 2, email" in capsys.readouterr().err
    good = tmp_path / "good.csv"
    good.write_text(GOOD)
    call_command("import_history", str(good))
    assert "Imported 6 bookings on 1 new sessions" in capsys.readouterr().out


def test_administrators_upload_a_file_and_others_get_a_404(client, trainer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import UserFactory

    client.force_login(trainer)
    assert client.get("/manage/import-history/").status_code == 404
    admin = UserFactory(email="admin@x.example", role="administrator")
    client.force_login(admin)
    bad = client.post(
        "/manage/import-history/",
        {"file": SimpleUploadedFile("h.csv", csv_of(f"X,{S},3,ada,A,,,attended,,").encode())},
    )
    assert "line 2, email" in bad.content.decode() and not Session.objects.exists()
    good = client.post(
        "/manage/import-history/", {"file": SimpleUploadedFile("h.csv", GOOD.encode())}
    )
    assert "Imported 6 bookings on 1 new session" in good.content.decode()
