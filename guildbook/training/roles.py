"""The permissions training adds to the roles (core's role registry), and its view check."""

from guildbook.core import roles

RUN_TRAINING = roles.RUN_TRAINING
VIEW_NO_SHOW_HISTORY = "training.view_no_show_history"
VIEW_TRAINING_RECORDS = roles.VIEW_TRAINING_RECORDS

roles.grant(roles.TRAINER, RUN_TRAINING, VIEW_NO_SHOW_HISTORY)
roles.grant(roles.STAFF_DEVELOPMENT, VIEW_TRAINING_RECORDS)
roles.grant(roles.ADMINISTRATOR, RUN_TRAINING, VIEW_NO_SHOW_HISTORY, VIEW_TRAINING_RECORDS)

# Trainers' pages: signed in, with the run_training permission; anyone else gets a 404.
trainer_required = roles.permission_required(RUN_TRAINING)
