from django.apps import AppConfig


class QualificationsConfig(AppConfig):
    name = "guildbook.qualifications"
    label = "qualifications"
    verbose_name = "Qualifications"

    def ready(self):
        # A person's candidacies, as a section of their own training record.
        from guildbook.qualifications.record_section import my_qualifications
        from guildbook.training import record

        record.register_section(my_qualifications)

        # The shipped scheme files (a version already loaded is left as it is).
        from guildbook.core.datafiles import load_shipped_after_migrate
        from guildbook.qualifications.models import Scheme
        from guildbook.qualifications.schemes import schemes_load_shipped

        load_shipped_after_migrate(
            self,
            model=Scheme,
            load=schemes_load_shipped,
            dispatch_uid="guildbook-qualifications-schemes",
        )
