from django.conf import settings

from guildbook.core import roles


def navigation(request):
    user = request.user
    return {
        "service_name": settings.GUILDBOOK_SERVICE_NAME,
        "nav_is_trainer": roles.is_trainer(user),
        "nav_can_view_records": roles.can_view_records(user),
        "nav_can_see_insights": roles.can_see_insights(user),
        "nav_is_admin": user.is_authenticated and user.is_staff,
    }
