import pytest


@pytest.fixture
def pmo(make_user):
    return make_user("Priya PMO", global_role="pmo")


@pytest.fixture
def pmo_client(client, login, pmo):
    return login(pmo)


@pytest.fixture
def project(db, make_project):
    """A project with a delivery method (method decisions set it in real life)."""

    def factory(method="agile", **overrides):
        record = make_project(**overrides)
        record.delivery_method = method
        db.session.commit()
        return record

    return factory
