"""Cursor pagination (``core.apischema.CursorPages``) on the lists that can hold millions of
rows: a walk by ``next_cursor`` sees every row once, in the pages' order, and rows arriving
meanwhile do not shift it; a page number still works."""

from relais.leads.services import lead_submit
from relais.testing.factories import PartnerFactory


def submit(partner, n):
    data = {"last_name": f"Client {n}", "phone": f"0611{n:06d}", "postcode": "69003"}
    return lead_submit(data=data, channel="api", partner=partner).pk


def walk(api, path, size, during=None):
    seen, cursor = [], None
    while True:
        body = api.get(path, {"page_size": size} | ({"cursor": cursor} if cursor else {})).json()
        seen += [row["id"] for row in body["items"]]
        if during:
            during()
        if not body["next_cursor"]:
            return seen
        cursor = body["next_cursor"]


def test_a_walk_by_cursor_sees_each_lead_once_newest_first(api_client, manager):
    partner = PartnerFactory()
    ids = [submit(partner, n) for n in range(7)]
    api = api_client(manager)
    by_page = [row["id"] for row in api.get("/api/v1/leads", {"page_size": 50}).json()["items"]]
    count = [100]

    def another_arrives():
        count[0] += 1
        submit(partner, count[0])

    assert walk(api, "/api/v1/leads", 3, during=another_arrives) == by_page
    assert sorted(by_page) == sorted(ids)


def test_the_last_page_has_no_next_cursor_and_a_forged_one_is_refused(api_client, manager):
    partner = PartnerFactory()
    for n in range(2):
        submit(partner, n)
    api = api_client(manager)
    assert api.get("/api/v1/leads", {"page_size": 2}).json()["next_cursor"] is None
    for forged in ("x", "WzFd", "WyIyMDI2LTAxLTAxIiwgOTk5OTk5OTk5OTk5OTk5OTk5OTk5XQ"):
        response = api.get("/api/v1/leads", {"cursor": forged})
        assert response.status_code == 422, forged
        assert set(response.json()["error"]["fields"]) == {"cursor"}
