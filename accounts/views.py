from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from api.rate_limits import SIGN_UP, rate_limited

from .countries import suggested_country
from .forms import AccountDeletionForm, ForumPasswordChangeForm, ProfileForm, SignUpForm
from .models import AccountDeletion
from .selectors import reader_data_export, standing_of
from .services import WRONG_PASSWORD_NOT_DELETED, delete_account, update_profile
from .sign_in_limits import password_confirmed


def _safe_next(request: HttpRequest) -> str | None:
    """The page to return to after signing up, if it is on this site (never an open redirect)."""
    target = request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def _browsers_country(request: HttpRequest) -> str | None:
    return suggested_country(request.headers.get("Accept-Language", ""))


@rate_limited(*SIGN_UP)
def sign_up(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST or None, suggested_country=_browsers_country(request))
    if request.method == "POST" and form.is_valid() and (user := form.save_account()) is not None:
        login(request, user, backend="accounts.backends.UsernameBackend")
        messages.success(request, _("Welcome, %(name)s.") % {"name": user.public_name})
        return redirect(_safe_next(request) or "home")
    return render(request, "accounts/sign_up.html", {"form": form})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user, suggested_country=_browsers_country(request))
    if request.method == "POST" and form.is_valid():
        try:
            update_profile(
                user=request.user,
                display_name=form.cleaned_data["display_name"],
                country=form.cleaned_data["country"],
                time_zone=form.cleaned_data["time_zone"],
            )
        except ValidationError as refusal:  # a country change raced past the form's check
            form.add_error("country", refusal)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("profile")
    return render(request, "accounts/profile.html", {"form": form, "standing": standing_of(user=request.user)})


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's view (old password, new one twice, the validators), with our template. The form
    saves through accounts.services.change_password, which revokes the reader's API tokens;
    sessions elsewhere end with the old password, and the view keeps this one signed in."""

    form_class = ForumPasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("profile")

    def get_form_kwargs(self) -> dict:
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form: ForumPasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(
            self.request, _("Your password is changed. Other devices and apps are signed out; sign them in again.")
        )
        return response


@login_required
def account_delete(request: HttpRequest) -> HttpResponse:
    """Delete the account, confirmed with the password (a forged or mistaken click deletes nothing)."""
    form = AccountDeletionForm(request.POST if request.method == "POST" else None)  # an empty POST is bound too
    if form.is_bound and form.is_valid():
        # A wrong password counts toward the sign-in limits; while one locks, AxesMiddleware
        # answers the lock-out page instead of this one.
        if not password_confirmed(request, request.user, form.cleaned_data["password"]):
            form.add_error("password", WRONG_PASSWORD_NOT_DELETED)
        else:
            delete_account(user=request.user, via=AccountDeletion.Via.WEB)
            logout(request)  # the session goes with the account
            messages.success(request, _("Your account, comments and votes are deleted."))
            return redirect("home")
    return render(request, "accounts/account_delete.html", {"form": form})


@never_cache
@login_required
@require_GET
def account_export(request: HttpRequest) -> HttpResponse:
    """Everything the forum holds about the reader, as a JSON file to download."""
    response = JsonResponse(reader_data_export(user=request.user), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = 'attachment; filename="news-forum-data.json"'
    return response
