"""The training record: every course a person booked and attended, with hours."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render

from guildbook.core import roles
from guildbook.training import selectors


@login_required
def my_record(request):
    return _record(request, request.user)


@login_required
def person_record(request, pk):
    person = selectors.person_for_record(request.user, pk=pk)
    return _record(request, person)


def _record(request, person):
    bookings = list(selectors.training_record(person))
    attended = [b for b in bookings if b.attendance == "attended"]
    hours = sum(b.session.duration_minutes for b in attended) / 60
    return render(
        request,
        "training/record.html",
        {
            "person": person,
            "bookings": bookings,
            "attended_count": len(attended),
            "hours": hours,
            "own": person.pk == request.user.pk,
        },
    )


@login_required
def people(request):
    if not roles.can_view_records(request.user):
        raise Http404("Not found")
    from guildbook.accounts.models import User

    q = request.GET.get("q", "").strip()
    qs = User.objects.filter(is_active=True).order_by("name", "email")
    if q:
        qs = qs.filter(
            Q(name__icontains=q)
            | Q(email__icontains=q)
            | Q(team__icontains=q)
            | Q(organisation__icontains=q)
        )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "training/people.html", {"page": page, "q": q})
