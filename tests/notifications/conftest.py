from tests.scheduler.fixtures import board, mail_to, smtp_server, waiting_gate  # noqa: F401
