"""Where a session is held: the rule for creating and changing one, and the words for it.

An in-person course's session needs a venue; an online course's needs its joining link, or
"link to follow" when the link is not known yet; a course run either way needs one of the
three. Everyone — learners, trainers, e-mails, feeds — reads the same words (`where`), so a
session without a venue reads "Venue to be confirmed" to all, never "Online" to some.
"""

from __future__ import annotations

from guildbook.core.errors import ServiceError
from guildbook.training.models import Course

VENUE_TBC = "Venue to be confirmed"


def check_place(course: Course, *, venue: str, online_link: str, link_to_follow: bool) -> None:
    """Refuse a session (or series) with nowhere to meet, in words for the form's field."""
    venue = (venue or "").strip()
    online = bool((online_link or "").strip()) or link_to_follow
    if course.delivery == Course.Delivery.IN_PERSON and not venue:
        raise ServiceError("An in-person session needs a venue.", field="venue")
    if course.delivery == Course.Delivery.ONLINE and not online:
        raise ServiceError(
            "An online session needs its joining link, or tick “Link to follow”.",
            field="online_link",
        )
    if course.delivery == Course.Delivery.BOTH and not (venue or online):
        raise ServiceError("Give a venue, an online link, or tick “Link to follow”.", field="venue")


def place_fields(course: Course, *, venue: str, online_link: str, link_to_follow: bool) -> dict:
    """The place fields to store on a new session or series, checked (`check_place`); "link to
    follow" is dropped once the link itself is given."""
    check_place(course, venue=venue, online_link=online_link, link_to_follow=link_to_follow)
    return {
        "venue": venue,
        "online_link": online_link,
        "link_to_follow": link_to_follow and not online_link,
    }


def where(session) -> str:
    online = bool(session.online_link) or session.link_to_follow
    if session.venue and online:
        return f"{session.venue}, and online"
    if session.venue:
        return session.venue
    if session.online_link:
        return "Online"
    if session.link_to_follow:
        return "Online (link to follow)"
    return VENUE_TBC
