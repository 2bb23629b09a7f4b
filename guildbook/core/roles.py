"""Roles are Django groups with permissions; these names and checks are the one source."""

LEARNER = "Learner"
TRAINER = "Trainer"
MENTOR = "Mentor"
STAFF_DEVELOPMENT = "Staff development officer"
ADMINISTRATOR = "Administrator"

ROLE_CHOICES = {
    "learner": LEARNER,
    "trainer": TRAINER,
    "mentor": MENTOR,
    "staff_development": STAFF_DEVELOPMENT,
    "sdo": STAFF_DEVELOPMENT,
    "administrator": ADMINISTRATOR,
    "admin": ADMINISTRATOR,
}

# Permissions each role's group carries ("app_label.codename").
ROLE_PERMISSIONS = {
    LEARNER: [],
    TRAINER: ["training.run_training", "training.view_no_show_history"],
    MENTOR: [],
    STAFF_DEVELOPMENT: ["training.view_training_records"],
    ADMINISTRATOR: [
        "training.run_training",
        "training.view_no_show_history",
        "training.view_training_records",
    ],
}


def role_group_name(key: str) -> str | None:
    return ROLE_CHOICES.get(key.strip().lower().replace(" ", "_").replace("-", "_"))


def is_trainer(user) -> bool:
    return user.is_authenticated and user.has_perm("training.run_training")


def can_view_records(user) -> bool:
    return user.is_authenticated and user.has_perm("training.view_training_records")


def can_see_insights(user) -> bool:
    """Training insights and the frequency planner: trainers and staff development officers."""
    return is_trainer(user) or can_view_records(user)


def is_administrator(user) -> bool:
    return user.is_authenticated and user.is_superuser
