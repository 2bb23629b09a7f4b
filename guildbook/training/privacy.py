"""The training app's part of a person's data: their bookings, answers and attendance, the
courses they asked to hear of a date for, and the outreach visits they logged or went on."""

from django.db.models import Q
from django.utils import timezone

from guildbook.core import privacy
from guildbook.training.models import (
    Booking,
    Course,
    CourseInterest,
    OutreachEntry,
    OutreachFollowUp,
    Series,
    Session,
)


def _booking_rows(person):
    bookings = (
        Booking.objects.filter(person=person)
        .select_related("session__course", "booked_by")
        .order_by("session__starts_at", "id")
    )
    return [
        {
            "course": b.session.course.title,
            "session_starts": b.session.starts_at,
            "status": b.status,
            "booked": b.created_at,
            "booked_by": "you" if b.booked_by_id in (None, person.pk) else b.booked_by.display_name,
            "answers": b.answers,
            "ended": b.ended_at,
            "ending": b.ending,
            "late_cancellation": b.late_cancellation,
            "attendance": b.attendance,
            "arrived_late": b.arrived_late,
        }
        for b in bookings
    ]


def _interest_rows(person):
    interests = (
        CourseInterest.objects.filter(person=person)
        .select_related("course")
        .order_by("created_at", "id")
    )
    return [
        {"course": i.course.title, "asked": i.created_at, "answered": i.fulfilled_at}
        for i in interests
    ]


def _outreach_rows(person):
    """Outreach entries the person wrote (with their notes and follow-ups) or is named among
    those who went (when, what and who for only: the notes are the writer's, and the others
    who went are not theirs to see)."""
    entries = (
        OutreachEntry.objects.filter(Q(created_by=person) | Q(went=person))
        .distinct()
        .select_related("team")
        .prefetch_related("follow_ups")
        .order_by("date", "id")
    )
    went = set(
        OutreachEntry.went.through.objects.filter(user=person).values_list(
            "outreachentry_id", flat=True
        )
    )
    rows = []
    for entry in entries:
        wrote = entry.created_by_id == person.pk
        row = {
            "date": entry.date,
            "kind": entry.get_kind_display(),
            "audience": entry.who,
            "you": ", ".join(
                part for part, yes in (("wrote it", wrote), ("went", entry.pk in went)) if yes
            ),
        }
        if wrote:
            row["people_reached"] = entry.people_reached
            row["notes"] = entry.notes
            row["follow_ups"] = [f.text for f in entry.follow_ups.all()]
        rows.append(row)
    return rows


def _erase_training(*, person, stand_in, actor):
    """What the person held for the future is released as when an account is deactivated
    (services.person_places_release: the waiting list moves up); every booking then passes
    to the stand-in without its answers, so attendance and fill rates still count."""
    from guildbook.training import services

    released = services.person_places_release(person=person, actor=actor, now=timezone.now())
    # Answered interest is demand history and passes to the stand-in like the bookings.
    counts = {
        "interest_withdrawn": released["interest"],
        "interest": CourseInterest.objects.filter(person=person).update(person=stand_in),
        "cancelled": released["places"] + released["waiting_lists"],
        "bookings": Booking.objects.filter(person=person).update(person=stand_in, answers={}),
        "booked_for_others": Booking.objects.filter(booked_by=person).update(booked_by=stand_in),
        "series": Series.objects.filter(created_by=person).update(created_by=stand_in),
    }
    for model in (Course, Series, Session):
        model.trainers.through.objects.filter(user=person).delete()
    # The outreach log keeps the visit, not who went or wrote it, nor their name in notes.
    counts["outreach"] = OutreachEntry.objects.filter(created_by=person).update(created_by=stand_in)
    OutreachEntry.went.through.objects.filter(user=person).delete()
    needles = privacy.needles_for(person)
    counts["named_in_outreach"] = privacy.scrub_rows(
        OutreachEntry.objects.all(), ["notes", "audience"], needles, stand_in.name
    ) + privacy.scrub_rows(OutreachFollowUp.objects.all(), ["text"], needles, stand_in.name)
    return counts


def _old_no_shows(*, before, dry_run):
    """A no-show older than the period no longer counts against the person: the mark is
    cleared (the session's attendance then shows it as not recorded)."""
    old = Booking.objects.filter(attendance=Booking.Attendance.NO_SHOW, session__ends_at__lt=before)
    return old.count() if dry_run else old.update(attendance="", arrived_late=False)


def _active_since(moment):
    return Booking.objects.filter(
        Q(created_at__gte=moment) | Q(session__ends_at__gte=moment)
    ).values_list("person_id", flat=True)


def register() -> None:
    privacy.register_exporter(
        "bookings", "Your bookings, your answers and your attendance", _booking_rows
    )
    privacy.register_exporter(
        "course_interest", "Courses you asked to hear of a date for", _interest_rows
    )
    privacy.register_exporter("outreach", "Outreach visits you logged or went on", _outreach_rows)
    privacy.register_eraser("training", _erase_training)
    privacy.register_activity(_active_since)
    privacy.register_retention(
        privacy.RetentionRule(
            "no_shows", "RETENTION_NO_SHOW_MONTHS", "months", "no-show marks", _old_no_shows
        )
    )
