""" "Tell me when booking opens" (alerts.py), the two buttons on a session page; and "tell me
when there's a date" (services/interest.py), the two on a course page with no date."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from guildbook.core.timefmt import format_date, format_time
from guildbook.core.views import refusal_as_message
from guildbook.training import alerts, selectors, services
from guildbook.training.views.public import _load_session


@login_required
@require_POST
def alert_create(request, pk):
    session = _load_session(request, pk)
    with refusal_as_message(request):
        alerts.booking_alert_create(session=session, person=request.user, actor=request.user)
        opens = session.booking_opens_at()
        messages.success(
            request,
            f"We will e-mail you when booking opens, on {format_date(opens)} at "
            f"{format_time(opens)}.",
        )
    return redirect(session)


@login_required
@require_POST
def alert_remove(request, pk):
    alert = alerts.booking_alert_get_for_user(request.user, pk=pk)
    session = alert.session
    alerts.booking_alert_remove(alert=alert, actor=request.user)
    messages.success(request, "We will not e-mail you when booking opens.")
    return redirect(session)


# "Tell me when there's a date": the buttons on a course page with no date (services/interest.py).


def _load_course(request, slug):
    from guildbook.training.views.public import _invitation

    return selectors.course_get_for_user(
        request.user, slug=slug, invitation=_invitation(request, slug)
    )


@login_required
@require_POST
def interest_register(request, slug):
    course = _load_course(request, slug)
    with refusal_as_message(request):
        services.interest_register(course=course, person=request.user, actor=request.user)
        messages.success(
            request,
            "We'll e-mail you when there's a date for this course, before booking opens to "
            "everyone.",
        )
    return redirect(course.get_absolute_url() + "#interest")


@login_required
@require_POST
def interest_stop(request, slug):
    course = _load_course(request, slug)
    interest = selectors.interest_get_for_user(request.user, course)
    services.interest_withdraw(interest=interest, actor=request.user)
    messages.success(request, "We won't e-mail you about dates for this course.")
    return redirect(course.get_absolute_url())
