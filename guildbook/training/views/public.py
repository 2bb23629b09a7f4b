"""Pages for learners: catalogue, course and session pages, booking, my bookings.

Thin: they read through selectors and write through services.
"""

import hashlib
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from guildbook.core import csp, roles
from guildbook.core.errors import ServiceError
from guildbook.core.uploads import user_file_response
from guildbook.core.views import refusal_as_message
from guildbook.training import alerts, outcomes, selectors, services
from guildbook.training.forms.public import BookingQuestionsForm, CatalogueFilterForm
from guildbook.training.models import Booking, CourseMaterial, Session

INVITATIONS = "invitations"  # session key: {course slug: invitation token}


# How long an anonymous catalogue page may be reused at most. Bookings and edits show at
# once (the key carries the catalogue's version); this bound covers sessions that start and
# so leave the list, and categories renamed in the admin.
CATALOGUE_CACHE_SECONDS = 60


def catalogue(request):
    """The catalogue. Anonymous visitors (the library website's traffic) share a cached copy
    per query string, keyed by the catalogue's version; signed-in people see their own
    bookings, so theirs is rendered each time."""
    cacheable = not request.user.is_authenticated and not messages.get_messages(request)
    if cacheable:
        version = hashlib.sha256(selectors.catalogue_version().encode()).hexdigest()[:16]
        query = hashlib.sha256(request.GET.urlencode().encode()).hexdigest()[:16]
        key = f"catalogue:{version}:{query}"
        html = caches["pages"].get(key)
        if html is None:
            html = csp.nonce_removed(request, _catalogue(request).content)
            caches["pages"].set(key, html, CATALOGUE_CACHE_SECONDS)
        return HttpResponse(csp.nonce_restored(request, html))
    return _catalogue(request)


def _catalogue(request):
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
    sort = form.cleaned_data.get("sort", "") if form.is_bound and form.is_valid() else ""
    courses = selectors.catalogue(request.user, sort=sort, **filters)
    mine = selectors.active_bookings_by_session(
        request.user, [s.pk for c in courses for s in c.next_sessions]
    )
    for c in courses:
        for s in c.next_sessions:
            s.my_booking = mine.get(s.pk)
    return render(
        request,
        "training/catalogue.html",
        {
            "form": form,
            "courses": courses,
            "filtered": any(filters.values()),
            "active_filters": form.active_filters() if form.is_bound and form.is_valid() else [],
        },
    )


def _invitation(request, slug: str) -> str | None:
    return request.session.get(INVITATIONS, {}).get(slug)


def course_detail(request, slug):
    given = request.GET.get("invitation")
    course = selectors.course_get_for_user(
        request.user, slug=slug, invitation=given or _invitation(request, slug)
    )
    if given and given == course.invitation_token:
        # Remember the invitation so the session pages and booking open too.
        invitations = request.session.get(INVITATIONS, {})
        invitations[slug] = given
        request.session[INVITATIONS] = invitations
    sessions = list(selectors.sessions_of_course(course, user=request.user))
    mine = selectors.active_bookings_by_session(request.user, [s.pk for s in sessions])
    for s in sessions:
        s.my_booking = mine.get(s.pk)
    is_trainer = roles.is_trainer(request.user)
    return render(
        request,
        "training/course_detail.html",
        {
            "course": course,
            "sessions": sessions,
            "materials": selectors.course_materials(course, for_trainer=is_trainer),
            "is_trainer": is_trainer,
            "interest": selectors.interest_for(request.user, course),
            "login_url": _login_url(course.get_absolute_url()),
        },
    )


def _load_session(request, pk) -> Session:
    slug = Session.objects.filter(pk=pk).values_list("course__slug", flat=True).first()
    return selectors.session_get_for_user(
        request.user, pk=pk, invitation=_invitation(request, slug) if slug else None
    )


def _session_page(request, session, *, questions_form=None, status=200):
    course = session.course
    booking = selectors.active_bookings_by_session(request.user, [session.pk]).get(session.pk)
    refusal = None if booking else services.booking_refusal(session, person=request.user)
    full_no_list = (
        not refusal and not session.places_left and not course.waiting_list_enabled and not booking
    )
    if questions_form is None and not booking and not refusal:
        questions = list(course.questions.all())
        questions_form = BookingQuestionsForm(questions=questions) if questions else None
    show_others = bool(refusal or full_no_list or not session.places_left)
    # Before the opening, a person told of the session through their interest in the
    # course may book in the head start (no refusal); everyone else is offered the alert.
    early = not booking and not refusal and session.booking_opens_later
    opens_later = not booking and refusal and session.booking_opens_later
    return render(
        request,
        "training/session_detail.html",
        {
            "session": session,
            "course": course,
            "booking": booking,
            "refusal": refusal,
            "full_no_list": full_no_list,
            "questions_form": questions_form,
            "other_sessions": selectors.other_sessions(session, user=request.user)
            if show_others
            else [],
            "login_url": _login_url(session.get_absolute_url()),
            "opens_later": opens_later,
            "early": early,
            "alert": alerts.booking_alert_for(request.user, session) if opens_later else None,
        },
        status=status,
    )


def _login_url(next_url: str) -> str:
    return f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': next_url})}"


def session_detail(request, pk):
    return _session_page(request, _load_session(request, pk))


@require_POST
def session_book(request, pk):
    """Book a place, or join the waiting list when the session is full: one button."""
    session = _load_session(request, pk)
    if not request.user.is_authenticated:
        # Back to the session page after signing in (a sign-in cannot replay a POST).
        return redirect(_login_url(session.get_absolute_url()))
    questions = list(session.course.questions.all())
    form = BookingQuestionsForm(request.POST, questions=questions)
    if questions and not form.is_valid():
        return _session_page(request, session, questions_form=form, status=400)
    try:
        booking = services.booking_create(
            session=session,
            person=request.user,
            actor=request.user,
            answers=form.answers() if questions else {},
        )
    except ServiceError as exc:
        if exc.field and exc.field in form.fields:
            form.add_error(exc.field, exc.message)
            return _session_page(request, session, questions_form=form, status=400)
        messages.error(request, exc.message)
        return redirect(session)
    if booking.status == Booking.Status.CONFIRMED:
        messages.success(
            request, f"Your place is booked: {session.course.title}, {_when(session)}."
        )
    else:
        messages.success(
            request,
            f"The session is full, so you are on the waiting list at number "
            f"{services.waiting_position(booking)}. If a place comes up it is yours straight "
            f"away, and we will tell you.",
        )
    return redirect(session)


def _when(session: Session) -> str:
    from guildbook.core.timefmt import format_date, format_time

    return f"{format_date(session.starts_at)} at {format_time(session.starts_at)}"


@login_required
def my_bookings(request):
    return render(request, "training/my_bookings.html", selectors.my_bookings(request.user))


@login_required
def booking_detail(request, pk):
    booking = selectors.booking_get_for_user(request.user, pk=pk)
    now = timezone.now()
    return _booking_page(
        request,
        "training/booking_detail.html",
        booking,
        now,
        own=booking.person_id == request.user.pk,
        can_change=booking.is_active and booking.session.ends_at > now,
    )


def _booking_page(request, template, booking, now, **context):
    """A page about one of a person's bookings: where it stands, and whether cancelling it
    now would be late."""
    return render(
        request,
        template,
        {
            "booking": booking,
            "session": booking.session,
            "position": services.waiting_position(booking),
            "late": booking.cancelling_is_late(now),
            **context,
        },
    )


@login_required
@require_POST
def booking_claim(request, pk):
    """Claim a place offered to you (offer mode), from the booking or session page."""
    booking = selectors.booking_get_for_user(request.user, pk=pk)
    if booking.person_id != request.user.pk:
        raise Http404("No such booking")
    with refusal_as_message(request):
        services.offer_claim(booking=booking, actor=request.user)
        messages.success(request, "The place is yours. We are sending you a calendar invite.")
    return redirect("training:booking", pk=booking.pk)


@login_required
def booking_cancel(request, pk):
    """GET shows what cancelling means; only the POST changes anything."""
    booking = selectors.booking_get_for_user(request.user, pk=pk)
    if booking.person_id != request.user.pk:
        raise Http404("No such booking")
    if request.method == "POST":
        try:
            booking = services.booking_cancel(booking=booking, actor=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect("training:booking", pk=booking.pk)
        if booking.ending == Booking.Ending.LEFT_WAITING_LIST:
            messages.success(request, "You have left the waiting list.")
        elif booking.ending == Booking.Ending.DECLINED_OFFER:
            messages.success(request, "Thank you: the place has been passed on to the next person.")
        else:
            went = outcomes.place_went(booking)
            messages.success(request, f"Your place is cancelled. {went} Thank you for telling us.")
        return redirect("training:my_bookings")
    now = timezone.now()
    return _booking_page(
        request,
        "training/booking_cancel.html",
        booking,
        now,
        place_will_go=outcomes.place_will_go(booking.session),
        over=booking.session.ends_at <= now,
    )


def material_download(request, pk):
    """An uploaded material, served with the course's visibility rules applied."""
    slug = CourseMaterial.objects.filter(pk=pk).values_list("course__slug", flat=True).first() or ""
    material = selectors.material_for_user(
        request.user, pk=pk, invitation=_invitation(request, slug)
    )
    return user_file_response(material.file)


# --- Links from reminders: no sign-in, and a GET never changes anything -----------------


def booking_link_coming(request, token):
    """ "Still coming?" from a reminder. The GET shows the booking and one button; mail
    scanners that follow the link therefore change nothing."""
    return _booking_link(request, token, "coming")


def booking_link_release(request, token):
    """ "I can't come — release my place" from a reminder: the POST cancels the place (a
    late cancellation inside the course's window) and the waiting list's head gets it."""
    return _booking_link(request, token, "release")


class _BadLink(Exception):
    """The link's token was tampered with, expired or meant for something else."""


def _act_on_link(request, token, purpose, act, *, may_act=lambda booking: True):
    """The part every page opened from an e-mail link shares: no sign-in, the token names
    the booking and what it may do, a GET only shows, and one POST runs `act` through a
    service. Returns (booking, done, error); raises _BadLink for a bad token."""
    from guildbook.training.links import BadLink, booking_from_link_token

    try:
        booking = booking_from_link_token(token, purpose)
    except BadLink:
        raise _BadLink from None
    done = error = None
    if request.method == "POST" and may_act(booking):
        try:
            booking = act(booking=booking, actor=booking.person)
            done = purpose
        except ServiceError as exc:
            error = exc.message
        booking.refresh_from_db()
    return booking, done, error


def _booking_link(request, token, purpose):
    act = services.booking_cancel if purpose == "release" else services.booking_confirm_coming
    try:
        booking, done, error = _act_on_link(
            request,
            token,
            purpose,
            act,
            may_act=lambda b: b.status == Booking.Status.CONFIRMED,
        )
    except _BadLink:
        return render(request, "training/booking_link.html", {"bad_link": True}, status=400)
    session = booking.session
    now = timezone.now()
    return render(
        request,
        "training/booking_link.html",
        {
            "went": outcomes.place_went(booking) if done == "release" else "",
            "place_will_go": outcomes.place_will_go(session) if purpose == "release" else "",
            "purpose": purpose,
            "booking": booking,
            "session": session,
            "course": session.course,
            "done": done,
            "error": error,
            "over": session.ends_at <= now,
            "late": booking.cancelling_is_late(now),
        },
        status=200,
    )


# --- Links from offers (offer mode): the same rules — no sign-in, a GET changes nothing ---


def booking_link_claim(request, token):
    """ "Claim my place" from an offer: the POST confirms the place, if it is still there."""
    return _offer_link(request, token, "claim")


def booking_link_decline(request, token):
    """ "No thanks, pass it on": the POST leaves the list and offers the place to the next."""
    return _offer_link(request, token, "decline")


def _offer_link(request, token, purpose):
    from guildbook.training.offers import is_open_claim

    act = services.offer_claim if purpose == "claim" else services.offer_decline
    try:
        booking, done, error = _act_on_link(request, token, purpose, act)
    except _BadLink:
        return render(request, "training/offer_link.html", {"bad_link": True}, status=400)
    session = booking.session  # loaded afresh by refresh_from_db after an action
    now = timezone.now()
    open_claim = (
        booking.status == Booking.Status.WAITING
        and purpose == "claim"
        and is_open_claim(session.starts_at, now)
        and session.places_taken < session.capacity
    )
    offered = booking.status == Booking.Status.OFFERED and booking.offer_expires_at > now
    return render(
        request,
        "training/offer_link.html",
        {
            "purpose": purpose,
            "booking": booking,
            "session": session,
            "course": session.course,
            "done": done,
            "error": error,
            "can_act": (offered or open_claim) and not session.is_cancelled and not done,
            "open_claim": open_claim,
            "position": services.waiting_position(booking),
        },
        status=409 if error else 200,
    )
