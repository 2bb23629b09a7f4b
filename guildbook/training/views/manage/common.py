"""What every trainer page shares: loading objects through selectors (anyone but a trainer
gets a 404), binding forms, showing a service's refusal beside its field."""

from guildbook.core.errors import ServiceError
from guildbook.training import selectors
from guildbook.training.models import Booking, Course, Session


def posted_data(request):
    """The POST data to bind a form to, even when empty (`request.POST or None` is not)."""
    return request.POST if request.method == "POST" else None


def show_error(form, exc: ServiceError) -> None:
    """Show a service's refusal beside its field, or above the form when it names none."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


def load_course(request, slug) -> Course:
    return selectors.course_get_for_user(request.user, slug=slug)


def load_session(request, pk) -> Session:
    return selectors.session_for_trainer(request.user, pk=pk)


def load_booking(request, pk) -> Booking:
    return selectors.booking_get_for_user(request.user, pk=pk)
