"""The mentor's pages: signing up and keeping the profile current, answering requests, and
for a current mentee: logging meetings, commenting on goals, agreeing the plan and the
completion form. Only the candidate's current mentor reaches the writing pages (404 for
everyone else)."""

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
from guildbook.qualifications.models import Action, Goal, MentorRequest


def _back(pk: int, anchor: str = "") -> HttpResponseRedirect:
    url = redirect("qualifications:candidacy", pk=pk).url
    return HttpResponseRedirect(url + (f"#{anchor}" if anchor else ""))


@login_required
def mentor_home(request):
    profile = selectors.mentor_profile_of(request.user)
    if profile is None:
        raise Http404("Not a mentor")
    return render(
        request,
        "qualifications/mentor_home.html",
        {"profile": profile, **selectors.mentor_home(profile)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def mentor_profile(request):
    profile = selectors.mentor_profile_of(request.user)
    initial = {"capacity": 1, "remote": True, "listed": True}
    if profile is not None:
        initial = {
            "region": profile.region,
            "sector": profile.sector,
            "specialisms": "; ".join(profile.specialisms),
            "remote": profile.remote,
            "capacity": profile.capacity,
            "bio": profile.bio,
            "listed": profile.listed,
        }
    form = forms.MentorProfileForm(posted_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        with refusal_on_form(form):
            services.mentor_profile_save(user=request.user, actor=request.user, **form.cleaned_data)
            messages.success(
                request,
                _("Your mentor profile was saved.")
                if profile
                else _("Welcome to the mentor directory."),
            )
            return redirect("qualifications:mentor_home")
    return form_page(
        request,
        "qualifications/mentor_profile.html",
        {"profile": profile, "form": form},
        form=form,
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_answer(request, pk):
    mentor_request = selectors.request_for_mentor(request.user, pk=pk)
    form = forms.DecisionForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        with refusal_on_form(form):
            if request.POST.get("answer") == "accept":
                services.mentor_request_accept(request=mentor_request, actor=request.user)
                messages.success(request, _("You have accepted. The candidate has been told."))
                return _back(mentor_request.candidacy_id)
            services.mentor_request_decline(
                request=mentor_request, actor=request.user, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("You have declined. The candidate has been told."))
            return redirect("qualifications:mentor_home")
    return form_page(
        request,
        "qualifications/request_answer.html",
        {"mentor_request": mentor_request, "form": form},
        form=form,
    )


def _candidacy_of_mentee_or_candidate(user, pk):
    """A candidacy whose meeting log this user may write: the candidate, or the mentor."""
    candidacy = selectors.candidacy_for_user(user, pk=pk)
    if candidacy.person_id == user.pk:
        return candidacy
    candidacy, _mentoring = selectors.candidacy_as_mentor(user, pk=pk)
    return candidacy


@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request, pk):
    candidacy = _candidacy_of_mentee_or_candidate(request.user, pk)
    post = posted_data(request)
    form = forms.MeetingForm(post, initial={"held_on": timezone.localdate()})
    actions = forms.ActionFormSet(post, prefix="actions")
    if request.method == "POST" and form.is_valid() and actions.is_valid():
        rows = [a.cleaned_data for a in actions if a.cleaned_data.get("text")]
        with refusal_on_form(form):
            services.meeting_log(
                candidacy=candidacy,
                actor=request.user,
                held_on=form.cleaned_data["held_on"],
                notes=form.cleaned_data["notes"],
                actions=rows,
            )
            messages.success(request, _("The meeting was logged."))
            return _back(candidacy.pk, "meetings")
    return form_page(
        request,
        "qualifications/meeting_form.html",
        {"candidacy": candidacy, "form": form, "actions": actions},
        form=form,
    )


@login_required
@require_POST
def action_done(request, pk):
    action = (
        Action.objects.select_related("candidacy")
        .filter(pk=pk, candidacy__in=selectors.candidacies_visible_to(request.user))
        .first()
    )
    if action is None:
        raise Http404("No such action")
    is_candidate = action.candidacy.person_id == request.user.pk
    is_mentor = MentorRequest.objects.filter(
        candidacy=action.candidacy, mentor__user=request.user, status="accepted"
    ).exists()
    if not (is_candidate or is_mentor):
        raise Http404("No such action")
    with refusal_as_message(request):
        services.action_set_done(
            action=action, actor=request.user, done=request.POST.get("done") != "0"
        )
    return _back(action.candidacy_id, "meetings")


@login_required
@require_POST
def goal_comment(request, pk):
    goal = Goal.objects.select_related("plan__candidacy").filter(pk=pk).first()
    if goal is None:
        raise Http404("No such goal")
    selectors.candidacy_as_mentor(request.user, pk=goal.plan.candidacy_id)
    form = forms.CommentForm(request.POST)
    if form.is_valid():
        services.goal_comment(goal=goal, actor=request.user, comment=form.cleaned_data["comment"])
        messages.success(request, _("Your comment was saved."))
    return _back(goal.plan.candidacy_id, "plan")


@login_required
@require_POST
def plan_agree(request, pk):
    candidacy, _mentoring = selectors.candidacy_as_mentor(request.user, pk=pk)
    with refusal_as_message(request):
        services.plan_agree(candidacy=candidacy, actor=request.user)
        messages.success(request, _("The plan is agreed."))
    return _back(candidacy.pk, "plan")


@login_required
@require_http_methods(["GET", "POST"])
def completion(request, pk):
    candidacy, mentoring = selectors.candidacy_as_mentor(request.user, pk=pk)
    prefill = selectors.completion_prefill(candidacy, mentoring.mentor)
    form = forms.CompletionForm(
        posted_data(request),
        initial={"summary": prefill["summary"]},
    )
    if request.method == "POST" and form.is_valid():
        with refusal_on_form(form):
            services.mentor_report_submit(
                candidacy=candidacy, actor=request.user, summary=form.cleaned_data["summary"]
            )
            messages.success(request, _("Thank you: your completion form is in."))
            return _back(candidacy.pk, "meetings")
    return form_page(
        request,
        "qualifications/completion.html",
        {"candidacy": candidacy, "form": form, "prefill": prefill},
        form=form,
    )
