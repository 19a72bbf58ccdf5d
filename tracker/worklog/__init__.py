"""Work logging: time entries, weekly timesheets, hourly rates and labour cost."""

from flask import Blueprint

bp = Blueprint("worklog", __name__)

from tracker.worklog import views  # noqa: E402,F401
