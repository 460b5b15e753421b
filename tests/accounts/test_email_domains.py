"""Abuse: the disposable-domain list moderators keep in the admin, refused at sign-up and at a change
of address; each reader's verified e-mail domain and sign-in method, which moderators see in the
queue and the reader's admin page while the address itself stays hidden from them."""

import pytest
from allauth.account import signals as allauth_signals
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse

from accounts.email_addresses import refresh_email_verified
from accounts.email_domains import email_domain, is_disposable
from accounts.models import DisposableEmailDomain, User
from accounts.sign_in_methods import record_sign_in_method
from forum.models import Comment
from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


@pytest.fixture
def throwaway(db):
    return DisposableEmailDomain.objects.create(domain=" Throwaway.Example. ", note="seen in a spam wave")


def test_a_listed_domain_and_its_subdomains_are_disposable_and_others_not(throwaway):
    assert throwaway.domain == "throwaway.example"
    assert is_disposable("someone@THROWAWAY.example")
    assert is_disposable("someone@mx.throwaway.example")
    assert not is_disposable("someone@notthrowaway.example")
    assert not is_disposable("someone@example")
    assert email_domain("Taro@Mail.Example.JP.") == "mail.example.jp"


def test_sign_up_refuses_a_disposable_address_and_keeps_what_was_typed(client, throwaway):
    page = client.post(
        reverse("sign_up"),
        {
            "username": "burner",
            "email": "burner@throwaway.example",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "country": "JP",
        },
    )
    text = page.content.decode()
    assert page.status_code == 200 and "throwaway mailboxes" in text
    assert 'value="burner@throwaway.example"' in text and 'value="burner"' in text
    assert not User.objects.filter(username="burner").exists()


def test_the_refusal_is_in_japanese_for_a_japanese_reader(client, throwaway):
    page = client.post(
        reverse("sign_up"),
        {"username": "burner", "email": "b@throwaway.example", "password1": PASSWORD, "password2": PASSWORD},
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    assert "使い捨て" in page.content.decode()


def test_a_change_of_address_refuses_a_disposable_one(client, throwaway):
    reader = UserFactory()
    client.force_login(reader)
    page = client.post(reverse("email_settings"), {"email": "new@throwaway.example"})
    assert page.status_code == 200 and "throwaway mailboxes" in page.content.decode()
    assert 'value="new@throwaway.example"' in page.content.decode()
    assert not EmailAddress.objects.filter(user=reader).exists()


def test_moderators_keep_the_list_in_the_admin(moderator):
    client = Client()
    client.force_login(moderator)
    added = client.post(
        reverse("admin:accounts_disposableemaildomain_add"), {"domain": "Burner.Example", "note": "report 12"}
    )
    assert added.status_code == 302
    assert DisposableEmailDomain.objects.get().domain == "burner.example"
    assert client.get(reverse("admin:accounts_disposableemaildomain_changelist")).status_code == 200


def test_the_verified_address_records_its_domain_and_a_new_one_replaces_it():
    reader = UserFactory(email="", email_verified=False)
    EmailAddress.objects.create(user=reader, email="hanako@Mail.Example.jp", primary=True, verified=True)
    refresh_email_verified(user=reader)
    assert User.objects.get(pk=reader.pk).email_domain == "mail.example.jp"
    EmailAddress.objects.filter(user=reader).delete()
    refresh_email_verified(user=reader)
    assert User.objects.get(pk=reader.pk).email_domain == ""


def test_the_sign_in_method_follows_the_last_sign_in(client):
    reader = UserFactory(username="hanako")
    client.post(reverse("login"), {"username": "hanako", "password": PASSWORD})
    assert User.objects.get(pk=reader.pk).sign_in_method == "password"

    class ProviderAccount:  # what allauth's social login carries: the provider's id
        provider = "line"

    class SocialLogin:
        account = ProviderAccount()

    allauth_signals.user_logged_in.send(sender=User, request=None, user=reader, sociallogin=SocialLogin())
    assert User.objects.get(pk=reader.pk).sign_in_method == "line"


def test_recording_the_same_method_again_writes_nothing(django_assert_num_queries):
    reader = UserFactory(sign_in_method="password")
    with django_assert_num_queries(0):
        record_sign_in_method(user=reader, method="password")


def test_moderators_see_the_domain_and_method_never_the_address(moderator):
    author = UserFactory(
        username="author", email="secret-box@mail.example.jp", email_domain="mail.example.jp", sign_in_method="google"
    )
    CommentFactory(author=author, status=Comment.Status.PENDING)
    client = Client()
    client.force_login(moderator)

    queue = client.get(reverse("admin:moderation_queueitem_changelist")).content.decode()
    assert "mail.example.jp · google" in queue and "secret-box" not in queue

    reader_page = client.get(reverse("admin:accounts_user_change", args=[author.pk])).content.decode()
    assert "mail.example.jp" in reader_page and "google" in reader_page and "secret-box" not in reader_page

    listing = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert "mail.example.jp" in listing and "secret-box" not in listing
