"""Setting the scene for, and reading the outcome of, tests against a running Guildbook.

The concurrency tests serve the real app (`guildbook serve`) from a database of its own, so
they cannot use the test database or pytest-django's fixtures. This module is run in a
subprocess with that database's DATABASE_URL:

    python -m tests.training.live_app setup '<json spec>'   → prints sessions, people, tokens
    python -m tests.training.live_app state SESSION_ID     → prints the session's bookings

Everything is written through the services, as the app itself would.
"""

import json
import os
import sys
from datetime import timedelta


def setup(spec: dict) -> dict:
    """spec: {"prefix": str, "groups": [{"capacity": int, "people": int, "prebook": int}]}.

    Each group is a session of one course (a fortnight ahead) and its own people, each with
    an API token; the first `prebook` of them book in order before anything else happens.
    """
    from django.utils import timezone

    from guildbook.accounts.services import api_token_create, user_create
    from guildbook.training import services

    trainer = user_create(
        email=f"{spec['prefix']}-trainer@example.nhs.uk", name="Tess Trainer", role="trainer"
    )
    course = services.course_create(
        actor=trainer,
        title=f"Get Tweeting ({spec['prefix']})",
        summary="Twitter for professional development.",
    )
    out = []
    for g, group in enumerate(spec["groups"]):
        session = services.session_create(
            venue="Staff Library",
            course=course,
            starts_at=timezone.now() + timedelta(days=14, hours=g),
            capacity=group["capacity"],
            actor=trainer,
        )
        people = []
        for n in range(group["people"]):
            person = user_create(
                email=f"{spec['prefix']}-g{g}-p{n}@example.nhs.uk", name=f"Person {g}.{n}"
            )
            _token, secret = api_token_create(user=person)
            booking_id = None
            if n < group.get("prebook", 0):
                booking = services.booking_create(session=session, person=person, actor=person)
                booking_id = booking.pk
            people.append({"id": person.pk, "token": secret, "booking": booking_id})
        out.append({"session": session.pk, "people": people})
    return {"groups": out}


def state(session_id: int) -> dict:
    """The session's counter and its active bookings, waiting list in queue order."""
    from guildbook.training.models import Booking, Session

    session = Session.objects.get(pk=session_id)
    rows = (
        Booking.objects.filter(session=session)
        .order_by("waiting_since", "id")
        .values("id", "person_id", "status", "waiting_since", "confirmed_at")
    )
    return {
        "capacity": session.capacity,
        "places_taken": session.places_taken,
        "bookings": [
            {
                **row,
                "waiting_since": row["waiting_since"] and row["waiting_since"].isoformat(),
                "confirmed_at": row["confirmed_at"] and row["confirmed_at"].isoformat(),
            }
            for row in rows
        ],
    }


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    command, arg = argv[1], argv[2]
    result = setup(json.loads(arg)) if command == "setup" else state(int(arg))
    sys.stdout.write(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv)
