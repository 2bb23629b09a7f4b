"""Calendars: "Add to calendar" for a place, the person's private feed and its page, and a
course's feed for its trainers (feeds.py builds them)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from guildbook.training import feeds, selectors
from guildbook.training.models import Booking

ICS = "text/calendar; charset=utf-8"


@login_required
def booking_ics(request, pk):
    """One's own place as a file to open in a calendar."""
    booking = selectors.booking_get_for_user(request.user, pk=pk)
    if booking.person_id != request.user.pk or booking.status != Booking.Status.CONFIRMED:
        raise Http404("No such booking")
    response = HttpResponse(feeds.booking_download(booking), content_type=ICS)
    name = feeds.download_name(booking.session)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def my_calendar(request):
    """The page that gives, renews and stops the private feed's address."""
    feed = feeds.feed_of(request.user)
    courses = []
    if feed is not None:
        courses = [
            (course, feeds.course_feed_url(feed, course))
            for course in request.user.courses_trained.order_by("title")
        ]
    return render(
        request,
        "training/my_calendar.html",
        {"feed": feed, "feed_url": feeds.feed_url(feed) if feed else "", "courses": courses},
    )


@login_required
@require_POST
def my_calendar_renew(request):
    had = feeds.feed_of(request.user) is not None
    feeds.calendar_feed_renew(person=request.user, actor=request.user)
    messages.success(
        request,
        "Here is your new calendar address. The old one has stopped working: give the new "
        "one to your calendar."
        if had
        else "Here is your calendar address. Give it to your calendar to subscribe.",
    )
    return redirect("training:my_calendar")


@login_required
@require_POST
def my_calendar_revoke(request):
    feeds.calendar_feed_revoke(person=request.user, actor=request.user)
    messages.success(request, "Your calendar address has stopped working.")
    return redirect("training:my_calendar")


def calendar_feed(request, key):
    """The private feed: no sign-in, the key is the secret."""
    person = feeds.feed_owner(key)
    return _feed_response(feeds.person_calendar(person))


def course_feed(request, key, slug):
    person = feeds.feed_owner(key)
    course = selectors.course_get_for_user(person, slug=slug)
    return _feed_response(feeds.course_calendar(person, course))


def _feed_response(body: bytes) -> HttpResponse:
    response = HttpResponse(body, content_type=ICS)
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
