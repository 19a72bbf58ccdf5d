from sqlalchemy import select
from tracker.budget.models import Checkpoint
from tracker.demo import data
from tracker.projects.models import Project

def test_debug(db):
    data.load("demo password for tests")
    db.session.commit()
    for cp, code in db.session.execute(select(Checkpoint, Project.code).join(Project, Project.id == Checkpoint.project_id).where(Checkpoint.status == "breached")):
        print("BREACH", code, cp.taken_on, cp.trigger, cp.cpi, cp.spi, cp.rag)
    assert False
