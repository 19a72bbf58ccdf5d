from tests.agile.conftest import build, team, today  # noqa: F401
from tests.api.conftest import api_as, token_for  # noqa: F401
from tests.scheduler.fixtures import board, mail_to, smtp_server, waiting_gate  # noqa: F401
