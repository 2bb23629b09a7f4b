from django import template

from guildbook.qualifications.selectors import pounds as _pounds

register = template.Library()


@register.filter
def pounds(pence):
    """4500 → "£45"; 4550 → "£45.50"."""
    return _pounds(pence)
