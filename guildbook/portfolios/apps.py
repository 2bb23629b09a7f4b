from django.apps import AppConfig


class PortfoliosConfig(AppConfig):
    name = "guildbook.portfolios"
    label = "portfolios"
    verbose_name = "Portfolios"

    def ready(self):
        # Training tells us, once a register mark has committed, that someone attended (a
        # draft entry for their log) or did not (an untouched draft is withdrawn).
        from guildbook.portfolios import receivers  # noqa: F401

        # The skills areas a course develops are set on the trainers' course form, in a
        # fieldset training draws without knowing portfolios.
        from guildbook.portfolios.forms import CourseSkillsAreasForm
        from guildbook.training import hooks

        hooks.add_course_form_part(CourseSkillsAreasForm)

        # The shipped skills frameworks, the PKSB among them (a version already loaded is
        # left as it is).
        from guildbook.core.datafiles import load_shipped_after_migrate
        from guildbook.portfolios.frameworks import frameworks_load_shipped
        from guildbook.portfolios.models import SkillsArea

        load_shipped_after_migrate(
            self,
            model=SkillsArea,
            load=frameworks_load_shipped,
            dispatch_uid="guildbook-portfolios-frameworks",
        )
