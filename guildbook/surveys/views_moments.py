"""Trainers' pages for a course's survey moments (filled in below)."""

from django.http import Http404


def moment_list(request, slug):
    raise Http404


moment_create = moment_edit = moment_remove = moment_list
