"""A person's own view of what Guildbook has sent them. Domain-free: it lists outbox rows."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from guildbook.notifications import selectors


@login_required
def messages_sent(request):
    """ "Messages we have sent you": subject, kind and time of each e-mail, newest first."""
    return render(
        request,
        "notifications/messages_sent.html",
        {"sent": list(selectors.messages_sent_to(user=request.user, limit=200))},
    )
