"""API clients for the fixed cast: each authenticates with a real token, as an integration would."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.services import api_token_create


def token_client(user) -> APIClient:
    _, secret = api_token_create(user=user, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


@pytest.fixture
def csm_api(csm) -> APIClient:
    return token_client(csm)


@pytest.fixture
def other_csm_api(other_csm) -> APIClient:
    return token_client(other_csm)


@pytest.fixture
def manager_api(manager) -> APIClient:
    return token_client(manager)


@pytest.fixture
def admin_api(admin_user) -> APIClient:
    return token_client(admin_user)
