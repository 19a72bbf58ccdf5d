"""Lessons through the API: a project's log, and the library searched and filtered by
method, for anyone signed in; only the project's people log, only PMO staff curate."""

from __future__ import annotations

from tests.lessons.test_pages import LESSON, _assessed
from tracker.lessons import services as lessons
from tracker.lessons.models import Lesson


def test_a_lesson_is_logged_and_listed_through_the_api(db, api_as, make_project, make_user):
    project, manager = _assessed(make_project, make_user, "agile")
    db.session.commit()
    api = api_as(manager)
    created = api.post(f"/projects/{project.id}/lessons", json=LESSON)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert (body["method"], body["in_library"]) == ("agile", False)
    assert body["zone"] == lessons.zone_of(project.id)
    bad = api.post(f"/projects/{project.id}/lessons", json={**LESSON, "verdict": "maybe"})
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "verdict"
    listed = api.get(f"/projects/{project.id}/lessons").get_json()
    assert [item["title"] for item in listed["items"]] == [LESSON["title"]]
    assert listed["meta"]["total"] == 1
    # Someone not on the project neither reads nor logs.
    outsider = api_as(make_user("Outsider"))
    assert outsider.get(f"/projects/{project.id}/lessons").status_code == 403
    assert outsider.post(f"/projects/{project.id}/lessons", json=LESSON).status_code == 403
    assert db.session.query(Lesson).count() == 1


def test_the_library_is_searched_and_filtered_by_method(db, api_as, make_project, make_user):
    agile, agile_manager = _assessed(make_project, make_user, "agile")
    gated, gated_manager = _assessed(make_project, make_user, "stage_gated")
    pmo = make_user("PMO", global_role="pmo")
    kept = lessons.log_lesson(agile, lessons.LessonData(**LESSON), actor=agile_manager)
    other = lessons.log_lesson(
        gated,
        lessons.LessonData(**{**LESSON, "title": "Gate packs too long"}),
        actor=gated_manager,
    )
    lessons.log_lesson(
        agile, lessons.LessonData(**{**LESSON, "title": "Not curated"}), actor=agile_manager
    )
    for lesson in (kept, other):
        lessons.curate(lesson, True, version=None, actor=pmo)
    db.session.commit()
    # Anyone signed in reads the library, not only PMO staff or the projects' people.
    api = api_as(make_user("Reader"))

    def titles(query=""):
        response = api.get("/lessons" + query)
        assert response.status_code == 200, response.get_json()
        return [item["title"] for item in response.get_json()["items"]]

    assert sorted(titles()) == ["Gate packs too long", LESSON["title"]]
    assert titles("?method=agile") == [LESSON["title"]]
    assert titles("?method=stage_gated") == ["Gate packs too long"]
    assert titles("?q=gate%20packs") == ["Gate packs too long"]
    assert titles("?q=100%25") == []  # a wildcard is searched as itself
    assert api.get("/lessons?method=waterfall").status_code == 422
