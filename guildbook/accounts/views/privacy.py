"""Your data (the one-click export), a subject access export for staff development officers,
and erasure for administrators."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from guildbook.accounts import privacy
from guildbook.accounts.models import User
from guildbook.core import roles
from guildbook.core.errors import ServiceError
from guildbook.core.privacy import exporters


def _zip(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def your_data(request):
    return render(request, "accounts/your_data.html", {"parts": exporters()})


@login_required
def your_data_download(request):
    return _zip(*privacy.personal_data_export(person=request.user, actor=request.user))


@login_required
def subject_access_export(request, pk):
    """For a subject access request: the same file the person would download themselves."""
    if not roles.can_view_records(request.user):
        raise Http404("No such person")
    person = get_object_or_404(User, pk=pk)
    return _zip(*privacy.personal_data_export(person=person, actor=request.user))


@login_required
def erase(request, pk):
    if not request.user.is_superuser:
        raise Http404("No such person")
    person = get_object_or_404(User, pk=pk)
    error = None
    if request.method == "POST":
        if request.POST.get("confirm_email", "").strip().lower() != person.email:
            error = "Type the person's e-mail address exactly, to confirm."
        else:
            try:
                privacy.person_erase(person=person, actor=request.user)
            except ServiceError as exc:
                error = exc.message
            else:
                messages.success(request, "The person has been erased.")
                return redirect(reverse("admin:accounts_user_changelist"))
    return render(
        request,
        "accounts/erase_confirm.html",
        {
            "person": person,
            "error": error,
            "remove_answers": settings.ERASURE_NAMED_ANSWERS == "remove",
        },
        status=400 if error else 200,
    )
