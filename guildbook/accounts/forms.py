from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms

from guildbook.accounts.models import User


class SignupForm(AllauthSignupForm):
    name = forms.CharField(max_length=150, label="Your name")
    field_order = ["name", "email", "password1"]


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
