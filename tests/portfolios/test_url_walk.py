"""Every portfolio URL, walked as each kind of person with the candidate's own objects
(tests/walker.py): the candidate gets the page, everyone else signed in 404 (their mentor
too, while nothing is shared with a mentor), and someone not signed in is sent to sign in. An
assessor's link, made up, is refused for everyone."""

from datetime import date

from guildbook.portfolios import services
from guildbook.portfolios.models import SkillsFramework
from tests.factories import UserFactory
from tests.portfolios.conftest import add, pdf_bytes, upload
from tests.walker import LOGIN, NOT_FOUND, OK, POST_ONLY, REDIRECT, url_params, walk

ROLES = ("anonymous", "candidate", "mentor", "learner", "trainer", "officer", "admin")


def rule(candidate, mentor=NOT_FOUND, others=NOT_FOUND, anonymous=LOGIN):
    row = {"anonymous": {anonymous}, "candidate": {candidate}, "mentor": {mentor}}
    row.update({r: {others} for r in ("learner", "trainer", "officer", "admin")})
    return row


OWN = rule(OK)
EXPECT = [
    # A person's own pages, with no object in the address: each person sees their own.
    ("evidence_log", rule(OK, OK, OK)),
    ("evidence_add", rule(OK, OK, OK)),
    ("skills", rule(OK, OK, OK)),
    ("export_everything", rule(POST_ONLY, POST_ONLY, POST_ONLY)),
    # Changes only (GET is refused before anything else is looked at).
    ("evidence_save_reflection", rule(POST_ONLY, POST_ONLY, POST_ONLY)),
    ("skills_gap_goal", rule(POST_ONLY, POST_ONLY, POST_ONLY)),
    ("statement_comment", rule(POST_ONLY, POST_ONLY, POST_ONLY)),
    ("section_file_add", rule(POST_ONLY, POST_ONLY, POST_ONLY)),
    ("section_file_remove", rule(POST_ONLY, POST_ONLY, POST_ONLY)),
    ("assessor_link_revoke", rule(POST_ONLY, POST_ONLY, POST_ONLY)),
    ("share", rule(POST_ONLY, POST_ONLY, POST_ONLY)),
    ("export", rule(POST_ONLY, POST_ONLY, POST_ONLY)),
    ("revalidation_pack", rule(POST_ONLY, POST_ONLY, POST_ONLY)),
    # The mentor's view of a shared portfolio's skills: the candidate is sent to their own.
    ("mentor_skills*", rule(REDIRECT)),
    ("export_download", rule(NOT_FOUND)),  # not built yet: nothing to download
    ("evidence*", OWN),
    ("*", OWN),
]
# Someone else's token, made up: a friendly refusal to everyone, signed in or not.
EXPECT[:0] = [
    ("assessor", rule(NOT_FOUND, anonymous=NOT_FOUND)),
    ("assessor_file", rule(NOT_FOUND, anonymous=NOT_FOUND)),
]


def test_every_portfolio_url_answers_each_role_as_the_table_says(candidacy, mentor):
    candidate = candidacy.person
    evidence = add(candidate, kind="file", upload=upload("cv.pdf", pdf_bytes()))
    audit = services.audit_start(
        person=candidate,
        framework=SkillsFramework.objects.get(slug="cilip-pksb"),
        name="Start",
        taken_on=date(2026, 1, 10),
        actor=candidate,
    )
    draft = services.statement_save(candidacy=candidacy, text="My statement.", actor=candidate)
    export = services.export_request(person=candidate, candidacy=candidacy, actor=candidate)
    link = services.assessor_link_create(candidacy=candidacy, actor=candidate, label="A", days=7)
    people = {
        "anonymous": None,
        "candidate": candidate,
        "mentor": mentor,
        "learner": UserFactory(email="lee@example.nhs.uk"),
        "trainer": UserFactory(email="tia@example.nhs.uk", role="trainer"),
        "officer": UserFactory(email="sam@example.nhs.uk", role="staff_development"),
        "admin": UserFactory(email="ann@example.nhs.uk", role="administrator"),
    }
    pks = {
        "skills_audit": audit.pk,
        "skills_gap_goal": audit.ratings.first().pk,
        "export_status": export.pk,
        "export_download": export.pk,
    }
    values = {
        "version": draft.version,
        "placed": 1,  # answered before it is looked up (POST only)
        "link": link.pk,
        "token": "not-a-real-link",
        "evidence": evidence.pk,
        "audit": audit.pk,
    }

    def fill(name, param):
        if param != "pk":
            return values[param]
        return pks.get(name, evidence.pk if name.startswith("evidence") else candidacy.pk)

    requests = walk(namespace="portfolios", people=people, fill=fill, expect=EXPECT)
    assert requests == len(url_params("portfolios")) * len(ROLES)
