"""Reads of training records: a person's record and the people a viewer may look up."""

from __future__ import annotations

from datetime import datetime

from django.db.models import (
    Count,
    Q,
    QuerySet,
)
from django.http import Http404
from django.utils import timezone

from guildbook.core import roles
from guildbook.core.search import with_every_word
from guildbook.training.models import Booking


def person_for_record(user, *, pk: int):
    """Whose training record `user` may open: their own, or anyone's with the permission."""
    from guildbook.accounts.models import User

    if not user.is_authenticated:
        raise Http404("No such person")
    if user.pk != pk and not roles.can_view_records(user):
        raise Http404("No such person")
    person = User.objects.filter(pk=pk).first()
    if person is None:
        raise Http404("No such person")
    return person


class TrainingRecord:
    """A person's training record as a viewer may see it.

    `entries` are bookings with `record_status`: "attended", "booked" (to come), "awaiting"
    (over, register not yet taken) and, only for viewers who may see attendance history
    (trainers), "no_show" and "late_cancellation". Totals count attended sessions only.
    """

    STATUS_WORDS = {
        "attended": "Attended",
        "booked": "Booked",
        "awaiting": "Attendance not yet recorded",
        "no_show": "Did not attend",
        "late_cancellation": "Cancelled at short notice",
    }

    def __init__(self, person, entries, *, shows_history: bool):
        self.person = person
        self.entries = entries
        self.shows_history = shows_history
        attended = [e for e in entries if e.record_status == "attended"]
        self.attended_count = len(attended)
        self.attended_minutes = sum(e.session.duration_minutes for e in attended)
        self.courses_attended = len({e.session.course_id for e in attended})
        self.upcoming_count = sum(1 for e in entries if e.record_status == "booked")
        self.no_show_count = sum(1 for e in entries if e.record_status == "no_show")
        self.late_cancellation_count = sum(
            1 for e in entries if e.record_status == "late_cancellation"
        )

    @property
    def attended_hours(self) -> float:
        return round(self.attended_minutes / 60, 2)

    @property
    def attended_hours_text(self) -> str:
        return _hours_text(self.attended_minutes)


def _hours_text(minutes: int) -> str:
    """Hours as people write them in a record: "1.5", "2", "1.25"."""
    return f"{round(minutes / 60, 2):g}"


def training_record_for(viewer, person, *, now: datetime | None = None) -> TrainingRecord:
    """`person`'s training record as `viewer` may see it (check access with
    `person_for_record` first). One query whatever the length of the record."""
    now = now or timezone.now()
    shows_history = viewer.is_authenticated and viewer.has_perm("training.view_no_show_history")
    wanted = Q(status=Booking.Status.CONFIRMED)
    if shows_history:
        wanted |= Q(status=Booking.Status.CANCELLED, late_cancellation=True)
    entries = []
    for b in (
        Booking.objects.filter(person=person)
        .filter(wanted)
        .select_related("session__course__category")
        .order_by("-session__starts_at", "-id")
    ):
        if b.status == Booking.Status.CANCELLED:
            status = "late_cancellation"
        elif b.attendance == Booking.Attendance.ATTENDED:
            status = "attended"
        elif b.attendance == Booking.Attendance.NO_SHOW:
            if not shows_history:
                continue
            status = "no_show"
        elif b.session.starts_at > now:
            status = "booked"
        else:
            status = "awaiting"
        b.record_status = status
        b.record_status_words = TrainingRecord.STATUS_WORDS[status]
        b.hours = round(b.session.duration_minutes / 60, 2)
        b.hours_text = _hours_text(b.session.duration_minutes)
        entries.append(b)
    return TrainingRecord(person, entries, shows_history=shows_history)


def people_for_records(viewer, *, query: str = "") -> QuerySet:
    """People whose records a staff development officer may open, with how many sessions
    each attended (one query a page). Anyone else gets a 404."""
    from guildbook.accounts.models import User

    if not roles.can_view_records(viewer):
        raise Http404("Not found")
    qs = User.objects.filter(is_active=True)
    qs = with_every_word(qs, query, ("name", "email", "team", "organisation", "job_title"), most=6)
    return qs.annotate(
        sessions_attended=Count(
            "bookings", filter=Q(bookings__attendance=Booking.Attendance.ATTENDED)
        )
    ).order_by("name", "email")
