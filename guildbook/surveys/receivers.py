"""Training's in-transaction hooks, answered by surveys (see guildbook.training.signals).

Each receiver runs inside the transaction of the change that calls it, so the invitations
and outbox rows it writes commit or roll back with the register or the reschedule. (A new
course's follow-up moment is a course-created hook: see apps.py and training/hooks.py.)
"""

from django.dispatch import receiver

from guildbook.surveys import services
from guildbook.training.signals import attendance_marked, session_moved


@receiver(attendance_marked, dispatch_uid="surveys.attendance_marked")
def invite_on_attendance(sender, *, booking, now, **kwargs):
    services.invitations_for_attendance(booking=booking, now=now)


@receiver(session_moved, dispatch_uid="surveys.session_moved")
def move_with_session(sender, *, session, now, **kwargs):
    services.invitations_move(session=session, now=now)
