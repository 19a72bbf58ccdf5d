"""The lessons log and library: logged by the project, curated by the PMO, searched by
everyone, and shown to a new project's manager for similar projects (same method, zone)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.methods.helpers import raw
from tracker.lessons import services as lessons
from tracker.lessons.models import Lesson
from tracker.methods import services as methods

LESSON = {
    "title": "Recruit residents for testing early",
    "what_happened": "Testing waited three weeks for volunteers",
    "verdict": "avoid",
    "recommendation": "Recruit the residents' panel at kick-off",
    "category": "stakeholders",
}


def _assessed(make_project, make_user, method):
    manager = make_user()
    project = make_project(manager=manager)
    methods.assess(project, raw(), assessed_by=manager)
    project.delivery_method = method
    return project, manager


def test_a_new_manager_sees_library_lessons_of_similar_projects(
    client, login, db, make_project, make_user
):
    old, old_manager = _assessed(make_project, make_user, "agile")
    other_method, other_manager = _assessed(make_project, make_user, "stage_gated")
    db.session.commit()
    login(old_manager)
    assert client.post(f"/projects/{old.id}/lessons", data=LESSON).status_code == 302
    lesson = db.session.scalars(select(Lesson)).one()
    assert (lesson.method, lesson.zone) == ("agile", lessons.zone_of(old.id))
    login(other_manager)
    client.post(
        f"/projects/{other_method.id}/lessons", data={**LESSON, "title": "Gate packs too long"}
    )
    db.session.commit()
    new, new_manager = _assessed(make_project, make_user, "agile")
    db.session.commit()
    login(new_manager)
    page = client.get(f"/projects/{new.id}/lessons").get_data(as_text=True)
    assert "Recruit residents for testing early" not in page  # not in the library yet
    # A manager cannot curate; the PMO adds it to the library.
    url = f"/lessons/{lesson.id}/curate"
    assert client.post(url, data={"in_library": "yes", "version": "1"}).status_code == 403
    login(make_user("PMO", global_role="pmo"))
    assert client.post(url, data={"in_library": "yes", "version": "1"}).status_code == 302
    gate_packs = db.session.scalars(select(Lesson).where(Lesson.title == "Gate packs too long"))
    lessons.curate(gate_packs.one(), True, version=None, actor=make_user("P2", global_role="pmo"))
    db.session.commit()
    login(new_manager)
    page = client.get(f"/projects/{new.id}/lessons").get_data(as_text=True)
    similar = page[page.index("Lessons from similar projects") : page.index("This project")]
    assert "Recruit residents for testing early" in similar
    assert "Gate packs too long" not in similar  # another method
    library = client.get("/lessons?q=residents&method=agile").get_data(as_text=True)
    assert "Recruit residents for testing early" in library
    assert "Gate packs too long" not in client.get("/lessons?method=agile").get_data(as_text=True)
    assert "Gate packs too long" in client.get("/lessons?q=gate").get_data(as_text=True)
    assert "No lessons match" in client.get("/lessons?q=100%25_").get_data(as_text=True)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "Enter a title for the lesson"),
        ({"what_happened": ""}, "Say what happened"),
        ({"verdict": "maybe"}, "Not a valid choice"),
        ({"category": "misc"}, "Choose the lesson&#39;s category from the list"),
    ],
)
def test_bad_lessons_are_refused_and_nothing_saved(
    client, login, db, make_project, make_user, overrides, message
):
    project, manager = _assessed(make_project, make_user, "agile")
    db.session.commit()
    login(manager)
    response = client.post(f"/projects/{project.id}/lessons", data={**LESSON, **overrides})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Lesson.id))) == 0


def test_the_lessons_log_and_the_library_download(client, login, db, make_project, make_user):
    import csv
    import io

    from openpyxl import load_workbook

    from tracker.lessons.exports import HEADERS

    agile, agile_manager = _assessed(make_project, make_user, "agile")
    gated, gated_manager = _assessed(make_project, make_user, "stage_gated")
    pmo = make_user("PMO", global_role="pmo")
    kept = lessons.log_lesson(
        agile, lessons.LessonData(**{**LESSON, "title": "+Recruit early"}), actor=agile_manager
    )
    other = lessons.log_lesson(gated, lessons.LessonData(**LESSON), actor=gated_manager)
    for lesson in (kept, other):
        lessons.curate(lesson, True, version=None, actor=pmo)
    db.session.commit()
    login(agile_manager)
    response = client.get(f"/projects/{agile.id}/lessons.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert tuple(rows[0]) == HEADERS and len(rows) == 2
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["Lesson"] == "'+Recruit early" and record["Delivery method"] == "Agile"
    assert record["Repeat or avoid"] == "Avoid it" and record["In the library"] == "Yes"
    assert client.get(f"/projects/{gated.id}/lessons.csv").status_code == 403
    # The library as filtered on the page, the filter on the About sheet.
    book = load_workbook(io.BytesIO(client.get("/lessons.xlsx?method=stage_gated").data))
    assert book.sheetnames == ["About", "Lessons"]
    values = list(book["Lessons"].iter_rows(values_only=True))
    assert len(values) == 2 and values[1][1].startswith(gated.code)
    about = [cell for row in book["About"].iter_rows(values_only=True) for cell in row if cell]
    assert "Stage-gated" in " ".join(str(cell) for cell in about)
