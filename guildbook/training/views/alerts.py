""" "Tell me when booking opens": the two buttons on a session page (alerts.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from guildbook.core.errors import ServiceError
from guildbook.core.timefmt import format_date, format_time
from guildbook.training import alerts
from guildbook.training.views.public import _load_session


@login_required
@require_POST
def alert_create(request, pk):
    session = _load_session(request, pk)
    try:
        alerts.booking_alert_create(session=session, person=request.user, actor=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
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
