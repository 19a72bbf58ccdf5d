import pytest


@pytest.fixture
def pmo(make_user):
    return make_user("Priya PMO", global_role="pmo")


@pytest.fixture
def pmo_client(client, login, pmo):
    return login(pmo)
