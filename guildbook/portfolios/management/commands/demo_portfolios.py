"""`guildbook demo_portfolios [--seed N]`: the demo service's portfolios.

Run by `guildbook demo` (by name) after the qualifications demo. Through the same services
the pages use, it adds:

- skills areas on catalogue courses (literature searching → research skills, and so on);
- for the demo learner, Jamie Carter (Certification, with a mentor): reflections, a link,
  feedback, a PDF and a photo mapped to the criteria, a start and a middle skills audit
  with gaps, a goal grown from one gap, a statement that refers to the evidence, shared
  with the mentor, who has commented on it;
- for the colleague well on with the seed's Chartership: evidence, a CV placed in its
  section, a statement near the limit and a skills audit, so the builder is nearly complete.

Drafts from sessions attended are made by the register itself (portfolios' receiver).
"""

from __future__ import annotations

from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from guildbook.core.management.base import GuildbookCommand
from guildbook.portfolios import services
from guildbook.portfolios.models import SkillsFramework
from guildbook.qualifications.models import Candidacy, MentorRequest
from guildbook.training.models import Course

COURSE_AREAS = {
    "literature-searching": ["research-skills", "using-information"],
    "advanced-searching": ["research-skills"],
    "critical-appraisal-rcts": ["research-skills", "using-information"],
    "critical-appraisal-systematic-reviews": ["research-skills"],
    "reference-management-zotero": ["organising-knowledge", "it-and-communication"],
    "get-tweeting": ["it-and-communication", "leadership-and-advocacy"],
    "getting-started-with-yammer": ["it-and-communication"],
    "health-literacy": ["literacies-and-learning", "customer-focus"],
    "keeping-up-to-date": ["knowledge-management"],
    "introduction-to-cilip-certification-and-chartership": ["leadership-and-advocacy"],
    "building-your-portfolio": ["literacies-and-learning"],
    "library-induction": ["customer-focus"],
}


def _upload(name: str, content: bytes):
    return ContentFile(content, name=name)


def _pdf(title: str, paragraphs: list[str], pages: int = 1) -> bytes:
    from weasyprint import HTML

    body = "".join(
        f'<section style="page-break-after: always"><h1>{title}</h1>'
        + "".join(f"<p>{p}</p>" for p in paragraphs)
        + f"<p>Page {i + 1} of {pages}</p></section>"
        for i in range(pages)
    )
    return HTML(
        string=f"<html><body style='font-family: sans-serif'>{body}</body></html>"
    ).write_pdf()


def _png() -> bytes:
    """A picture of a flipchart with three ideas on it, drawn with Pillow (WeasyPrint's)."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 360), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((10, 10, 470, 350), outline="#1d4f91", width=4)
    for i, idea in enumerate(["Drop-in clinic", "Search surgery", "Reading lists"]):
        draw.text((40, 60 + i * 80), f"{i + 1}. {idea}", fill="#111111")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _candidacy(**lookup) -> Candidacy | None:
    """The first candidacy of the demo's story that matches, with its person and scheme."""
    return Candidacy.objects.filter(**lookup).select_related("person", "scheme").first()


class Command(GuildbookCommand):
    help = "Add the demo's portfolios (run by `demo`)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, seed: int = 1, **options):
        self.today = timezone.localdate()
        self.pksb = SkillsFramework.objects.filter(slug="cilip-pksb").first()
        if self.pksb is None:
            return
        with transaction.atomic():
            self.tag_courses()
            jamie = _candidacy(person__name="Jamie Carter", scheme__code="certification")
            if jamie is not None:
                self.jamie(jamie)
            chartered = _candidacy(scheme__slug="chartership-2009", status="active")
            if chartered is not None:
                self.chartership(chartered)
        if options.get("verbosity", 1) > 1:
            self.stdout.write("Loaded the portfolios demo.")

    def tag_courses(self) -> None:
        areas = {a.code: a for a in self.pksb.areas.all()}
        for course in Course.objects.filter(slug__in=COURSE_AREAS):
            services.course_areas_set(
                course=course, areas=[areas[c] for c in COURSE_AREAS[course.slug]], actor=None
            )

    def add(self, candidacy, days_ago: int, **fields):
        return services.evidence_create(
            person=candidacy.person,
            candidacy=candidacy,
            date=self.today - timedelta(days=days_ago),
            actor=candidacy.person,
            **fields,
        )

    def audit(self, person, name, days_ago, ratings):
        audit = services.audit_start(
            person=person,
            framework=self.pksb,
            name=name,
            taken_on=self.today - timedelta(days=days_ago),
            actor=person,
        )
        by_code = {r.area.code: r for r in audit.ratings.select_related("area")}
        for code, (now, target, why) in ratings.items():
            services.rating_set(
                rating=by_code[code], actor=person, current=now, target=target, justification=why
            )
        return audit

    def jamie(self, c: Candidacy) -> None:
        person = c.person
        e1 = self.add(
            c,
            60,
            kind="reflection",
            title="Searching for the school nursing team",
            text=(
                "I ran my first literature search for the school nursing team on "
                "emotional health in teenagers.\n\n**What went well:** the team used two of "
                "the papers in their new leaflet.\n\n**Next time:** agree the question "
                "before I start searching."
            ),
            hours="3",
            criteria=["personal-performance"],
            tags="searching, school nursing",
        )
        e2 = self.add(
            c,
            40,
            kind="feedback",
            title="Thank-you from the school nursing lead",
            text="> The search saved us weeks and the leaflet is now in every school.",
            criteria=["organisational-context"],
        )
        e3 = self.add(
            c,
            30,
            kind="file",
            title="Reading list I built for the team",
            text="The reading list as shared on the intranet.",
            upload=_upload(
                "reading-list.pdf",
                _pdf(
                    "Emotional health in teenagers: reading list",
                    ["Compiled by the Library and Knowledge Service for school nurses."],
                    pages=2,
                ),
            ),
            criteria=["organisational-context", "personal-performance"],
        )
        e4 = self.add(
            c,
            20,
            kind="link",
            title="Blog post on joining the regional health libraries group",
            url="https://example.org/blog/regional-group",
            text="What I learnt from the group's meeting on open access.",
            hours="2",
            criteria=["wider-professional-context"],
        )
        self.add(
            c,
            10,
            kind="file",
            title="Flipchart from the team meeting",
            upload=_upload("flipchart.png", _png()),
            text="Ideas for a drop-in session.",
        )
        self.audit(
            person,
            "Start",
            110,
            {
                "research-skills": (1, 3, ""),
                "literacies-and-learning": (1, 2, ""),
                "it-and-communication": (2, 3, ""),
                "customer-focus": (2, 2, ""),
            },
        )
        middle = self.audit(
            person,
            "Middle",
            15,
            {"research-skills": (2, 3, "Two searches for the school nurses, with feedback")},
        )
        gap = middle.ratings.get(area__code="research-skills")
        services.gap_to_goal(rating=gap, candidacy=c, actor=person)
        services.statement_save(
            candidacy=c,
            text=(
                "## Personal performance\n\nAt the start my searching was basic. I ran a "
                f"search for the school nursing team [E{e1.number}] and built a reading list "
                f"[E{e3.number}].\n\n## Organisational context\n\nThe team used the papers in "
                f"a leaflet now in every school [E{e2.number}].\n\n## Wider professional "
                f"context\n\nI joined the regional health libraries group [E{e4.number}]."
            ),
            actor=person,
        )
        services.mentor_share_set(candidacy=c, actor=person, shared=True, confirm=True)
        mentoring = (
            MentorRequest.objects.select_related("mentor__user")
            .filter(candidacy=c, status=MentorRequest.Status.ACCEPTED)
            .first()
        )
        if mentoring is not None:
            draft = c.statement_drafts.order_by("-version").first()
            services.statement_comment(
                draft=draft,
                actor=mentoring.mentor.user,
                text="A good start. Say more about what you would do differently next time.",
            )

    def chartership(self, c: Candidacy) -> None:
        person = c.person
        cv = self.add(
            c,
            200,
            kind="file",
            title="Curriculum vitae",
            upload=_upload(
                "cv.pdf",
                _pdf(f"{person.name}: curriculum vitae", ["Clinical librarian since 2019."], 2),
            ),
        )
        section = c.scheme.sections.filter(code="cv").first()
        if section is not None:
            services.section_file_add(candidacy=c, section=section, evidence=cv, actor=person)
        refs = []
        for i, (title, code) in enumerate(
            [
                ("Outreach sessions for ward staff", "reflect-on-performance"),
                ("Evaluating the outreach sessions", "analyse-development"),
                ("Course on critical appraisal", "commitment-to-cpd"),
                ("Talk at the regional conference", "wider-professional-context"),
            ]
        ):
            e = self.add(
                c,
                180 - i * 30,
                kind="reflection",
                title=title,
                text=f"What I did, what happened and what I learnt: {title.lower()}.",
                hours="2",
                criteria=[code],
            )
            refs.append(e.number)
        self.audit(
            person, "Start", 290, {"research-skills": (2, 3, ""), "strategy-planning": (1, 3, "")}
        )
        words = " ".join(["Reflecting on the outreach programme and its evaluation."] * 100)
        services.statement_save(
            candidacy=c,
            text=f"## Reflect on performance\n\n{words} [E{refs[0]}] [E{refs[1]}]\n\n"
            f"## Wider professional context\n\nI spoke at the regional conference [E{refs[3]}].",
            actor=person,
        )
