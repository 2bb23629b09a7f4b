from dataclasses import dataclass

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings

from guildbook.core.proxies import client_ip


@dataclass(frozen=True)
class MailSite:
    """What allauth's e-mails call "the site": without the Sites framework it would be the
    request's host ("Hello from 127.0.0.1!"). Ours says whose service this is and where."""

    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.name = form.cleaned_data.get("name", "") or user.name
        if commit:
            user.save()
        return user

    def pre_login(self, request, user, **kwargs):
        # Reached only once the person proved the address (a correct code; an imported
        # person has no usable password), so their first sign-in activates them.
        if not user.is_active and user.awaiting_first_sign_in:
            from guildbook.accounts.services import user_activate_on_sign_in

            user_activate_on_sign_in(user=user)
        return super().pre_login(request, user, **kwargs)

    def send_mail(self, template_prefix, email, context):
        site = MailSite(
            name=f"Guildbook, {settings.GUILDBOOK_SERVICE_NAME}", domain=settings.SITE_URL
        )
        super().send_mail(template_prefix, email, {**context, "current_site": site})

    def get_client_ip(self, request):
        # Rate limits count per client, read through trusted proxies only.
        return client_ip(request) or super().get_client_ip(request)
