"""The reader's notifications page, opening one, the e-mail preference page, and the one-click
unsubscribe that needs no sign-in."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import selectors, services
from .forms import MailPreferenceForm

PER_PAGE = 30


@never_cache
@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    """The reader's notifications, newest first; unread ones marked. Notes the language the
    reader reads the site in, for their e-mail, and counts the bell afresh (a reply held or
    hidden since it notified leaves the count here at the latest)."""
    services.remember_language(user=request.user, language=get_language())
    services.count_bell(user_id=request.user.pk)
    paginator = Paginator(selectors.notifications_of(user=request.user), PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    for notification in page.object_list:
        notification.who = selectors.replier_name(notification.reply)
    return render(request, "notifications/list.html", {"page": page})


@never_cache
@login_required
@require_GET
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Opening a notification marks it read and leads to the reply (its permalink, which finds
    the page of the thread that shows it). Another reader's, or none: back to the list."""
    notification = services.mark_read(user=request.user, notification_id=notification_id)
    if notification is None:
        messages.info(request, _("That notification is not among yours."))
        return redirect("notifications")
    return redirect(notification.reply.get_absolute_url())


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    services.mark_all_read(user=request.user)
    messages.success(request, _("All notifications are marked read."))
    return redirect("notifications")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    preference = selectors.mail_preference(user_id=request.user.pk)
    if request.method == "POST":
        form = MailPreferenceForm(request.POST)
        if form.is_valid():
            services.set_reply_mail(
                user=request.user, reply_mail=form.cleaned_data["reply_mail"], language=form.cleaned_data["language"]
            )
            messages.success(request, _("Your e-mail preference is saved."))
            return redirect("notification_settings")
        status = 400
    else:
        form = MailPreferenceForm(
            initial={"reply_mail": preference.reply_mail, "language": preference.language or get_language()}
        )
        status = 200
    context = {"form": form, "may_mail": selectors.may_mail(request.user)}
    return render(request, "notifications/settings.html", context, status=status)


@csrf_exempt  # RFC 8058: the mail client posts without a session or a token; the token is the proof
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page with a button (a link scanner fetching the link changes nothing). POST (the
    button, or the mail client's one-click "List-Unsubscribe=One-Click"): reply mail off."""
    user = services.unsubscribe(token=token) if request.method == "POST" else selectors.reader_for_token(token)
    if user is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=404)
    context = {"done": request.method == "POST", "token": token}
    return render(request, "notifications/unsubscribe.html", context)
