"""Pages for trainers: sessions, bookings, the register."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from guildbook.core import roles
from guildbook.training import selectors


def trainer_required(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        if not roles.is_trainer(request.user):
            raise Http404("Not found")
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@trainer_required
def manage(request):
    now = timezone.now()
    sessions = selectors.sessions_with_counts(selectors.upcoming_sessions(now=now)).order_by(
        "starts_at", "id"
    )[:50]
    return render(request, "training/manage/dashboard.html", {"sessions": sessions})
