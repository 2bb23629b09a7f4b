from allauth.account.forms import RequestLoginCodeForm as AllauthRequestLoginCodeForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms

from guildbook.accounts.models import User, normalise_email


class SignupForm(AllauthSignupForm):
    name = forms.CharField(max_length=150, label="Your name")
    field_order = ["name", "email", "password1"]


class RequestLoginCodeForm(AllauthRequestLoginCodeForm):
    """allauth's "e-mail me a code", which also sends one to a person brought in by the
    history import who has not signed in yet (inactive, awaiting their first sign-in): the
    code, once entered, activates them (AccountAdapter.pre_login). A person an administrator
    deactivated is still treated as unknown."""

    def clean_email(self) -> str:
        email = super().clean_email()
        if email and self._user is None:
            self._user = User.objects.filter(
                email=normalise_email(email), is_active=False, awaiting_first_sign_in=True
            ).first()
        return email


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["name", "job_title", "team", "organisation"]


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, label="What the token is for", help_text="For example “Library website”."
    )


class PeopleImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file", help_text="Columns: email, name, team, organisation, role"
    )
