"""The outreach log's pages, for trainers and staff development officers (anyone else gets
a 404): the log, an entry with its follow-ups, closed sessions and what followed (panels from
apps above training, outreach.py), adding, editing and deleting, and scheduling a closed
session for the entry's team (trainers). Every POST goes through services/outreach.py."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from guildbook.core import roles
from guildbook.core.forms import form_page, refusal_on_form
from guildbook.core.timefmt import format_date, format_span
from guildbook.training import outreach, selectors, services
from guildbook.training.forms.outreach import FollowUpForm, OutreachForm, OutreachSessionForm
from guildbook.training.models import OutreachFollowUp
from guildbook.training.roles import outreach_required
from guildbook.training.views.manage.common import posted_data


@outreach_required
def outreach_list(request):
    entries = list(selectors.outreach_entries(request.user))
    return render(request, "training/outreach/list.html", {"entries": entries})


@outreach_required
def outreach_entry(request, pk):
    entry = selectors.outreach_entry_for_user(request.user, pk=pk)
    return _entry_page(request, entry, FollowUpForm())


def _entry_page(request, entry, follow_up_form, status=200):
    sessions = [
        (s, request.build_absolute_uri(s.get_absolute_url()))
        for s in sorted(entry.sessions.all(), key=lambda s: s.starts_at)
    ]
    return render(
        request,
        "training/outreach/entry.html",
        {
            "entry": entry,
            "sessions": sessions,
            "follow_up_form": follow_up_form,
            "panels": outreach.panels(request.user, entry),
            "can_schedule": roles.is_trainer(request.user),
        },
        status=status,
    )


def _form_page(request, entry=None):
    initial = OutreachForm.initial_for(entry) if entry else None
    form = OutreachForm(posted_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        with refusal_on_form(form):
            if entry is None:
                entry = services.outreach_create(actor=request.user, **form.service_fields())
                messages.success(request, "Outreach logged.")
            else:
                services.outreach_update(entry=entry, actor=request.user, **form.service_fields())
                messages.success(request, "Outreach entry saved.")
            return redirect("training:outreach_entry", pk=entry.pk)
    return form_page(
        request,
        "training/outreach/form.html",
        {"form": form, "entry": entry},
        form=form,
    )


@outreach_required
def outreach_create(request):
    return _form_page(request)


@outreach_required
def outreach_edit(request, pk):
    return _form_page(request, selectors.outreach_entry_for_user(request.user, pk=pk))


@outreach_required
def outreach_delete(request, pk):
    entry = selectors.outreach_entry_for_user(request.user, pk=pk)
    if request.method == "POST":
        services.outreach_delete(entry=entry, actor=request.user)
        messages.success(
            request,
            f"The outreach entry for {entry.who} on {format_date(entry.date)} was deleted.",
        )
        return redirect("training:outreach")
    return render(request, "training/outreach/delete.html", {"entry": entry})


@outreach_required
@require_POST
def outreach_follow_up_add(request, pk):
    entry = selectors.outreach_entry_for_user(request.user, pk=pk)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        with refusal_on_form(form):
            services.outreach_follow_up_add(
                entry=entry,
                actor=request.user,
                text=form.cleaned_data["text"],
                due_on=form.cleaned_data["due_on"],
            )
            messages.success(request, "Follow-up added.")
            return redirect("training:outreach_entry", pk=entry.pk)
    return _entry_page(request, entry, form, status=400)


@outreach_required
@require_POST
def outreach_follow_up(request, pk):
    """Mark a follow-up done or not done, or delete it (the button pressed says which)."""
    follow_up = get_object_or_404(OutreachFollowUp.objects.select_related("entry"), pk=pk)
    action = request.POST.get("action")
    if action == "delete":
        services.outreach_follow_up_delete(follow_up=follow_up, actor=request.user)
        messages.success(request, f"Follow-up “{follow_up.text}” deleted.")
    elif action in ("done", "not_done"):
        services.outreach_follow_up_set_done(
            follow_up=follow_up, actor=request.user, done=action == "done"
        )
        state = "done" if action == "done" else "not done"
        messages.success(request, f"Follow-up “{follow_up.text}” marked {state}.")
    else:
        raise Http404("No such action")
    return redirect("training:outreach_entry", pk=follow_up.entry_id)


@outreach_required
def outreach_session_create(request, pk):
    """Schedule a closed session for the entry's team (trainers; officers get a 404)."""
    if not roles.is_trainer(request.user):
        raise Http404("Not found")
    entry = selectors.outreach_entry_for_user(request.user, pk=pk)
    form = OutreachSessionForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        with refusal_on_form(form):
            session = services.outreach_session_create(
                entry=entry,
                actor=request.user,
                course=form.cleaned_data["course"],
                **form.session_details(),
            )
            messages.success(
                request,
                f"Closed session scheduled for {format_span(session.starts_at, session.ends_at)}."
                f" Share its link with the {entry.who} team: only they can book it.",
            )
            return redirect("training:outreach_entry", pk=entry.pk)
    return form_page(
        request,
        "training/outreach/session_form.html",
        {"form": form, "entry": entry},
        form=form,
    )
