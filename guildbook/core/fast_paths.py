"""Whether the hand-written SQL of the hottest paths is used (`GUILDBOOK_FAST_PATHS`).

Each fast path (booking, claiming due e-mail, recording "sent") lives in its app's `sql.py`
and has an ORM twin next to the service that calls it: the reference for what the SQL
means. The tests run the same behaviour through both; switching the setting off runs the
twins, e.g. on a database Guildbook has not been tuned for.
"""

from django.conf import settings


def fast_paths_on() -> bool:
    return getattr(settings, "GUILDBOOK_FAST_PATHS", True)
