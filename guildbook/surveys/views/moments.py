"""Trainers' pages for a course's survey moments: when each survey goes, with which
questions, its reminder and close, anonymity, an external link, and the message to
no-shows. Reached from the course's page in Run training. Thin: every change goes through
the services, whose refusals show beside the field they name.
"""

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from guildbook.core.forms import form_page, posted_data, refusal_on_form
from guildbook.surveys import services
from guildbook.surveys.forms.moments import MomentForm
from guildbook.surveys.models import SurveyMoment
from guildbook.training import selectors as training_selectors
from guildbook.training.roles import trainer_required

FIELDS = services.MOMENT_FIELDS


def _course(request, slug):
    return training_selectors.course_get_for_user(request.user, slug=slug)


def _moment(course, pk) -> SurveyMoment:
    moment = SurveyMoment.objects.select_related("template").filter(course=course, pk=pk).first()
    if moment is None:
        raise Http404("No such survey")
    return moment


@trainer_required
def moment_list(request, slug):
    course = _course(request, slug)
    moments = list(
        SurveyMoment.objects.filter(course=course)
        .select_related("template")
        .annotate(
            invited=Count("invitations", filter=Q(invitations__status="scheduled")),
            answered=Count(
                "invitations",
                filter=Q(invitations__status="scheduled", invitations__answered_at__isnull=False),
            ),
        )
        .order_by("-active", "days_after", "id")
    )
    return render(request, "surveys/moments/list.html", {"course": course, "moments": moments})


def _form_page(request, course, moment=None):
    form = MomentForm(
        posted_data(request),
        instance=moment or SurveyMoment(course=course),
    )
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in FIELDS}
        values["external_url"] = (values["external_url"] or "").strip()
        with refusal_on_form(form):
            if moment is None:
                services.moment_create(course=course, actor=request.user, **values)
                messages.success(request, _("The survey was added."))
            else:
                services.moment_update(moment=moment, actor=request.user, **values)
                messages.success(request, _("The survey was saved."))
            return redirect("surveys:manage_moments", slug=course.slug)
    return form_page(
        request,
        "surveys/moments/form.html",
        {"course": course, "moment": moment, "form": form},
        form=form,
    )


@trainer_required
@require_http_methods(["GET", "POST"])
def moment_create(request, slug):
    return _form_page(request, _course(request, slug))


@trainer_required
@require_http_methods(["GET", "POST"])
def moment_edit(request, slug, pk):
    course = _course(request, slug)
    return _form_page(request, course, _moment(course, pk))


@trainer_required
@require_http_methods(["GET", "POST"])
def moment_remove(request, slug, pk):
    course = _course(request, slug)
    moment = _moment(course, pk)
    if request.method == "POST":
        deleted = services.moment_remove(moment=moment, actor=request.user)
        messages.success(
            request,
            _("The survey was removed.")
            if deleted
            else _(
                "The survey was stopped: nobody more will be invited, and its answers stay "
                "in the results."
            ),
        )
        return redirect("surveys:manage_moments", slug=course.slug)
    return render(
        request,
        "surveys/moments/remove.html",
        {
            "course": course,
            "moment": moment,
            "invited": moment.invitations.filter(status="scheduled").count(),
        },
    )
