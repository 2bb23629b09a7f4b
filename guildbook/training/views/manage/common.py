"""What every trainer page shares: loading objects through selectors (anyone but a trainer
gets a 404), binding forms, showing a service's refusal beside its field."""

from guildbook.core.forms import posted_data, show_error  # noqa: F401 (the trainer pages' own)
from guildbook.training import selectors
from guildbook.training.models import Booking, Course, Session


def load_course(request, slug) -> Course:
    return selectors.course_get_for_user(request.user, slug=slug)


def load_session(request, pk) -> Session:
    return selectors.session_for_trainer(request.user, pk=pk)


def load_booking(request, pk) -> Booking:
    return selectors.booking_get_for_user(request.user, pk=pk)
