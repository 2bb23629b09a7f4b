"""Training's in-transaction hooks, answered by surveys (see guildbook.training.signals).

Each receiver runs inside the transaction of the change that calls it, so the invitations
and outbox rows it writes commit or roll back with the register, the reschedule or the new
course.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from guildbook.surveys import services
from guildbook.training.models import Course
from guildbook.training.signals import attendance_marked, session_moved


@receiver(attendance_marked, dispatch_uid="surveys.attendance_marked")
def invite_on_attendance(sender, *, booking, now, **kwargs):
    services.invitations_for_attendance(booking=booking, now=now)


@receiver(session_moved, dispatch_uid="surveys.session_moved")
def move_with_session(sender, *, session, now, **kwargs):
    services.invitations_move(session=session, now=now)


@receiver(post_save, sender=Course, dispatch_uid="surveys.course_created")
def follow_up_for_new_course(sender, *, instance, created, raw=False, **kwargs):
    # Every course starts with the follow-up at 30 days (fixtures loaded raw are left alone).
    if created and not raw:
        services.moment_add_default(course=instance)
