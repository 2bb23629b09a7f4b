"""Data files that people write (qualification schemes, skills frameworks): YAML read with
PyYAML's safe rules only (no tags that build objects), checked against a pydantic model, and
a mistake refused as one message naming the file, the line and the field."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from guildbook.core.errors import ServiceError

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
M = TypeVar("M", bound=BaseModel)


def code(max_length: int):
    """A code as files write them: lower-case letters, digits and hyphens."""
    return Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=max_length)]


class Strict(BaseModel):
    """No fields but those named, and white space trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def line_of(node: yaml.Node | None, loc: tuple) -> int | None:
    """The line (1-based) of the value at pydantic's `loc` in the composed YAML tree, or of
    the nearest parent that exists (a missing field is reported at its mapping)."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            found = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
            if found is None:
                break
            node = found
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
        else:
            break
        line = node.start_mark.line + 1
    return line


def yaml_check(
    text: str, *, name: str, model: type[M], error: type[ServiceError], what: str
) -> tuple[M, yaml.Node]:
    """`text` parsed and checked as `model`, with its YAML tree (for the lines of later
    checks). Raises `error` naming `name`, the line and the field; `what` names the kind of
    file ("a scheme file")."""
    try:
        data = yaml.safe_load(text)
        tree = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise error(f"{name}{where}: not valid YAML ({problem}).", field="file") from None
    if not isinstance(data, dict):
        raise error(f"{name}, line 1: {what} is a mapping of fields.", field="file")
    try:
        return model.model_validate(data), tree
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(p for p in first["loc"] if p not in ("function-after",))
        field = ".".join(str(p) for p in loc) or "file"
        line = line_of(tree, loc)
        where = f", line {line}" if line else ""
        message = first["msg"].removeprefix("Value error, ")
        raise error(f"{name}{where}, field {field}: {message}.", field=field) from None


def load_shipped_after_migrate(config, *, model, load, dispatch_uid: str) -> None:
    """After every migrate, `load(using=…)` the data files shipped with `config`'s app, so a
    fresh database offers them at once; skipped while `model`'s table does not exist (migrated
    backwards, or not yet this far)."""
    from django.db import connections
    from django.db.models.signals import post_migrate

    def _load(sender, using="default", **kwargs):
        if model._meta.db_table in connections[using].introspection.table_names():
            load(using=using)

    post_migrate.connect(_load, sender=config, dispatch_uid=dispatch_uid, weak=False)


def file_text(path: Path, *, error: type[ServiceError]) -> str:
    """A data file's text (UTF-8), or `error` saying it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path.name}: cannot be read ({exc}).", field="file") from None
