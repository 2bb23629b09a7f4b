"""The permissions training adds to the roles (core's role registry), and its view check."""

from guildbook.core import roles

RUN_TRAINING = roles.RUN_TRAINING
VIEW_NO_SHOW_HISTORY = "training.view_no_show_history"
VIEW_TRAINING_RECORDS = roles.VIEW_TRAINING_RECORDS
# Logging outreach and reading what followed it (training/outreach.py).
LOG_OUTREACH = "training.log_outreach"

roles.grant(roles.TRAINER, RUN_TRAINING, VIEW_NO_SHOW_HISTORY, LOG_OUTREACH)
roles.grant(roles.STAFF_DEVELOPMENT, VIEW_TRAINING_RECORDS, LOG_OUTREACH)
roles.grant(
    roles.ADMINISTRATOR, RUN_TRAINING, VIEW_NO_SHOW_HISTORY, VIEW_TRAINING_RECORDS, LOG_OUTREACH
)

# Trainers' pages: signed in, with the run_training permission; anyone else gets a 404.
trainer_required = roles.permission_required(RUN_TRAINING)

# The outreach log: trainers and staff development officers; anyone else gets a 404.
outreach_required = roles.permission_required(LOG_OUTREACH)


def can_log_outreach(user) -> bool:
    return roles.has_permission(user, LOG_OUTREACH)
