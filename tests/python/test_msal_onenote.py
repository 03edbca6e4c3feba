"""MSAL Python (unmodified) gets a Notes.Read token from `graphnote emulator`, then a plain
`requests` client walks the whole seeded OneNote hierarchy the way a real client would (following
`@odata.nextLink` verbatim), reads every page and every resource the pages reference, and checks
the bytes against what the emulator seeded (the admin API serves them). Finally OneNote's
per-user throttle: a low configured rate gives 429 with code 20166 and no Retry-After, while
another user is not affected."""

from html.parser import HTMLParser

import requests

from conftest import Browser, Graph, notes_token

class ResourceLinks(HTMLParser):
    """Resource URLs referenced by page HTML (img src / data-fullres-src, object data)."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "data-fullres-src", "data") and value and "/onenote/resources/" in value:
                self.urls.append(value)

    handle_startendtag = handle_starttag


def walk_sections(graph, container_url):
    """Sections of a notebook or section group, including those in nested section groups."""
    sections = graph.collection(f"{container_url}/sections")
    for group in graph.collection(f"{container_url}/sectionGroups"):
        sections.extend(walk_sections(graph, f"/me/onenote/sectionGroups/{group['id']}"))
    return sections


def test_walk_the_whole_hierarchy_and_read_every_page_and_resource(emulator, browser):
    user = "ada@contoso.example"
    graph = Graph(emulator, notes_token(emulator, browser, user))
    emulator.admin("PUT", "/limits", json={"per_minute": 100000, "per_hour": 100000, "concurrent": 5})
    try:
        notebooks = graph.collection("/me/onenote/notebooks")
        assert len(notebooks) >= 2
        sections = []
        for notebook in notebooks:
            sections.extend(walk_sections(graph, f"/me/onenote/notebooks/{notebook['id']}"))
        assert len({s["id"] for s in sections}) == len(sections)
        assert {s["id"] for s in sections} == {s["id"] for s in graph.collection("/me/onenote/sections")}

        pages = []
        for section in sections:
            section_pages = graph.collection(section["pagesUrl"])
            assert all(p["parentSection"]["id"] == section["id"] for p in section_pages)
            pages.extend(section_pages)
        assert any(len(graph.collection(s["pagesUrl"])) > 100 for s in sections), "a section with more than 100 pages"
        everywhere = graph.collection("/me/onenote/pages")
        assert {p["id"] for p in pages} == {p["id"] for p in everywhere}

        seen = set()
        for page in pages:
            response = graph.get(page["contentUrl"])
            assert response.status_code == 200, response.text
            assert response.headers["Content-Type"].startswith("text/html")
            html = response.text
            assert 'data-absolute-enabled="true"' in html
            links = ResourceLinks()
            links.feed(html)
            for url in links.urls:
                assert url.startswith(f"{emulator.base_url}/v1.0/users('{user}')/onenote/resources/")
                resource_id = url.split("/resources/")[1].split("/")[0]
                body = graph.get(url)
                assert body.status_code == 200, body.text
                seeded = requests.get(
                    f"{emulator.base_url}/_emulator/onenote/{user}/resources/{resource_id}",
                    verify=emulator.ca_path,
                    timeout=10,
                )
                assert body.content == seeded.content, url
                seen.add(resource_id)

        listed = emulator.admin("GET", f"/onenote/{user}/resources")["resources"]
        assert seen == {r["id"] for r in listed}, "every seeded resource is referenced and was read"
        assert any(r["content_type"] == "application/pdf" for r in listed)
    finally:
        emulator.admin("PUT", "/limits", json={})


def test_throttling_is_per_user_and_has_no_retry_after(emulator, browser):
    ada = Graph(emulator, notes_token(emulator, browser, "ada@contoso.example"))
    grace = Graph(emulator, notes_token(emulator, Browser(emulator), "grace@contoso.example"))
    emulator.admin("PUT", "/limits", json={"per_minute": 5, "per_hour": 400, "concurrent": 5})
    try:
        statuses = [ada.get("/me/onenote/notebooks") for _ in range(6)]
        assert [r.status_code for r in statuses[:5]] == [200] * 5
        throttled = statuses[5]
        assert throttled.status_code == 429
        assert throttled.json()["error"]["code"] == "20166"
        assert "Retry-After" not in throttled.headers
        assert grace.get("/me/onenote/notebooks").status_code == 200
        logged = [e for e in emulator.log() if e["status"] == 429]
        assert logged and logged[-1]["user"] == "ada@contoso.example"
    finally:
        emulator.admin("PUT", "/limits", json={})
