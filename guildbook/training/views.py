"""Pages for learners: catalogue, course and session pages, booking, my bookings.

Thin: they read through selectors and write through services.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from guildbook.core.errors import ServiceError
from guildbook.training import selectors, services
from guildbook.training.forms import BookingQuestionsForm, CatalogueFilterForm


def catalogue(request):
    form = CatalogueFilterForm(request.GET or None)
    filters = {}
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        filters = {
            "query": d["q"].strip(),
            "category": d["category"],
            "level": d["level"],
            "delivery": d["delivery"],
            "date_from": d["date_from"],
            "date_to": d["date_to"],
        }
    courses = selectors.catalogue(request.user, **filters)
    return render(
        request,
        "training/catalogue.html",
        {"form": form, "courses": courses, "filtered": any(filters.values())},
    )


def course_detail(request, slug):
    invitation = request.GET.get("invitation") or request.session.get(f"invite:{slug}")
    course = selectors.course_get_for_user(request.user, slug=slug, invitation=invitation)
    if request.GET.get("invitation") and invitation == course.invitation_token:
        request.session[f"invite:{slug}"] = invitation
    sessions = list(selectors.sessions_of_course(course))
    return render(
        request,
        "training/course_detail.html",
        {"course": course, "sessions": sessions, "is_trainer": _is_trainer(request.user)},
    )


def session_detail(request, pk):
    session = selectors.session_get_for_user(
        request.user, pk=pk, invitation=_invitation_for(request, pk)
    )
    booking = selectors.active_booking_for(request.user, session)
    questions = list(session.course.questions.all())
    return render(
        request,
        "training/session_detail.html",
        {
            "session": session,
            "course": session.course,
            "booking": booking,
            "position": services.waiting_position(booking) if booking else None,
            "refusal": services.booking_refusal(session),
            "questions_form": BookingQuestionsForm(questions=questions) if questions else None,
        },
    )


def _invitation_for(request, session_pk):
    from guildbook.training.models import Session

    slug = Session.objects.filter(pk=session_pk).values_list("course__slug", flat=True).first()
    return request.session.get(f"invite:{slug}") if slug else None


def _is_trainer(user):
    from guildbook.core.roles import is_trainer

    return is_trainer(user)


@login_required
@require_POST
def session_book(request, pk):
    session = selectors.session_get_for_user(
        request.user, pk=pk, invitation=_invitation_for(request, pk)
    )
    questions = list(session.course.questions.all())
    form = BookingQuestionsForm(request.POST, questions=questions)
    if questions and not form.is_valid():
        return render(
            request,
            "training/session_detail.html",
            {
                "session": session,
                "course": session.course,
                "booking": None,
                "refusal": services.booking_refusal(session),
                "questions_form": form,
            },
            status=400,
        )
    try:
        booking = services.booking_create(
            session=session,
            person=request.user,
            actor=request.user,
            answers=form.answers() if questions else {},
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(session)
    if booking.status == booking.Status.CONFIRMED:
        messages.success(request, "Your place is booked.")
    else:
        messages.success(
            request,
            f"The session is full, so you are on the waiting list at number "
            f"{services.waiting_position(booking)}. If a place comes up it is yours straight away.",
        )
    return redirect(session)


@login_required
def my_bookings(request):
    bookings = list(
        selectors.bookings_for_user(request.user).filter(
            status__in=["confirmed", "waiting"], session__ends_at__gt=_now()
        )
    )
    for b in bookings:
        b.position = services.waiting_position(b)
    return render(request, "training/my_bookings.html", {"bookings": bookings})


def _now():
    from django.utils import timezone

    return timezone.now()


@login_required
def booking_detail(request, pk):
    booking = selectors.booking_get_for_user(request.user, pk=pk)
    return render(
        request,
        "training/booking_detail.html",
        {"booking": booking, "position": services.waiting_position(booking)},
    )


@login_required
def booking_cancel(request, pk):
    """GET shows what cancelling means; only the POST changes anything."""
    booking = selectors.booking_get_for_user(request.user, pk=pk)
    if booking.person_id != request.user.pk:
        from django.http import Http404

        raise Http404("No such booking")
    if request.method == "POST":
        try:
            services.booking_cancel(booking=booking, actor=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect("training:booking", pk=booking.pk)
        booking.refresh_from_db()
        if booking.ending == booking.Ending.LEFT_WAITING_LIST:
            messages.success(request, "You have left the waiting list.")
        else:
            messages.success(request, "Your place is cancelled. Thank you for letting us know.")
        return redirect("training:my_bookings")
    late = booking.status == "confirmed" and _now() >= booking.session.late_cancellation_from()
    return render(request, "training/booking_cancel.html", {"booking": booking, "late": late})
