from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "guildbook.surveys"
    label = "surveys"
    verbose_name = "Follow-up surveys"

    def ready(self):
        # Training calls these hooks inside its own transactions (attendance recorded, a
        # session moved), so invitations and their outbox rows commit with the change.
        from guildbook.surveys import receivers  # noqa: F401

        # Every new course starts with the follow-up at 30 days, in the transaction that
        # creates it.
        from guildbook.surveys.services.moments import moment_add_default
        from guildbook.training import hooks

        hooks.on_course_created(moment_add_default)

        # A person's own answers, as a section of their training record.
        from guildbook.surveys.record_section import my_survey_answers
        from guildbook.training import record

        record.register_section(my_survey_answers)
