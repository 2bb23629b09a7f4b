"""What Guildbook holds about a person, and how it is exported and erased: a registry.

Each app knows its own data, so each registers its own parts in its `privacy.py`, whose
`register()` core calls for every app when Guildbook loads (`register_apps`): an *exporter*
returns the rows about a person for "Your data", an *eraser* removes the person's identity
from the app's tables. Lower apps never import higher ones;
the accounts app runs the registry (`guildbook/accounts/privacy.py`).

Erasers run in the reverse order of registration, so apps that build on others (surveys on
training, training on notifications) clear their rows before the rows they point at.
"""

import csv
import html
import io
import json
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import TextField
from django.db.models.functions import Cast


@dataclass(frozen=True)
class ExportPart:
    name: str  # file name stem, e.g. "bookings"
    title: str  # heading on the index page
    rows: Callable  # rows(person) -> list[dict]


@dataclass(frozen=True)
class Eraser:
    name: str
    erase: Callable  # erase(*, person, stand_in, actor) -> dict[str, int] (counts, for the audit)


_exporters: list[ExportPart] = []
_erasers: list[Eraser] = []


def register_apps() -> None:
    """Call `register()` in each Guildbook app's `privacy.py` (core's own part is in
    `privacy_parts.py`), in the order of INSTALLED_APPS, so erasers run higher apps first."""
    from importlib import import_module

    from django.apps import apps

    for config in apps.get_app_configs():
        if not config.name.startswith("guildbook."):
            continue
        name = (
            f"{config.name}.privacy_parts" if config.label == "core" else f"{config.name}.privacy"
        )
        try:
            module = import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue  # an app with nothing about a person (insights, api)
            raise
        module.register()


def register_exporter(name: str, title: str, rows: Callable) -> None:
    if not any(p.name == name for p in _exporters):
        _exporters.append(ExportPart(name, title, rows))


def register_eraser(name: str, erase: Callable) -> None:
    if not any(e.name == name for e in _erasers):
        _erasers.append(Eraser(name, erase))


_file_sources: list[tuple[str, Callable]] = []


def register_files(name: str, files: Callable) -> None:
    """`files(person)` -> (file name, open) pairs, `open()` giving the stored file in binary;
    "Your data" copies each into the archive under `files/<name>/`."""
    if not any(n == name for n, _ in _file_sources):
        _file_sources.append((name, files))


def exporters() -> list[ExportPart]:
    return list(_exporters)


def erasers() -> list[Eraser]:
    return list(reversed(_erasers))


# --- The export file -----------------------------------------------------------------------


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _csv(rows: list[dict]) -> str:
    out = io.StringIO()
    columns = list(dict.fromkeys(key for row in rows for key in row))
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                k: (json.dumps(v, default=str) if isinstance(v, dict | list) else _plain(v))
                for k, v in row.items()
            }
        )
    return out.getvalue()


def _cell(value) -> str:
    if isinstance(value, dict | list):
        value = json.dumps(value, default=str, ensure_ascii=False)
    return html.escape("" if value is None else str(_plain(value)))


def _index(title: str, parts: list[tuple[ExportPart, list[dict]]], files: list[str] = ()) -> str:
    sections = []
    for part, rows in parts:
        if rows:
            columns = list(dict.fromkeys(key for row in rows for key in row))
            head = "".join(f'<th scope="col">{html.escape(c)}</th>' for c in columns)
            body = "".join(
                "<tr>" + "".join(f"<td>{_cell(row.get(c))}</td>" for c in columns) + "</tr>"
                for row in rows
            )
            table = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        else:
            table = "<p>Nothing held.</p>"
        sections.append(
            f'<section><h2 id="{part.name}">{html.escape(part.title)}</h2>'
            f'<p>Also in <a href="{part.name}.csv">{part.name}.csv</a> and '
            f'<a href="{part.name}.json">{part.name}.json</a>.</p>{table}</section>'
        )
    if files:
        links = "".join(f'<li><a href="{html.escape(f)}">{html.escape(f)}</a></li>' for f in files)
        sections.append(f'<section><h2 id="files">Your files</h2><ul>{links}</ul></section>')
    contents = "".join(
        f'<li><a href="#{p.name}">{html.escape(p.title)}</a> ({len(r)})</li>' for p, r in parts
    )
    if files:
        contents += f'<li><a href="#files">Your files</a> ({len(files)})</li>'
    return (
        '<!doctype html><html lang="en-GB"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;max-width:70rem;margin:1rem auto;padding:0 1rem}"
        "table{border-collapse:collapse;display:block;overflow-x:auto}"
        "th,td{border:1px solid #999;padding:.25rem .5rem;text-align:left;vertical-align:top}"
        "</style></head><body>"
        f"<h1>{html.escape(title)}</h1><ul>{contents}</ul>{''.join(sections)}</body></html>"
    )


def export_archive(person, *, title: str) -> tuple[bytes, dict[str, int]]:
    """A ZIP of every registered part as JSON and CSV, with a readable index.html.
    Returns the bytes and the number of rows in each part."""
    parts = [(part, [dict(r) for r in part.rows(person)]) for part in _exporters]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        copied = []
        for source, files in _file_sources:
            for name, opener in files(person):
                path = f"files/{source}/{name}"
                try:
                    with opener() as stored, archive.open(path, "w") as copy:
                        shutil.copyfileobj(stored, copy)
                except FileNotFoundError:
                    continue  # gone from storage: its row still says what it was
                copied.append(path)
        archive.writestr("index.html", _index(title, parts, copied))
        for part, rows in parts:
            archive.writestr(
                f"{part.name}.json",
                json.dumps(rows, default=_plain, indent=2, ensure_ascii=False),
            )
            archive.writestr(f"{part.name}.csv", _csv(rows))
    return out.getvalue(), {part.name: len(rows) for part, rows in parts}


# --- Removing a person's words from stored text -----------------------------------------


def scrub(value, needles: list[str], replacement: str):
    """`value` (text, or JSON made of dicts, lists and text) with every needle replaced,
    ignoring case."""
    if isinstance(value, str):
        lowered = value.lower()
        if not any(n.lower() in lowered for n in needles):
            return value
        import re

        pattern = "|".join(re.escape(n) for n in sorted(needles, key=len, reverse=True))
        return re.sub(pattern, replacement, value, flags=re.IGNORECASE)
    if isinstance(value, dict):
        return {
            scrub(k, needles, replacement): scrub(v, needles, replacement) for k, v in value.items()
        }
    if isinstance(value, list):
        return [scrub(v, needles, replacement) for v in value]
    return value


def needles_for(person) -> list[str]:
    """What identifies a person in free text: their address and their name (as stored, and
    as JSON escapes it)."""
    found = [person.email]
    if person.name and len(person.name.strip()) >= 3:
        found.append(person.name.strip())
        escaped = json.dumps(person.name.strip())[1:-1]
        if escaped != person.name.strip():
            found.append(escaped)
    return found


def rows_mentioning(queryset, field: str, needles: list[str]):
    """Rows whose text (or JSON, read as text) holds any needle."""
    from django.db.models import Q

    annotated = queryset.annotate(_text=Cast(field, TextField()))
    condition = Q()
    for needle in needles:
        condition |= Q(_text__icontains=needle)
    return annotated.filter(condition)


def scrub_rows(queryset, fields: list[str], needles: list[str], replacement: str) -> int:
    """Replace the needles in these fields of every row that mentions one. Returns rows
    changed."""
    changed = 0
    for field in fields:
        for row in rows_mentioning(queryset, field, needles):
            setattr(row, field, scrub(getattr(row, field), needles, replacement))
            row.save(update_fields=[field])
            changed += 1
    return changed


# --- Retention ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionRule:
    name: str
    setting: str  # the setting holding how long, e.g. "RETENTION_OUTBOX_DAYS"
    unit: str  # "days", "months" or "years"
    what: str  # what it removes, e.g. "e-mail messages sent or given up"
    apply: Callable  # apply(*, before, dry_run) -> int (how many it removed, or would)


_retention: list[RetentionRule] = []
_activity: list[Callable] = []


def register_retention(rule: RetentionRule) -> None:
    if not any(r.name == rule.name for r in _retention):
        _retention.append(rule)


def register_activity(active_since: Callable) -> None:
    """`active_since(moment) -> set of user ids` who did something in Guildbook since then
    (booked, attended...), so their accounts do not count as inactive."""
    if active_since not in _activity:
        _activity.append(active_since)


def active_since(moment) -> set[int]:
    found: set[int] = set()
    for fn in _activity:
        found |= set(fn(moment))
    return found


def retention_cutoff(rule: RetentionRule, now):
    """The moment before which the rule removes things, or None when the setting keeps them
    for ever (0)."""
    from dateutil.relativedelta import relativedelta
    from django.conf import settings

    amount = getattr(settings, rule.setting)
    if not amount:
        return None
    return now - relativedelta(**{rule.unit: amount})


def retention_apply(*, now, dry_run: bool) -> list[tuple[RetentionRule, object, int]]:
    """Apply every registered rule (or, with dry_run, count what each would remove).
    Returns (rule, cut-off, count) for each rule."""
    results = []
    for rule in _retention:
        before = retention_cutoff(rule, now)
        count = 0 if before is None else rule.apply(before=before, dry_run=dry_run)
        results.append((rule, before, count))
    return results
