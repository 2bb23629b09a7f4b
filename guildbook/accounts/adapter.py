from allauth.account.adapter import DefaultAccountAdapter

from guildbook.core.proxies import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.name = form.cleaned_data.get("name", "") or user.name
        if commit:
            user.save()
        return user

    def get_client_ip(self, request):
        # Rate limits count per client, read through trusted proxies only.
        return client_ip(request) or super().get_client_ip(request)
