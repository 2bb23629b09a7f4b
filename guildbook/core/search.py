"""Searching lists by the words someone types into a search box."""

from __future__ import annotations

from collections.abc import Sequence
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet


def with_every_word(
    queryset: QuerySet, query: str, fields: Sequence[str], *, most: int
) -> QuerySet:
    """The rows in which each word of `query` (its first `most` words; any case) stands in
    at least one of `fields`."""
    for word in query.split()[:most]:
        queryset = queryset.filter(reduce(or_, (Q(**{f"{f}__icontains": word}) for f in fields)))
    return queryset
