from urllib.parse import urlencode

from allauth.account.views import PasswordResetView as AllauthPasswordResetView
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from infra.rate_limits import SIGN_IN, SIGN_UP, rate_limited, too_many_requests

from .countries import suggested_country
from .email_addresses import (
    MailLimited,
    add_sign_up_address,
    change_email,
    current_address,
    ensure_within_mail_limits,
    pending_address,
    resend_verification,
)
from .forms import (
    AccountDeletionForm,
    EmailChangeForm,
    ForumPasswordChangeForm,
    ProfileForm,
    SignUpForm,
    TotpActivateForm,
    TwoFactorCodeForm,
)
from .models import AccountDeletion
from .selectors import badge_of, has_verified_email, reader_data_export, standing_of
from .services import WRONG_PASSWORD_NOT_DELETED, accept_badge, decline_badge, delete_account, update_profile
from .services import sign_up as sign_up_service
from .sign_in_limits import password_confirmed
from .two_factor import (
    TwoFactorLimited,
    activate_totp,
    deactivate_two_factor,
    end_pending_sign_in,
    has_two_factor,
    must_set_up_two_factor,
    pending_sign_in,
    recovery_codes_left,
    regenerate_recovery_codes,
    start_pending_sign_in,
    totp_setup,
    verify_code,
)


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
    if request.method == "POST" and form.is_valid():
        try:
            user = sign_up_service(user=form.save(commit=False)).user
        except ValidationError as taken:  # the username was taken at the same moment
            form.add_error(None, taken)
        else:
            add_sign_up_address(request, user=user, email=form.cleaned_data["email"])
            login(request, user, backend="accounts.backends.UsernameBackend")
            messages.success(
                request,
                _(
                    "Welcome, %(name)s. We sent a link to %(email)s: follow it to verify your address, and you "
                    "can vote, comment and report."
                )
                % {"name": user.public_name, "email": form.cleaned_data["email"]},
            )
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
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "standing": standing_of(user=request.user), "badge": badge_of(user=request.user)},
    )


@login_required
@require_POST
def badge(request: HttpRequest) -> HttpResponse:
    """The reader accepts the badge offered to them (their comments are signed with it from now
    on), declines it, or gives up the one they hold; the profile says what it means."""
    choice = request.POST.get("choice")
    if choice == "accept":
        if accept_badge(user=request.user) is not None:
            messages.success(request, _("You accepted the badge: your comments are signed with it from now on."))
        else:
            messages.error(request, _("There is no badge waiting for your answer."))
    elif choice == "decline":
        if decline_badge(user=request.user):
            messages.success(request, _("The badge is removed from your account."))
        else:
            messages.error(request, _("There is no badge on your account."))
    else:
        messages.error(request, _("Choose to accept or decline the badge."))
    return redirect(reverse("profile") + "#badge")


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


def needs_email_verification(user) -> bool:
    """A signed-in reader the e-mail rule would refuse (accounts.services.email_refusal)."""
    return settings.FORUM_REQUIRE_VERIFIED_EMAIL and not user.is_staff and not has_verified_email(user=user)


def _after_sign_in(request: HttpRequest, target: str) -> str:
    """Where a reader who has just signed in goes: ``target``, unless they must first verify an
    address (then there, and on to ``target``)."""
    if needs_email_verification(request.user):
        messages.info(
            request,
            _("Add your e-mail address and follow the link we send to it: you need it to vote, comment and report."),
        )
        return f"{reverse('email_settings')}?{urlencode({'next': target})}"
    return target


class SignInView(auth_views.LoginView):
    """Django's sign-in (under the sign-in limits, see accounts.urls). An account with two-factor
    authentication is not signed in by the password: the code step (sign_in_code) comes next. A
    reader without a verified address is asked to add or verify one first, then sent on where they
    were going."""

    def form_valid(self, form) -> HttpResponse:
        user = form.get_user()
        if has_two_factor(user):
            start_pending_sign_in(self.request, user=user)
            return redirect(f"{reverse('sign_in_code')}?{urlencode({'next': self.get_redirect_url()})}")
        return super().form_valid(form)

    def get_success_url(self) -> str:
        return _after_sign_in(self.request, super().get_success_url())


@never_cache
@rate_limited(*SIGN_IN)
def sign_in_code(request: HttpRequest) -> HttpResponse:
    """The sign-in's second step: the code from the reader's app (or a recovery code), for the
    account whose password this browser gave in the last few minutes."""
    user = pending_sign_in(request)
    if user is None:
        messages.info(request, _("Sign in again: the time for the code ran out."))
        return redirect("login")
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            verify_code(request, user=user, code=form.cleaned_data["code"])
        except TwoFactorLimited as limited:
            return too_many_requests(request, wait_seconds=limited.wait_seconds)
        except ValidationError as refusal:
            form.add_error("code", refusal)
        else:
            end_pending_sign_in(request)
            login(request, user)
            return redirect(_after_sign_in(request, _safe_next(request) or resolve_url(settings.LOGIN_REDIRECT_URL)))
    return render(request, "accounts/sign_in_code.html", {"form": form, "next": _safe_next(request) or ""})


@never_cache
@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Two-factor authentication: set it up (QR code, first code, recovery codes shown once), or,
    once on, make new recovery codes or turn it off (each confirmed with a code)."""
    user = request.user
    action = request.POST.get("action") if request.method == "POST" else None
    enabled = has_two_factor(user)
    activate_form = TotpActivateForm(request.POST if action == "activate" else None)
    code_form = TwoFactorCodeForm(request.POST if action in ("recovery_codes", "deactivate") else None)
    codes: list[str] | None = None
    try:
        if action == "activate" and not enabled and activate_form.is_valid():
            try:
                codes = activate_totp(request, user=user, **activate_form.cleaned_data)
            except ValidationError as refusal:
                activate_form.add_error("code", refusal)
        elif action == "recovery_codes" and enabled and code_form.is_valid():
            try:
                codes = regenerate_recovery_codes(request, user=user, code=code_form.cleaned_data["code"])
            except ValidationError as refusal:
                code_form.add_error("code", refusal)
        elif action == "deactivate" and enabled and code_form.is_valid():
            try:
                deactivate_two_factor(request, user=user, code=code_form.cleaned_data["code"])
            except ValidationError as refusal:
                code_form.add_error("code", refusal)
            else:
                messages.success(request, _("Two-factor authentication is off."))
                return redirect("two_factor")
    except TwoFactorLimited as limited:
        return too_many_requests(request, wait_seconds=limited.wait_seconds)
    if codes is not None:
        return render(
            request,
            "accounts/recovery_codes.html",
            {"codes": codes, "activated": action == "activate", "next": _safe_next(request) or ""},
        )
    enabled = has_two_factor(user)
    setup = None
    if not enabled:
        # After a wrong first code, the same secret again: the reader has scanned it already.
        setup = totp_setup(user=user, setup_token=request.POST.get("setup_token") if action == "activate" else None)
    context = {
        "enabled": enabled,
        "required": must_set_up_two_factor(user),
        "setup": setup,
        "activate_form": activate_form,
        "code_form": code_form,
        "recovery_codes_left": recovery_codes_left(user) if enabled else 0,
        "next": _safe_next(request) or "",
    }
    return render(request, "accounts/two_factor.html", context)


@login_required
def email_settings(request: HttpRequest) -> HttpResponse:
    """The reader's address: the one in effect, one waiting for its link, and a form to change it."""
    current, pending = current_address(user=request.user), pending_address(user=request.user)
    # An account from before verification may hold an address already: offered, to be verified.
    initial = {"email": request.user.email} if current is None and pending is None else {}
    form = EmailChangeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            address = change_email(request, user=request.user, email=form.cleaned_data["email"])
        except ValidationError as refusal:
            form.add_error("email", refusal)
        except MailLimited as limited:
            return too_many_requests(request, wait_seconds=limited.wait_seconds)
        else:
            messages.success(
                request,
                _("We sent a link to %(email)s. Follow it to verify the address; until then your current one stays.")
                % {"email": address.email},
            )
            return redirect(_safe_next(request) or "email_settings")
    context = {
        "form": form,
        "current": current,
        "pending": pending,
        "next": _safe_next(request) or "",
    }
    return render(request, "accounts/email.html", context)


@login_required
@require_POST
def email_resend(request: HttpRequest) -> HttpResponse:
    """Send the verification link again (the refusal messages link here)."""
    try:
        address = resend_verification(request, user=request.user)
    except MailLimited as limited:
        return too_many_requests(request, wait_seconds=limited.wait_seconds)
    if address is None:
        messages.info(request, _("No address is waiting for verification. Add one below."))
    else:
        messages.success(request, _("We sent the link to %(email)s again.") % {"email": address.email})
    return redirect("email_settings")


class PasswordResetView(AllauthPasswordResetView):
    """allauth's reset form (the same answer whether or not an account has the address), under the
    account-mail limits: per client address and per e-mail address."""

    template_name = "account/password_reset.html"

    def form_valid(self, form) -> HttpResponse:
        try:
            ensure_within_mail_limits(self.request, email=form.cleaned_data["email"])
        except MailLimited as limited:
            return too_many_requests(self.request, wait_seconds=limited.wait_seconds)
        return super().form_valid(form)
