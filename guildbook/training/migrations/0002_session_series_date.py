from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations, models


def backfill_series_dates(apps, schema_editor):
    """Sessions made before the field existed were made for the local date they start on."""
    Session = apps.get_model("training", "Session")
    zone = ZoneInfo(settings.TIME_ZONE)
    seen = set()
    for session in Session.objects.filter(series__isnull=False).order_by("starts_at", "id"):
        key = (session.series_id, session.starts_at.astimezone(zone).date())
        if key in seen:  # a duplicate made before this fix: leave it without a date
            continue
        seen.add(key)
        session.series_date = key[1]
        session.save(update_fields=["series_date"])


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="session",
            name="series_date",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(backfill_series_dates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="session",
            constraint=models.UniqueConstraint(
                condition=models.Q(("series_date__isnull", False)),
                fields=("series", "series_date"),
                name="session_one_per_series_date",
            ),
        ),
    ]
