"""The official MCP Python SDK, unmodified, connects to graphnote's `/mcp` the standard way —
the 401, both metadata documents, dynamic registration or a Client ID Metadata Document, PKCE, the user signing in to graphnote
with Microsoft (the emulator) and allowing it on graphnote's consent page — then lists the user's
notebooks and pages and reads a page and its files, checked against what the emulator holds."""

import asyncio
import base64
import hashlib
import re
import time
import urllib.parse

import httpx2
from mcp import Client
from mcp.client.auth import OAuthClientProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import AuthorizationCodeResult, OAuthClientMetadata

from conftest import Browser, forms_of, last_redirect

ADA = "ada@contoso.example"
REDIRECT_URI = "http://127.0.0.1:53682/callback"


class MemoryStorage:
    """Where the SDK keeps its registration and tokens (a real client keeps them on disk)."""

    def __init__(self):
        self.tokens = None
        self.client_info = None

    async def get_tokens(self):
        return self.tokens

    async def set_tokens(self, tokens):
        self.tokens = tokens

    async def get_client_info(self):
        return self.client_info

    async def set_client_info(self, client_info):
        self.client_info = client_info


class Person:
    """Ada at her browser: follows graphnote's redirects, signs in at the emulator when sent
    there (and gives OneNote's permission when asked), and allows the app on the consent page."""

    def __init__(self, emulator, app):
        self.browser = Browser(emulator)
        self.app = app
        self.consent_pages = []
        self.codes = []

    def allow(self, authorization_url):
        url = authorization_url
        for _ in range(10):
            if url.startswith(self.app.url):
                page = self.browser.session.get(url, allow_redirects=False, timeout=10)
                if page.status_code == 200:
                    return self._answer(page)
                assert page.status_code in (302, 303), page.text
                url = urllib.parse.urljoin(url, page.headers["Location"])
            else:
                self.browser.sign_in(url, ADA)
                url = last_redirect()
        raise AssertionError("the consent page never came")

    def _answer(self, page):
        self.consent_pages.append(page.text)
        form = forms_of(page.text)[0]
        fields = dict(form["fields"], decision="allow")
        answer = self.browser.session.post(urllib.parse.urljoin(page.url, form["action"]), data=fields, allow_redirects=False, timeout=10)
        assert answer.status_code in (302, 303), answer.text
        location = answer.headers["Location"]
        assert location.startswith(REDIRECT_URI), location
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
        self.codes.append(query["code"])
        return AuthorizationCodeResult(code=query["code"], state=query.get("state"), iss=query.get("iss"))


async def session_of(app, person, work, storage, client_metadata_url=None):
    answers = []

    async def redirect_handler(authorization_url):
        # The SDK would open a browser here; Ada answers in hers.
        answers.append(await asyncio.to_thread(person.allow, authorization_url))

    async def callback_handler():
        return answers.pop()

    provider = OAuthClientProvider(
        server_url=f"{app.url}/mcp",
        client_metadata=OAuthClientMetadata(
            client_name="Python SDK assistant",
            redirect_uris=[REDIRECT_URI],
            grant_types=["authorization_code", "refresh_token"],
            response_types=["code"],
            token_endpoint_auth_method="none",
        ),
        storage=storage,
        redirect_handler=redirect_handler,
        callback_handler=callback_handler,
        client_metadata_url=client_metadata_url,
    )
    async with httpx2.AsyncClient(auth=provider, timeout=30) as http:
        async with Client(streamable_http_client(f"{app.url}/mcp", http_client=http)) as client:
            return await work(client)


def structured(result):
    assert not result.is_error, result
    return result.structured_content


def test_the_official_mcp_sdk_connects_and_reads_a_page_and_its_files(emulator, app):
    pages = emulator.admin("GET", f"/onenote/{ADA}/pages")["pages"]
    page = next(p for p in pages if p["resources"])
    person = Person(emulator, app)

    async def work(client):
        tools = await client.list_tools()
        assert {t.name for t in tools.tools} == {"list_notebooks", "list_pages", "read_page", "search_pages"}
        notebooks = structured(await client.call_tool("list_notebooks", {}))["notebooks"]
        listed = await client.call_tool("list_pages", {"section_id": page["section"]["id"]})
        read = await client.call_tool("read_page", {"page_id": page["id"]})
        assert not read.is_error, read
        files = {}
        for item in read.content:
            if item.type == "resource_link":
                contents = (await client.read_resource(item.uri)).contents[0]
                files[item.name] = hashlib.sha256(base64.b64decode(contents.blob)).hexdigest()
        return notebooks, structured(listed)["pages"], read.content[0].text, files

    storage = MemoryStorage()
    notebooks, listed, markdown, files = asyncio.run(session_of(app, person, work, storage))

    assert "Python SDK assistant" in person.consent_pages[0]
    assert page["notebook"]["id"] in {n["id"] for n in notebooks}
    in_section = sorted((p for p in pages if p["section"]["id"] == page["section"]["id"]), key=lambda p: p["order"])
    assert [p["id"] for p in listed] == [p["id"] for p in in_section]
    download = person.browser.session.get(f"{app.url}/onenote/pages/{page['id']}.md", timeout=10)
    assert download.status_code == 200
    assert markdown == download.text, "read_page gives the .md download, byte for byte"
    assert {r["sha256"] for r in page["resources"]} <= set(files.values()), (page["resources"], files)
    for name in files:
        assert name in markdown

    # No code or token the client got is in graphnote's log; its client id is.
    log = app.log()
    secrets = [*person.codes, storage.tokens.access_token, storage.tokens.refresh_token]
    assert all(secret and secret not in log for secret in secrets)
    assert storage.client_info.client_id in log or "MCP client allowed" in log


def test_the_official_mcp_sdk_connects_by_its_client_metadata_document(emulator, app):
    # The client's document, published over HTTPS (the emulator stands in for its web host).
    url = f"{emulator.base_url}/_emulator/documents/python-assistant.json"
    emulator.admin("PUT", "/documents/python-assistant.json", json={
        "client_id": url,
        "client_name": "Python SDK by its URL",
        "redirect_uris": [REDIRECT_URI],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
    })
    person = Person(emulator, app)
    storage = MemoryStorage()

    async def work(client):
        tools = await client.list_tools()
        return {t.name for t in tools.tools}

    names = asyncio.run(session_of(app, person, work, storage, client_metadata_url=url))

    assert "read_page" in names
    assert "Python SDK by its URL" in person.consent_pages[0]
    assert storage.client_info.client_id == url, "no registration: the URL is the client's id"


def export_everything(emulator, app, person):
    """Ada exports all her notebooks from graphnote's page, and waits for it to finish."""
    session = person.browser.session
    index = session.get(f"{app.url}/onenote", timeout=10)
    csrf = re.search(r'name="csrf" value="([^"]+)"', index.text).group(1)
    started = session.post(f"{app.url}/onenote/exports", data={"scope": "all", "csrf": csrf}, allow_redirects=False, timeout=10)
    assert started.status_code in (302, 303), started.text
    job = urllib.parse.urljoin(app.url, started.headers["Location"])
    for _ in range(600):
        status = session.get(job, headers={"Accept": "application/json"}, timeout=10).json()
        if status["state"] == "done":
            return
        assert status["state"] in ("queued", "running"), status
        time.sleep(0.1)
    raise AssertionError("the export did not finish")


def test_the_official_mcp_sdk_finds_a_page_by_a_word_only_in_its_text_after_an_export(emulator, app):
    limits = emulator.admin("GET", "/limits")
    emulator.admin("PUT", "/limits", json=dict(limits, per_minute=100000, per_hour=1000000))
    try:
        pages = emulator.admin("GET", f"/onenote/{ADA}/pages")["pages"]
        titles = [p["title"].lower() for p in pages]
        person = Person(emulator, app)
        storage = MemoryStorage()

        async def before(client):
            page = pages[0]
            read = await client.call_tool("read_page", {"page_id": page["id"]})
            body = structured(read)["markdown"].split("\n---\n", 1)[1]
            word = next(w for w in re.findall(r"[^\W\d_]{6,}", body) if all(w.lower() not in t for t in titles))
            found = structured(await client.call_tool("search_pages", {"query": word}))
            return page, word, found

        page, word, found = asyncio.run(session_of(app, person, before, storage))
        assert found["text_matches"] == [] and found["export"] is None, found
        assert "/onenote" in found["note"]

        export_everything(emulator, app, person)

        async def after(client):
            return structured(await client.call_tool("search_pages", {"query": word.upper()}))

        found = asyncio.run(session_of(app, person, after, storage))
        assert page["id"] in [m["id"] for m in found["text_matches"]], (word, found)
        assert found["export"]["update_url"].startswith(app.url), found
    finally:
        emulator.admin("PUT", "/limits", json=limits)
