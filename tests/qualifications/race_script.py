"""Run by test_race.py in a process of its own, against the database in DATABASE_URL:
migrate, set the scene (a mentor with one place, two candidates' requests), then accept
both requests at the same moment from N threads and print what happened as JSON."""

import json
import os
import sys
import threading

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402

from guildbook.accounts.models import User  # noqa: E402
from guildbook.core.errors import ServiceError  # noqa: E402
from guildbook.qualifications import services  # noqa: E402
from guildbook.qualifications.models import MentorProfile, MentorRequest, Scheme  # noqa: E402

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 5


def main():
    call_command("migrate", verbosity=0, interactive=False)
    scheme = Scheme.objects.get(slug="chartership-2009")
    outcomes = []
    for n in range(ROUNDS):
        mentor_user = User.objects.create_user(f"mentor{n}@example.nhs.uk", name=f"Mentor {n}")
        mentor = services.mentor_profile_save(user=mentor_user, actor=mentor_user, capacity=1)
        requests = []
        for who in ("a", "b"):
            person = User.objects.create_user(f"{who}{n}@example.nhs.uk", name=who)
            candidacy = services.candidacy_start(person=person, scheme=scheme, actor=person)
            requests.append(
                services.mentor_request_create(candidacy=candidacy, mentor=mentor, actor=person)
            )
        connection.close()
        barrier = threading.Barrier(len(requests))
        results = []

        def accept(request, barrier=barrier, mentor_user=mentor_user, results=results):
            try:
                barrier.wait()
                services.mentor_request_accept(request=request, actor=mentor_user)
                results.append("accepted")
            except ServiceError as exc:
                results.append(exc.code)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=accept, args=(r,)) for r in requests]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        outcomes.append(
            {
                "results": sorted(results),
                "mentees": MentorProfile.objects.get(pk=mentor.pk).mentees,
                "accepted": MentorRequest.objects.filter(mentor=mentor, status="accepted").count(),
            }
        )
    print(json.dumps({"vendor": connection.vendor, "outcomes": outcomes}))


if __name__ == "__main__":
    main()
