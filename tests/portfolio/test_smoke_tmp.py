from tests.portfolio import helpers as h


def test_smoke(pmo_client, project, pmo, db):
    a = project("agile")
    b = project("agile")
    h.checkpoint(a, cpi=0.9, spi=1.0)
    h.checkpoint(b, cpi=1.1, spi=0.8)
    r = pmo_client.get("/portfolio/")
    assert r.status_code == 200, r.get_data(as_text=True)[-3000:]
    r = pmo_client.get("/portfolio/projects")
    assert r.status_code == 200, r.get_data(as_text=True)[-3000:]
    r = pmo_client.get("/portfolio/projects.xlsx")
    assert r.status_code == 200
