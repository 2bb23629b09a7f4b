"""Administrators: upload past sessions and bookings (the same import as
`guildbook import_history`, through the same service)."""

from django.shortcuts import render

from guildbook.core import roles
from guildbook.core.errors import ServiceError
from guildbook.training.history import COLUMNS, OUTCOMES, history_import

MAX_BYTES = 50 * 1024 * 1024


administrator_required = roles.role_required(roles.is_administrator)


@administrator_required
def import_history(request):
    context = {"columns": COLUMNS, "outcomes": OUTCOMES, "result": None, "problem": ""}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["problem"] = "Choose a CSV file to import."
        elif upload.size > MAX_BYTES:
            context["problem"] = "The file is larger than 50 MB; split it and import each part."
        else:
            try:
                text = upload.read().decode("utf-8-sig")
                context["result"] = history_import(text=text, actor=request.user)
            except UnicodeDecodeError:
                context["problem"] = "The file is not UTF-8 text; save it as “CSV UTF-8”."
            except ServiceError as exc:
                context["problem"] = exc.message
    return render(request, "training/manage/import_history.html", context)
