"""The evidence log's services: numbering, uploads checked by content and stored privately,
drafts from the register, and saving a survey answer as a reflection."""

import io
import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection, connections

from guildbook.core.errors import ServiceError
from guildbook.portfolios import selectors, services
from guildbook.portfolios.models import Evidence
from guildbook.portfolios.uploads import UploadRefused
from guildbook.training import services as training
from tests.factories import CourseFactory, SessionFactory, UserFactory
from tests.portfolios.conftest import ELF, add, pdf_bytes, png_bytes, stored_files, upload


def test_numbers_count_up_per_person_and_are_never_reused(candidate, stranger):
    e1 = add(candidate)
    e2 = add(candidate)
    other = add(stranger)
    assert (e1.number, e2.number, other.number) == (1, 2, 1)
    services.evidence_delete(evidence=e2, actor=candidate)
    assert add(candidate).number == 3
    assert e1.label == "E1"


def test_number_is_unique_in_the_database(candidate):
    from django.db import IntegrityError, transaction

    e1 = add(candidate)
    with pytest.raises(IntegrityError), transaction.atomic():
        Evidence.objects.create(
            person=candidate, number=e1.number, kind="reflection", title="x", date=e1.date
        )


@pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="SQLite's IMMEDIATE transactions queue writers; the race needs PostgreSQL's",
)
@pytest.mark.django_db(transaction=True)
def test_entries_added_at_once_get_different_numbers():
    person = UserFactory(email="many@example.nhs.uk")
    count = 8
    gate = threading.Barrier(count)
    errors = []

    def one(i):
        try:
            gate.wait()
            add(person, title=f"Entry {i}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    numbers = sorted(Evidence.objects.filter(person=person).values_list("number", flat=True))
    assert numbers == list(range(1, count + 1))


assert connection  # used by the skipif expression above


def test_file_is_stored_privately_under_a_made_up_name(candidate, private_root):
    e = add(candidate, kind="file", upload=upload("My CV.pdf", pdf_bytes()))
    assert e.file_name == "My CV.pdf"
    assert e.file_type == "application/pdf"
    assert "CV" not in e.file.name and e.file.name.endswith(".pdf")
    files = stored_files(private_root)
    assert len(files) == 1 and files[0].is_relative_to(private_root)


def test_photo_from_a_phone(candidate):
    e = add(candidate, kind="file", upload=upload("IMG_0001.png", png_bytes(), "image/png"))
    assert e.is_image and e.file.name.endswith(".png")


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("big.pdf", pdf_bytes() + b"%" * (1024 * 1024), "file_size"),
        ("report.pdf", ELF, "file_type"),
        ("notes.pdf", b"just some text, not a PDF at all", "file_type"),
        ("empty.pdf", b"", "file_empty"),
        ("../../etc/evil.pdf", pdf_bytes(), "file_name"),
        ("C:\\Users\\me\\cv.pdf", pdf_bytes(), "file_name"),
    ],
)
def test_refused_uploads_store_nothing(candidate, private_root, name, content, code):
    # A plain file object keeps the name as sent (Django's own upload objects already cut a
    # path off; the service must not rely on that).
    f = io.BytesIO(content)
    f.name = name
    with pytest.raises(UploadRefused) as refused:
        add(candidate, kind="file", upload=f)
    assert refused.value.code == code
    assert refused.value.message
    assert stored_files(private_root) == []
    assert not Evidence.objects.exists()


def test_a_failed_save_removes_the_stored_file(candidate, private_root):
    with pytest.raises(ServiceError):
        add(candidate, kind="link", url="", upload=upload("a.pdf", pdf_bytes()))
    assert stored_files(private_root) == []


def test_delete_removes_the_file_once_committed(
    candidate, private_root, django_capture_on_commit_callbacks
):
    e = add(candidate, kind="file", upload=upload("a.pdf", pdf_bytes()))
    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_delete(evidence=e, actor=candidate)
    assert stored_files(private_root) == []


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "poem"}, "kind"),
        ({"title": "  "}, "title"),
        ({"kind": "link", "url": ""}, "url"),
        ({"kind": "link", "url": "javascript:alert(1)"}, "url"),
        ({"kind": "file"}, "file"),
        ({"hours": "-1"}, "hours"),
        ({"hours": "lots"}, "hours"),
        ({"date": "2026-01-01"}, "date"),
    ],
)
def test_bad_fields_are_refused_with_the_field(candidate, fields, field):
    with pytest.raises(ServiceError) as refused:
        add(candidate, **fields)
    assert refused.value.field == field
    assert not Evidence.objects.exists()


# --- Drafts from the register ----------------------------------------------------------


@pytest.fixture
def attended(candidate, django_capture_on_commit_callbacks):
    course = CourseFactory(title="Get Tweeting", slug="get-tweeting", duration_minutes=90)
    from django.utils import timezone

    ends = timezone.now() - timedelta(hours=1)
    session = SessionFactory(course=course, starts_at=ends - timedelta(minutes=90), ends_at=ends)
    booking = training.booking_create(
        session=session, person=candidate, actor=candidate, now=session.starts_at - timedelta(7)
    )
    with django_capture_on_commit_callbacks(execute=True):
        training.attendance_record(booking=booking, attended=True, actor=None)
    return booking


def test_attending_makes_a_draft_with_prompts(candidate, attended):
    draft = Evidence.objects.get(person=candidate)
    assert draft.is_draft and draft.kind == "session" and draft.booking == attended
    assert "What did you learn?" in draft.text
    assert draft.hours == Decimal("1.50")
    assert selectors.cpd_hours(candidate) == Decimal("1.50")


def test_marking_again_makes_no_second_draft(
    candidate, attended, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        training.attendance_record(booking=attended, attended=True, actor=None)
    assert Evidence.objects.filter(person=candidate).count() == 1


def test_no_show_withdraws_an_untouched_draft(
    candidate, attended, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        training.attendance_record(booking=attended, attended=False, actor=None)
    assert not Evidence.objects.filter(person=candidate).exists()


def test_no_show_keeps_a_draft_the_person_edited(
    candidate, attended, django_capture_on_commit_callbacks
):
    draft = Evidence.objects.get(person=candidate)
    services.evidence_update(evidence=draft, actor=candidate, text="I learnt to tweet.")
    with django_capture_on_commit_callbacks(execute=True):
        training.attendance_record(booking=attended, attended=False, actor=None)
    kept = Evidence.objects.get(person=candidate)
    assert not kept.is_draft and kept.text == "I learnt to tweet."


def test_survey_answer_saved_as_reflection(candidate):
    e = add(candidate, text="")
    services.evidence_add_survey_answer(
        evidence=e,
        lines=[("Have you used Twitter since?", "Yes, weekly"), ("Anything else?", "")],
        actor=candidate,
    )
    e.refresh_from_db()
    assert "**Have you used Twitter since?**\n\nYes, weekly" in e.text
    assert "Anything else" not in e.text


def test_cpd_hours_between_dates(candidate):
    add(candidate, hours="2", date=date(2026, 1, 5))
    add(candidate, hours="1.25", date=date(2026, 6, 5))
    assert selectors.cpd_hours(candidate, since=date(2026, 2, 1)) == Decimal("1.25")
