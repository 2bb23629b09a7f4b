"""Training's on-commit signals, answered by portfolios (see guildbook.training.signals).

Receivers hold no logic: each calls a service.
"""

from django.dispatch import receiver

from guildbook.portfolios import services
from guildbook.training.signals import attendance_recorded


@receiver(attendance_recorded, dispatch_uid="portfolios.attendance_recorded")
def draft_on_attendance(sender, *, booking, **kwargs):
    services.evidence_for_attendance(booking=booking)
