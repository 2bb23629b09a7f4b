from django.apps import AppConfig
from django.db.models.signals import post_migrate


class QualificationsConfig(AppConfig):
    name = "guildbook.qualifications"
    label = "qualifications"
    verbose_name = "Qualifications"

    def ready(self):
        from guildbook.qualifications import privacy

        privacy.register()
        # A person's candidacies, as a section of their own training record.
        from guildbook.qualifications.record_section import my_qualifications
        from guildbook.training import record

        record.register_section(my_qualifications)

        # The shipped scheme files are loaded after every migrate (a version already loaded
        # is left as it is), so a fresh database offers them at once.
        post_migrate.connect(
            _load_shipped_schemes, sender=self, dispatch_uid="guildbook-qualifications-schemes"
        )


def _load_shipped_schemes(sender, using="default", **kwargs):
    from django.db import connections

    from guildbook.qualifications.models import Scheme
    from guildbook.qualifications.schemes import schemes_load_shipped

    # Migrated backwards (or not yet this far): nothing to load into.
    if Scheme._meta.db_table not in connections[using].introspection.table_names():
        return
    schemes_load_shipped(using=using)
