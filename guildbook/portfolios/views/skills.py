"""Skills audit pages: audits side by side, rating an audit, a gap turned into a goal; and
the mentor's pages, where a mentor adds their own rating beside their mentee's."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from guildbook.core.errors import ServiceError
from guildbook.core.forms import DATE_ERROR, DATE_HINT, parse_date
from guildbook.core.views import refusal_as_message
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
    typed_date, date_error = "", ""
    if request.method == "POST":
        typed_date = request.POST.get("taken_on", "").strip()[:40]
        taken_on = parse_date(typed_date) if typed_date else timezone.localdate()
        if taken_on is None:
            date_error = DATE_ERROR
        else:
            with refusal_as_message(request):
                audit = services.audit_start(
                    person=request.user,
                    framework=framework,
                    name=request.POST.get("name", ""),
                    taken_on=taken_on,
                    actor=request.user,
                )
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
            "typed_date": typed_date,
            "date_error": date_error,
            "date_hint": DATE_HINT,
            "next_name": ("Start", "Middle", "End")[min(len(audits), 2)],
        },
        status=400 if date_error else 200,
    )


def _save_every_rating(ratings, rate) -> dict[int, str]:
    """Call `rate(rating, field prefix)` for every rating, the whole audit or none of it: a
    rating refused rolls back the others. Answers the refusals by rating id."""
    errors = {}
    with transaction.atomic():
        for rating in ratings:
            try:
                rate(rating, f"r{rating.pk}-")
            except ServiceError as exc:
                errors[rating.pk] = exc.message
        if errors:
            transaction.set_rollback(True)
    return errors


@login_required
def skills_audit(request, pk):
    audit = selectors.audit_for_user(request.user, pk=pk)
    ratings = list(audit.ratings.all())
    evidence = list(selectors.evidence_of(request.user).only("pk", "number", "title"))
    errors = {}
    if request.method == "POST":
        by_number = {str(e.pk): e for e in evidence}

        def rate(rating, p):
            services.rating_set(
                rating=rating,
                actor=request.user,
                current=request.POST.get(p + "current"),
                target=request.POST.get(p + "target"),
                justification=request.POST.get(p + "justification", ""),
                evidence=by_number.get(request.POST.get(p + "evidence", "")),
            )

        errors = _save_every_rating(ratings, rate)
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
    with refusal_as_message(request):
        goal = services.gap_to_goal(rating=rating, candidacy=candidacy, actor=request.user)
        messages.success(
            request, f"“{goal.what}” is a goal in your {candidacy.scheme.name} development plan."
        )
    return redirect("portfolios:skills_audit", pk=rating.audit_id)


# --- The mentor's pages ------------------------------------------------------------------


@login_required
def mentor_skills(request, pk):
    """The mentee's audits side by side, for the mentor of a shared portfolio (the candidate
    is sent to their own)."""
    candidacy, is_candidate = selectors.portfolio_for_user(request.user, pk=pk)
    if is_candidate:
        return redirect("portfolios:skills")
    framework = _framework(request)
    audits, rows = selectors.audit_grid(candidacy.person, framework)
    return render(
        request,
        "portfolios/mentor_skills.html",
        {
            "candidacy": candidacy,
            "framework": framework,
            "frameworks": SkillsFramework.objects.all(),
            "audits": audits,
            "rows": rows,
        },
    )


def _posted_value(request, name, stored, errors):
    if not errors:
        return stored
    try:
        return int(request.POST.get(name, ""))
    except ValueError:
        return None


@login_required
def mentor_skills_audit(request, pk, audit):
    """One of the mentee's audits: their ratings, and the mentor's own beside each, given or
    changed with a short reason."""
    candidacy, is_candidate = selectors.portfolio_for_user(request.user, pk=pk)
    audit = selectors.mentee_audit(candidacy, pk=audit)
    if is_candidate:
        return redirect("portfolios:skills_audit", pk=audit.pk)
    ratings = list(audit.ratings.all())
    errors = {}
    if request.method == "POST":

        def rate(rating, p):
            services.rating_mentor_set(
                rating=rating,
                actor=request.user,
                mentor_rating=request.POST.get(p + "mentor"),
                comment=request.POST.get(p + "comment", ""),
            )

        errors = _save_every_rating(ratings, rate)
        if not errors:
            messages.success(
                request, f"Your ratings of {candidacy.person.display_name}'s audit are saved."
            )
            return redirect("portfolios:mentor_skills_audit", pk=candidacy.pk, audit=audit.pk)
    return render(
        request,
        "portfolios/mentor_skills_audit.html",
        {
            "candidacy": candidacy,
            "audit": audit,
            "framework": audit.framework,
            "scale": list(enumerate(audit.framework.labels)),
            # (rating, refusal, the mentor's value and reason as shown): what the mentor
            # typed is kept when something was refused.
            "rows": [
                (
                    r,
                    errors.get(r.pk),
                    _posted_value(request, f"r{r.pk}-mentor", r.mentor_rating, errors),
                    request.POST.get(f"r{r.pk}-comment", "") if errors else r.mentor_comment,
                )
                for r in ratings
            ],
            "errors": errors,
        },
    )
