"""The candidate's pages: the dashboard, a scheme, the journey, finding a mentor, the
development plan and funding requests. Thin: reads through selectors (another person's
candidacy is a 404), writes through services, whose refusals show beside their field."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from guildbook.core.forms import form_page, posted_data, refusal_on_form
from guildbook.core.views import refusal_as_message
from guildbook.qualifications import forms, selectors, services
from guildbook.qualifications.models import FundingRequest, Goal, PlannedActivity


def _back(candidacy, anchor: str = "") -> HttpResponseRedirect:
    url = redirect("qualifications:candidacy", pk=candidacy.pk).url
    return HttpResponseRedirect(url + (f"#{anchor}" if anchor else ""))


@login_required
def home(request):
    candidacies = selectors.my_candidacies(request.user)
    open_codes = {c.scheme.code for c in candidacies if c.is_open}
    return render(
        request,
        "qualifications/home.html",
        {
            "candidacies": candidacies,
            "current": [c for c in candidacies if c.is_open],
            "past": [c for c in candidacies if not c.is_open],
            "schemes": list(selectors.schemes_open()),
            "open_codes": open_codes,
            "mentor_profile": selectors.mentor_profile_of(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def scheme(request, slug):
    scheme = selectors.scheme_get(slug=slug)
    form = forms.StartForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        with refusal_on_form(form):
            candidacy = services.candidacy_start(
                person=request.user,
                scheme=scheme,
                actor=request.user,
                target_date=form.cleaned_data["target_date"],
                membership_number=form.cleaned_data["membership_number"],
            )
            messages.success(request, _("Your candidacy has started. Here is your journey."))
            return redirect("qualifications:candidacy", pk=candidacy.pk)
    return form_page(
        request,
        "qualifications/scheme.html",
        {"scheme": scheme, "form": form, "reading": selectors.reading_for(scheme)},
        form=form,
    )


@login_required
def candidacy(request, pk):
    candidacy = selectors.candidacy_for_user(request.user, pk=pk)
    context = selectors.candidacy_page(candidacy)
    mentoring = context["mentoring"]
    own = candidacy.person_id == request.user.pk
    is_mentor = mentoring is not None and mentoring.mentor.user_id == request.user.pk
    context.update(
        own=own,
        is_mentor=is_mentor,
        can_log=mentoring is not None and candidacy.is_open and (own or is_mentor),
        reading=selectors.reading_for(candidacy.scheme),
        fees=[
            (FundingRequest.Fee.ENROLMENT, candidacy.scheme.enrolment_fee),
            (FundingRequest.Fee.SUBMISSION, candidacy.scheme.submission_fee),
        ],
        today=timezone.localdate(),
    )
    return render(request, "qualifications/candidacy.html", context)


@login_required
@require_POST
def step(request, pk, code):
    candidacy = selectors.candidacy_own(request.user, pk=pk)
    with refusal_as_message(request):
        services.candidacy_step_set(
            candidacy=candidacy,
            code=code,
            done=request.POST.get("done") == "1",
            note=request.POST.get("note", ""),
            actor=request.user,
        )
    return _back(candidacy, "journey")


@login_required
@require_POST
def outcome(request, pk):
    candidacy = selectors.candidacy_own(request.user, pk=pk)
    with refusal_as_message(request):
        services.candidacy_outcome(
            candidacy=candidacy, awarded=request.POST.get("awarded") == "1", actor=request.user
        )
    return _back(candidacy, "journey")


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request, pk):
    candidacy = selectors.candidacy_own(request.user, pk=pk)
    form = forms.WithdrawForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        with refusal_on_form(form):
            services.candidacy_withdraw(
                candidacy=candidacy, actor=request.user, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("You have withdrawn. Your journey stays here to read."))
            return _back(candidacy)
    return render(request, "qualifications/withdraw.html", {"candidacy": candidacy, "form": form})


# --- Finding a mentor -------------------------------------------------------------------


def _directory(request, *, candidacy=None):
    choices = selectors.directory_choices()
    form = forms.DirectoryFilterForm(request.GET or None, choices=choices)
    filters = form.cleaned_data if form.is_valid() else {}
    remote = {"yes": True, "no": False}.get(filters.get("remote") or "")
    mentors = list(
        selectors.mentor_directory(
            sector=filters.get("sector") or "",
            region=filters.get("region") or "",
            specialism=filters.get("specialism") or "",
            remote=remote,
            exclude_user=request.user,
        )
    )
    return render(
        request,
        "qualifications/directory.html",
        {"form": form, "mentors": mentors, "candidacy": candidacy},
    )


@login_required
def directory(request):
    return _directory(request)


@login_required
def find_mentor(request, pk):
    candidacy = selectors.candidacy_own(request.user, pk=pk)
    return _directory(request, candidacy=candidacy)


@login_required
@require_http_methods(["GET", "POST"])
def request_mentor(request, pk, mentor_pk):
    candidacy = selectors.candidacy_own(request.user, pk=pk)
    mentor = selectors.mentor_listed(pk=mentor_pk)
    form = forms.MentorRequestForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        with refusal_on_form(form):
            services.mentor_request_create(
                candidacy=candidacy,
                mentor=mentor,
                actor=request.user,
                message=form.cleaned_data["message"],
            )
            messages.success(
                request,
                _("Your request has gone to %(name)s.") % {"name": mentor.user.display_name},
            )
            return _back(candidacy, "mentor")
    return form_page(
        request,
        "qualifications/request_form.html",
        {"candidacy": candidacy, "mentor": mentor, "form": form},
        form=form,
    )


@login_required
@require_POST
def request_withdraw(request, pk):
    mentor_request = selectors.request_of_candidate(request.user, pk=pk)
    with refusal_as_message(request):
        services.mentor_request_withdraw(request=mentor_request, actor=request.user)
    return _back(mentor_request.candidacy, "mentor")


# --- The development plan ---------------------------------------------------------------


def _goal_own(user, pk) -> Goal:
    goal = (
        Goal.objects.select_related("plan__candidacy__scheme")
        .filter(pk=pk, plan__candidacy__person=user)
        .first()
    )
    if goal is None or not user.is_authenticated:
        raise Http404("No such goal")
    return goal


def _goal_page(request, candidacy, goal=None):
    criteria = candidacy.scheme.criteria.all()
    initial = None
    if goal is not None:
        initial = {
            "what": goal.what,
            "measure": goal.measure,
            "target_date": goal.target_date,
            "status": goal.status,
            "criteria": [c.code for c in goal.criteria.all()],
        }
    form = forms.GoalForm(posted_data(request), initial=initial, criteria=criteria)
    if request.method == "POST" and form.is_valid():
        with refusal_on_form(form):
            services.goal_save(
                candidacy=candidacy, actor=request.user, goal=goal, **form.cleaned_data
            )
            messages.success(request, _("The goal was saved."))
            return _back(candidacy, "plan")
    return form_page(
        request,
        "qualifications/goal_form.html",
        {"candidacy": candidacy, "goal": goal, "form": form, "activity_form": _activity_form()},
        form=form,
    )


def _courses():
    from guildbook.training.models import Course

    return Course.objects.filter(status="active").exclude(visibility="closed").order_by("title")


def _activity_form(data=None):
    return forms.ActivityForm(data, courses=_courses())


@login_required
@require_http_methods(["GET", "POST"])
def goal_new(request, pk):
    candidacy = selectors.candidacy_own(request.user, pk=pk)
    return _goal_page(request, candidacy)


@login_required
@require_http_methods(["GET", "POST"])
def goal_edit(request, pk):
    goal = _goal_own(request.user, pk)
    return _goal_page(request, goal.plan.candidacy, goal)


@login_required
@require_POST
def activity_new(request, pk):
    goal = _goal_own(request.user, pk)
    form = _activity_form(request.POST)
    if form.is_valid():
        course = None
        if form.cleaned_data["course"]:
            course = _courses().filter(pk=form.cleaned_data["course"]).first()
        with refusal_as_message(request):
            services.activity_add(
                goal=goal,
                actor=request.user,
                description=form.cleaned_data["description"],
                course=course,
            )
            messages.success(request, _("The activity was added to your plan."))
    return _back(goal.plan.candidacy, "plan")


@login_required
@require_http_methods(["GET", "POST"])
def activity_book(request, pk):
    from guildbook.training import selectors as training_selectors

    activity = (
        PlannedActivity.objects.select_related("goal__plan__candidacy", "course", "booking")
        .filter(pk=pk, goal__plan__candidacy__person=request.user, course__isnull=False)
        .first()
    )
    if activity is None:
        raise Http404("No such activity")
    candidacy = activity.goal.plan.candidacy
    sessions = list(
        training_selectors.sessions_with_counts(
            training_selectors.sessions_of_course(activity.course, upcoming=True)
        )
    )
    if request.method == "POST":
        session = next((s for s in sessions if str(s.pk) == request.POST.get("session")), None)
        if session is None:
            messages.error(request, _("Choose one of the dates listed."))
        else:
            with refusal_as_message(request):
                services.activity_book(activity=activity, session=session, actor=request.user)
                booking = activity.booking
                text = (
                    _("You have a place on %(course)s.")
                    if booking.status == "confirmed"
                    else _("%(course)s is full: you are on the waiting list.")
                )
                messages.success(request, text % {"course": activity.course.title})
                return _back(candidacy, "plan")
    return render(
        request,
        "qualifications/activity_book.html",
        {"activity": activity, "candidacy": candidacy, "sessions": sessions},
    )


# --- Funding ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def funding_new(request, pk):
    candidacy = selectors.candidacy_own(request.user, pk=pk)
    scheme = candidacy.scheme
    fees = [
        (code, f"{label} ({selectors.pounds(amount)})")
        for code, label, amount in (
            ("enrolment", _("Enrolment fee"), scheme.enrolment_fee),
            ("submission", _("Submission fee"), scheme.submission_fee),
        )
        if amount
    ]
    form = forms.FundingForm(posted_data(request), fees=fees)
    if request.method == "POST" and form.is_valid():
        with refusal_on_form(form):
            services.funding_request_create(
                candidacy=candidacy,
                fee=form.cleaned_data["fee"],
                justification=form.cleaned_data["justification"],
                actor=request.user,
            )
            messages.success(
                request,
                _("Your request has gone to Staff Development, with your training record."),
            )
            return _back(candidacy, "funding")
    return form_page(
        request,
        "qualifications/funding_form.html",
        {"candidacy": candidacy, "form": form, "fees": fees},
        form=form,
    )
