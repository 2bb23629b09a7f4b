from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PortfoliosConfig(AppConfig):
    name = "guildbook.portfolios"
    label = "portfolios"
    verbose_name = "Portfolios"

    def ready(self):
        from guildbook.portfolios import privacy

        privacy.register()
        # Training tells us, once a register mark has committed, that someone attended (a
        # draft entry for their log) or did not (an untouched draft is withdrawn).
        from guildbook.portfolios import receivers  # noqa: F401

        # The skills areas a course develops are set on the trainers' course form, in a
        # fieldset training draws without knowing portfolios.
        from guildbook.portfolios.forms import CourseSkillsAreasForm
        from guildbook.training import hooks

        hooks.add_course_form_part(CourseSkillsAreasForm)

        # The shipped skills frameworks are loaded after every migrate, so a fresh database
        # offers the PKSB at once (a version already loaded is left as it is).
        post_migrate.connect(
            _load_shipped_frameworks, sender=self, dispatch_uid="guildbook-portfolios-frameworks"
        )


def _load_shipped_frameworks(sender, using="default", **kwargs):
    from django.db import connections

    from guildbook.portfolios.frameworks import frameworks_load_shipped
    from guildbook.portfolios.models import SkillsArea

    if SkillsArea._meta.db_table not in connections[using].introspection.table_names():
        return
    frameworks_load_shipped(using=using)
