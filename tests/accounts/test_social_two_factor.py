"""A provider stands for the password, never for the code: an account with two-factor that signs in
through a provider goes on to the code step, on the site and through the API."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tests.accounts.test_social import through_provider
from tests.factories import STAFF_TOTP_SECRET, UserFactory, totp_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked_reader(oidc_provider):
    """A reader with two-factor whose Yahoo! JAPAN ID (the local provider) is linked."""
    reader = UserFactory(username="taro", email="taro@example.org", two_factor=True)
    EmailAddress.objects.create(user=reader, email="taro@example.org", primary=True, verified=True)
    client = Client()
    client.force_login(reader)
    through_provider(client, oidc_provider, process="connect")
    return reader


def test_the_provider_leads_to_the_code_step_and_the_code_signs_in(oidc_provider, linked_reader):
    client = Client()
    answer = through_provider(client, oidc_provider)

    assert answer.status_code == 302 and answer["Location"] == reverse("sign_in_code")
    assert SESSION_KEY not in client.session  # not signed in before the code
    wrong = client.post(reverse("sign_in_code"), {"code": f"{(int(totp_code()) + 1) % 1_000_000:06d}"})
    assert wrong.status_code == 200 and SESSION_KEY not in client.session
    signed_in = client.post(reverse("sign_in_code"), {"code": totp_code(STAFF_TOTP_SECRET)})
    assert signed_in.status_code == 302
    assert int(client.session[SESSION_KEY]) == linked_reader.pk


def test_the_apps_provider_token_answers_the_code_step(oidc_provider, linked_reader):
    api = APIClient()
    answer = api.post(
        "/api/v1/auth/social/token/",
        {"provider": "yahoo-japan", "id_token": oidc_provider.mint_id_token()},
        format="json",
    )

    assert answer.status_code == 202, answer.json()
    assert answer.json()["code"] == "two_factor_required" and "token" not in answer.json()
    finished = api.post(
        "/api/v1/auth/token/two-factor/",
        {"two_factor_token": answer.json()["two_factor_token"], "otp": totp_code(STAFF_TOTP_SECRET)},
        format="json",
    )
    assert finished.status_code == 200 and finished.json()["token"]
