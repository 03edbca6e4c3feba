"""Ink as a Python exporter reads it: MSAL Python (unmodified) gets a Notes.Read token from
`graphnote emulator`, then `requests` asks for the seeded ink page with `includeInkML=true` and
the standard library parses the answer as any MIME multipart: one HTML part, one InkML part whose
strokes are `trace`s of `X Y F` points. A page without ink answers plain HTML."""

import email
import email.policy
import xml.etree.ElementTree as ET

from conftest import Graph, notes_token

INKML = "{http://www.w3.org/2003/InkML}"


def page_titled(graph, title):
    return graph.json(f"/me/onenote/pages?$filter=title eq '{title}'")["value"][0]


def parse_multipart(response):
    """The parts of a multipart answer, through the standard library's MIME parser."""
    head = f"Content-Type: {response.headers['Content-Type']}\r\n\r\n".encode()
    message = email.message_from_bytes(head + response.content, policy=email.policy.default)
    assert message.is_multipart(), response.headers["Content-Type"]
    return list(message.iter_parts())


def test_ink_page_answers_html_and_inkml_parts(emulator, browser):
    graph = Graph(emulator, notes_token(emulator, browser, "ada@contoso.example"))
    page = page_titled(graph, "Ink sketch")

    response = graph.get(page["contentUrl"] + "?includeInkML=true")
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("multipart/")
    parts = parse_multipart(response)
    assert [p.get_content_type() for p in parts] == ["text/html", "application/inkml+xml"]

    html = parts[0].get_content()
    assert "<title>Ink sketch</title>" in html
    assert "<!-- InkNode is not supported -->" in html

    ink = ET.fromstring(parts[1].get_payload(decode=True))
    assert ink.tag == f"{INKML}ink"
    brushes = {b.get("{http://www.w3.org/XML/1998/namespace}id") for b in ink.iter(f"{INKML}brush")}
    traces = list(ink.iter(f"{INKML}trace"))
    assert len(traces) >= 1
    for trace in traces:
        assert trace.get("brushRef").lstrip("#") in brushes
        points = [p.split() for p in trace.text.split(",")]
        assert points and all(len(p) == 3 and all(n.isdigit() for n in p) for p in points)


def test_a_page_without_ink_is_plain_html(emulator, browser):
    graph = Graph(emulator, notes_token(emulator, browser, "ada@contoso.example"))
    page = page_titled(graph, "Tables")
    response = graph.get(page["contentUrl"] + "?includeInkML=true")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    without = graph.get(page_titled(graph, "Ink sketch")["contentUrl"])
    assert without.headers["Content-Type"].startswith("text/html")
