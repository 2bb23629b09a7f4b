"""`guildbook retention [--dry-run]`: apply the retention periods now, or say what would go.

The worker applies them once a day by itself; this is for checking the settings, and for
running them at a time of your choosing.
"""

from django.conf import settings
from django.utils import timezone

from guildbook.core import privacy
from guildbook.core.management.base import GuildbookCommand
from guildbook.core.timefmt import format_date


class Command(GuildbookCommand):
    help = "Remove what has been kept longer than its retention period (see .env.example)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Only say what would be removed."
        )

    def handle(self, *args, dry_run, **options):
        results = privacy.retention_apply(now=timezone.now(), dry_run=dry_run)
        verb = "Would remove" if dry_run else "Removed"
        for rule, before, count in results:
            period = f"{rule.setting}={getattr(settings, rule.setting)}"
            if before is None:
                self.stdout.write(f"Keeping all {rule.what} ({period}).")
            else:
                when = format_date(before, weekday=False)
                self.stdout.write(f"{verb} {count} {rule.what} from before {when} ({period}).")
