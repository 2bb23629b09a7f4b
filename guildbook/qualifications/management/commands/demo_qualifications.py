"""`guildbook demo_qualifications [--seed N]`: the demo service's qualification journeys.

Run by `guildbook demo` (by name: training never imports qualifications) after the story of
courses and bookings. It adds, through the same services the pages use:

- a mentor directory of a dozen mentors, loaded with the CSV importer (the demo's mentor,
  Margaret Ellis, among them);
- candidates on both regulation sets and on Revalidation, at different stages: the demo
  learner, Jamie Carter, part-way through Certification with a mentor, a meeting, a goal
  that books the portfolio course and a funding request waiting for Staff Development;
  colleagues who are further on, just starting, overdue, awarded or withdrawn.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from guildbook.accounts.models import User
from guildbook.core.management.base import GuildbookCommand
from guildbook.qualifications import services
from guildbook.qualifications.models import MentorProfile, Scheme
from guildbook.training.models import Course

HOSPITALS = "riverside-hospitals.example"
COMMUNITY = "riverside-community.example"

MENTORS = [
    ("margaret.ellis", HOSPITALS, "Margaret Ellis", "North West", "Health",
     "Chartership;Management;Portfolios", "yes", 3),
    ("helen.price", HOSPITALS, "Helen Price", "North West", "Health",
     "Certification;Information skills teaching", "yes", 2),
    ("tom.brennan", COMMUNITY, "Tom Brennan", "North West", "Health",
     "Outreach;Community health information", "no", 2),
    ("aisha.rahman", "uni-library.example", "Aisha Rahman", "North West", "Academic",
     "Research support;Open access", "yes", 2),
    ("gareth.lloyd", "citylibraries.example", "Gareth Lloyd", "Wales", "Public",
     "Reader development;Children's services", "yes", 1),
    ("fiona.mcleod", "lawlibrary.example", "Fiona McLeod", "Scotland", "Law",
     "Legal information;Current awareness", "yes", 2),
    ("daniel.osei", "uni-library.example", "Daniel Osei", "London", "Academic",
     "Systematic reviews;Literature searching", "yes", 3),
    ("ruth.hughes", "citylibraries.example", "Ruth Hughes", "North West", "Public",
     "Cataloguing;Metadata", "no", 1),
    ("sanjay.patel", HOSPITALS, "Sanjay Patel", "Midlands", "Health",
     "Knowledge management;Clinical librarianship", "yes", 2),
    ("claire.dunn", "schools-library.example", "Claire Dunn", "North East", "Schools",
     "Information literacy;Fellowship", "yes", 1),
    ("owen.price", "archives.example", "Owen Price", "Wales", "Archives",
     "Records management;Digitisation", "no", 2),
    ("leila.haddad", COMMUNITY, "Leila Haddad", "London", "Health",
     "Health literacy;Patient information", "yes", 2),
]  # fmt: skip
MENTORS_CSV = "email,name,region,sector,specialisms,remote,capacity\n" + "".join(
    f"{local}@{domain},{name},{region},{sector},{specialisms},{remote},{capacity}\n"
    for local, domain, name, region, sector, specialisms, remote, capacity in MENTORS
)


def _mentor(email: str) -> MentorProfile:
    return MentorProfile.objects.select_related("user").get(user__email=email)


class Command(GuildbookCommand):
    help = "Add the demo's qualification journeys and mentor directory (run by `demo`)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, seed: int = 1, **options):
        self.rng = random.Random(seed)
        self.today = timezone.localdate()
        with transaction.atomic():
            result = services.mentors_import(text=MENTORS_CSV)
            if result.errors:
                raise RuntimeError("; ".join(result.errors))
            self.stories()
        if options.get("verbosity", 1) > 1:
            self.stdout.write("Loaded the qualifications demo: 12 mentors and 8 candidacies.")

    def scheme(self, slug: str) -> Scheme:
        return Scheme.objects.get(slug=slug)

    def start(self, person, slug, *, months_ago: float, months: int = 12, number=""):
        started = self.today - timedelta(days=round(months_ago * 30))
        return services.candidacy_start(
            person=person,
            scheme=self.scheme(slug),
            actor=person,
            started_on=started,
            target_date=started + timedelta(days=months * 30),
            membership_number=number,
        )

    def mentored(self, candidacy, mentor: MentorProfile, message: str):
        request = services.mentor_request_create(
            candidacy=candidacy, mentor=mentor, actor=candidacy.person, message=message
        )
        services.mentor_request_accept(request=request, actor=mentor.user)
        return request

    def steps(self, candidacy, *codes):
        for code in codes:
            services.candidacy_step_set(
                candidacy=candidacy, code=code, done=True, actor=candidacy.person
            )

    def colleagues(self) -> list[User]:
        library = list(
            User.objects.filter(team="Library and knowledge service", groups__isnull=True)
            .exclude(mentor_profile__isnull=False)
            .order_by("id")
        )
        self.rng.shuffle(library)
        return library

    def stories(self) -> None:
        jamie = User.objects.filter(name="Jamie Carter").first()
        officer = User.objects.filter(name="Priya Shah").first()
        people = self.colleagues()
        if jamie is None or len(people) < 6:
            return
        margaret = _mentor(f"margaret.ellis@{HOSPITALS}")
        helen = _mentor(f"helen.price@{HOSPITALS}")
        daniel = _mentor("daniel.osei@uni-library.example")
        claire = _mentor("claire.dunn@schools-library.example")
        portfolio = Course.objects.filter(slug="building-your-portfolio").first()

        # The demo learner: Certification under the current regulations, four months in.
        c = self.start(jamie, "certification-2021", months_ago=4, number="1234567")
        self.steps(c, "enrolled")
        self.mentored(
            c, margaret, "I run the school nursing team's reading list and would like to grow."
        )
        services.meeting_log(
            candidacy=c,
            actor=margaret.user,
            held_on=self.today - timedelta(days=20),
            notes="Talked through the criteria and the skills self-assessment.\n"
            "Jamie will start a reflective diary.",
            actions=[
                {
                    "text": "Finish the skills self-assessment",
                    "owner": "candidate",
                    "due_on": self.today + timedelta(days=5),
                },
                {
                    "text": "Send examples of evaluative statements",
                    "owner": "mentor",
                    "due_on": self.today + timedelta(days=3),
                },
            ],
        )
        goal = services.goal_save(
            candidacy=c,
            actor=jamie,
            what="Build a portfolio that shows how my searching skills have grown",
            measure="Three pieces of evidence linked to each criterion",
            target_date=self.today + timedelta(days=90),
            status="in_progress",
            criteria=["personal-performance"],
        )
        if portfolio is not None:
            services.activity_add(goal=goal, actor=jamie, course=portfolio)
        services.activity_add(goal=goal, actor=jamie, description="Keep a reflective diary")
        services.funding_request_create(
            candidacy=c,
            fee="enrolment",
            justification="Agreed at my appraisal as part of my development this year.",
            actor=jamie,
        )

        # The seed's Chartership, well on: plan agreed, evidence gathered, funding paid.
        a = self.start(people[0], "chartership-2009", months_ago=10, number="2345678")
        self.steps(a, "enrolled")
        self.mentored(a, helen, "Could you mentor me through Chartership?")
        services.goal_save(
            candidacy=a,
            actor=a.person,
            what="Evaluate our outreach sessions for ward staff",
            criteria=["reflect-on-performance", "wider-professional-context"],
            status="achieved",
        )
        services.plan_agree(candidacy=a, actor=helen.user)
        self.steps(a, "evidence")
        if officer is not None:
            paid = services.funding_request_create(
                candidacy=a,
                fee="enrolment",
                justification="Registration fee",
                actor=a.person,
                attach_record=False,
            )
            services.funding_request_approve(funding=paid, actor=officer, comment="Agreed.")
            services.funding_request_pay(funding=paid, actor=officer, reference="PO 4471")

        # Today's Chartership, just started, a request waiting for its answer.
        b = self.start(people[1], "chartership-2021", months_ago=0.5)
        services.mentor_request_create(
            candidacy=b, mentor=daniel, actor=b.person, message="I support systematic reviews."
        )

        # Fellowship, six months in, asking for the submission fee.
        f = self.start(people[2], "fellowship-2021", months_ago=6, months=18, number="3456789")
        self.steps(f, "enrolled")
        self.mentored(f, claire, "Would you be my Fellowship mentor?")
        services.funding_request_create(
            candidacy=f,
            fee="submission",
            justification="Fellowship supports the service's leadership plan.",
            actor=f.person,
            attach_record=False,
        )

        # Revalidation, three months in, free and without a mentor.
        r = self.start(people[3], "revalidation-2021", months_ago=3, number="4567890")
        self.steps(r, "membership")

        # Behind: Certification under the seed's regulations, steps overdue.
        self.start(people[4], "certification-2009", months_ago=9, months=10)

        # Finished: awarded Certification last year, now on Chartership; and a withdrawal.
        done = self.start(people[5], "certification-2009", months_ago=20, number="5678901")
        services.candidacy_outcome(candidacy=done, awarded=True, actor=done.person)
        self.start(people[5], "chartership-2021", months_ago=2, number="5678901")
        w = self.start(people[0], "certification-2021", months_ago=14)
        services.candidacy_withdraw(candidacy=w, actor=w.person, reason="Moved to Chartership.")
