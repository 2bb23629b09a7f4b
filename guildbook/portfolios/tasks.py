"""Background work of portfolios, run by `guildbook worker` through django-tasks."""

from django_tasks import task

from guildbook.portfolios import services


@task()
def build_export(export_id: int) -> None:
    services.export_build(export_id=export_id)
