"""The development mailbox page: every e-mail Guildbook has sent under `make run`, for staff.

A 404 unless the mailbox is set (development) and the person is staff. A message's HTML is
served on its own with a policy that forbids scripts, plugins and every outside resource,
and shown in a sandboxed frame, so a message can never act on the page around it.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.clickjacking import xframe_options_sameorigin

from guildbook.notifications import dev_mailbox

# Only what an e-mail's HTML needs to look as it will: its own inline styles and images.
_HTML_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'; sandbox"
)


def _mail_or_404(request, name: str):
    if dev_mailbox.mailbox_dir() is None or not request.user.is_staff:
        raise Http404
    if name is None:
        return None
    mail = dev_mailbox.kept_mail_get(name)
    if mail is None:
        raise Http404
    return mail


@login_required
def mailbox(request):
    _mail_or_404(request, None)
    return render(
        request,
        "notifications/dev_mailbox.html",
        {"kept": dev_mailbox.kept_mail(), "folder": dev_mailbox.mailbox_dir()},
    )


@login_required
def mailbox_message(request, name: str):
    mail = _mail_or_404(request, name)
    return render(request, "notifications/dev_mailbox_message.html", {"mail": mail})


@login_required
@xframe_options_sameorigin
def mailbox_html(request, name: str):
    mail = _mail_or_404(request, name)
    response = HttpResponse(mail.html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = _HTML_POLICY
    response._csp_exempt = True  # (django-csp would put the site's own policy in its place)
    return response


@login_required
def mailbox_attachment(request, name: str, number: int):
    mail = _mail_or_404(request, name)
    found = mail.attachment(number)
    if found is None:
        raise Http404
    filename, content_type, content = found
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
