"""Skills audit pages: audits side by side, rating an audit, a gap turned into a goal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_POST

from guildbook.core.errors import ServiceError
from guildbook.portfolios import selectors, services
from guildbook.portfolios.models import SkillsFramework
from guildbook.qualifications import selectors as qualification_selectors
from guildbook.qualifications.models import Candidacy


def _framework(request) -> SkillsFramework:
    slug = request.GET.get("framework") or request.POST.get("framework") or "cilip-pksb"
    framework = SkillsFramework.objects.filter(slug=slug).first()
    return framework or get_object_or_404(SkillsFramework.objects.order_by("pk")[:1])


@login_required
def skills(request):
    framework = _framework(request)
    audits, rows = selectors.audit_grid(request.user, framework)
    if request.method == "POST":
        taken_on = parse_date(request.POST.get("taken_on", "")) or timezone.localdate()
        try:
            audit = services.audit_start(
                person=request.user,
                framework=framework,
                name=request.POST.get("name", ""),
                taken_on=taken_on,
                actor=request.user,
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("portfolios:skills_audit", pk=audit.pk)
    return render(
        request,
        "portfolios/skills.html",
        {
            "framework": framework,
            "frameworks": SkillsFramework.objects.all(),
            "audits": audits,
            "rows": rows,
            "today": timezone.localdate(),
            "next_name": ("Start", "Middle", "End")[min(len(audits), 2)],
        },
    )


@login_required
def skills_audit(request, pk):
    audit = selectors.audit_for_user(request.user, pk=pk)
    ratings = list(audit.ratings.all())
    evidence = list(selectors.evidence_of(request.user).only("pk", "number", "title"))
    errors = {}
    if request.method == "POST":
        by_number = {str(e.pk): e for e in evidence}
        # The whole audit or none of it: a rating refused rolls back the others.
        with transaction.atomic():
            for rating in ratings:
                p = f"r{rating.pk}-"
                try:
                    services.rating_set(
                        rating=rating,
                        actor=request.user,
                        current=request.POST.get(p + "current"),
                        target=request.POST.get(p + "target"),
                        justification=request.POST.get(p + "justification", ""),
                        evidence=by_number.get(request.POST.get(p + "evidence", "")),
                    )
                except ServiceError as exc:
                    errors[rating.pk] = exc.message
            if errors:
                transaction.set_rollback(True)
        if not errors:
            messages.success(request, f"Your {audit.name.lower()} audit is saved.")
            return redirect("portfolios:skills_audit", pk=audit.pk)
        audit = selectors.audit_for_user(request.user, pk=pk)
        ratings = list(audit.ratings.all())
    gaps = [r for r in ratings if r.is_gap]
    courses = selectors.courses_for_areas([r.area_id for r in gaps])
    candidacies = [c for c in qualification_selectors.my_candidacies(request.user) if c.is_open]
    return render(
        request,
        "portfolios/skills_audit.html",
        {
            "audit": audit,
            "framework": audit.framework,
            "scale": list(enumerate(audit.framework.labels)),
            "ratings": [(r, errors.get(r.pk)) for r in ratings],
            "errors": errors,
            "evidence": evidence,
            "gaps": [(g, courses.get(g.area_id, [])) for g in gaps],
            "candidacies": candidacies,
        },
    )


@login_required
@require_POST
def skills_gap_goal(request, pk):
    rating = selectors.rating_for_user(request.user, pk=pk)
    candidacy = get_object_or_404(
        Candidacy, pk=request.POST.get("candidacy") or 0, person=request.user
    )
    try:
        goal = services.gap_to_goal(rating=rating, candidacy=candidacy, actor=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"“{goal.what}” is a goal in your {candidacy.scheme.name} development plan."
        )
    return redirect("portfolios:skills_audit", pk=rating.audit_id)
