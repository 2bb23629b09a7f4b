from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from guildbook.accounts import services
from guildbook.accounts.forms import ApiTokenForm, ProfileForm


@login_required
def profile(request):
    form = ProfileForm(instance=request.user)
    token_form = ApiTokenForm()
    new_secret = request.session.pop("new_api_token", None)
    if request.method == "POST":
        form = ProfileForm(request.POST, instance=request.user)
        if form.is_valid():
            services.user_update_profile(user=request.user, actor=request.user, **form.cleaned_data)
            messages.success(request, "Your details are saved.")
            return redirect("accounts:profile")
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "token_form": token_form,
            "tokens": request.user.api_tokens.all(),
            "new_secret": new_secret,
        },
    )


@login_required
@require_POST
def token_create(request):
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        _token, secret = services.api_token_create(
            user=request.user, name=form.cleaned_data["name"], actor=request.user
        )
        request.session["new_api_token"] = secret
        messages.success(request, "Token created. Copy it now: it will not be shown again.")
    else:
        messages.error(request, "Give the token a name so you can recognise it later.")
    return redirect("accounts:profile")


@login_required
@require_POST
def token_revoke(request, pk):
    token = request.user.api_tokens.filter(pk=pk).first()
    if token is None:
        raise Http404("No such token")
    services.api_token_revoke(token=token, actor=request.user)
    messages.success(request, f"The token “{token.name}” no longer works.")
    return redirect("accounts:profile")
