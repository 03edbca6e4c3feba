"""Fixtures for the conformance tests: the real `graphnote emulator` binary started as a process
(HTTPS, its own CA), and a scripted "browser" that fills in the emulator's sign-in and consent
forms the way a person would."""

import json
import os
import re
import subprocess
import tempfile
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

import msal
import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("GRAPHNOTE_BIN", REPO / "target" / "debug" / "graphnote"))
DEMO_CLIENT_ID = "5ca1ab1e-6a70-4e0f-9c3b-7e57c11e4700"
DEMO_CLIENT_SECRET = "gn8Q~emulator-demo-secret.not-for-production"
PASSWORD = "graphnote-demo"
CONTOSO = "4a1c2e3f-0b5d-4c6e-8f70-9a8b7c6d5e4f"


class Emulator:
    def __init__(self, process, base_url, ca_path):
        self.process = process
        self.base_url = base_url
        self.ca_path = ca_path

    def admin(self, method, path, **kwargs):
        response = requests.request(method, f"{self.base_url}/_emulator{path}", verify=self.ca_path, timeout=10, **kwargs)
        assert response.status_code < 400, response.text
        return response.json() if response.content else None

    def log(self, since=0):
        return self.admin("GET", f"/log?since={since}")["entries"]

    def last_seq(self):
        entries = self.log()
        return entries[-1]["seq"] if entries else 0


@pytest.fixture(scope="session")
def emulator():
    assert BINARY.exists(), f"build the binary first: {BINARY}"
    data_dir = tempfile.mkdtemp(prefix="graphnote-emulator-")
    # Logs go to a file: a pipe nobody reads would fill up and stall the server.
    process = subprocess.Popen(
        [str(BINARY), "emulator", "--listen", "127.0.0.1:0", "--data-dir", data_dir],
        stdout=subprocess.PIPE,
        stderr=open(os.path.join(data_dir, "emulator.log"), "w"),
        text=True,
    )
    first = process.stdout.readline()
    match = re.search(r"listening on (https://\S+)", first)
    assert match, f"unexpected first line from the emulator: {first!r}"
    ca_path = os.path.join(data_dir, "ca.pem")
    # MSAL uses `requests`, which trusts what REQUESTS_CA_BUNDLE names: the emulator's CA only.
    os.environ["REQUESTS_CA_BUNDLE"] = ca_path
    yield Emulator(process, match.group(1), ca_path)
    process.terminate()
    process.wait(timeout=10)


class _Forms(HTMLParser):
    """Collects each <form> with its action and its input/button name=value pairs."""

    def __init__(self):
        super().__init__()
        self.forms = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action", ""), "fields": {}, "buttons": {}})
        elif self.forms and tag == "input" and attrs.get("name"):
            self.forms[-1]["fields"][attrs["name"]] = attrs.get("value", "")
        elif self.forms and tag == "button" and attrs.get("name"):
            self.forms[-1]["buttons"].setdefault(attrs["name"], []).append(attrs.get("value", ""))


def forms_of(html):
    parser = _Forms()
    parser.feed(html)
    return parser.forms


class Browser:
    """A cookie-keeping client that signs in through the emulator's pages, without following the
    final redirect to the app (which is not running in these tests)."""

    def __init__(self, emulator):
        self.emulator = emulator
        self.session = requests.Session()
        self.session.verify = emulator.ca_path

    def sign_in(self, auth_uri, username, password=PASSWORD, consent="accept"):
        page = self.session.get(auth_uri, allow_redirects=False, timeout=10)
        if page.status_code == 302:
            return _redirect_params(page.headers["Location"])
        form = forms_of(page.text)[0]
        if "password" in form["fields"]:
            fields = dict(form["fields"], username=username, password=password)
            page = self.session.post(urllib.parse.urljoin(page.url, form["action"]), data=fields, allow_redirects=False, timeout=10)
            if page.status_code == 302:
                return _redirect_params(page.headers["Location"])
            assert page.status_code == 200, page.text
            form = forms_of(page.text)[0]
        assert "consent" in form["buttons"], "expected the consent form"
        fields = dict(form["fields"], consent=consent)
        page = self.session.post(urllib.parse.urljoin(page.url, form["action"]), data=fields, allow_redirects=False, timeout=10)
        assert page.status_code == 302, page.text
        return _redirect_params(page.headers["Location"])


def _redirect_params(location):
    _redirect_params.last_location = location
    parsed = urllib.parse.urlsplit(location)
    return {k: v[0] for k, v in urllib.parse.parse_qs(parsed.query).items()}


@pytest.fixture
def browser(emulator):
    return Browser(emulator)


def last_redirect():
    """The full Location of the last redirect a Browser stopped at."""
    return _redirect_params.last_location


def free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AppProcess:
    def __init__(self, url, log_path, data_dir):
        self.url = url
        self.log_path = log_path
        self.data_dir = data_dir

    def log(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()


@pytest.fixture(scope="session")
def app(emulator):
    """`graphnote serve` as a process, configured from the environment like a real deployment,
    against the same emulator process MSAL uses."""
    port = free_port()
    data_dir = tempfile.mkdtemp(prefix="graphnote-app-")
    env = dict(
        os.environ,
        CLIENT_ID=DEMO_CLIENT_ID,
        CLIENT_SECRET=DEMO_CLIENT_SECRET,
        AUTHORITY=f"{emulator.base_url}/common",
        GRAPH_ENDPOINT=emulator.base_url,
        CA_BUNDLE=emulator.ca_path,
        PUBLIC_URL=f"http://127.0.0.1:{port}",
        LISTEN=f"127.0.0.1:{port}",
        SESSION_SECRET="python-suite-secret-0123456789abcdef",
        SESSION_STORE=f"sqlite:{data_dir}/sessions.sqlite3",
        DATA_DIR=data_dir,
        MCP="on",
        # MCP clients' metadata documents come from the emulator, on loopback.
        MCP_CLIENT_METADATA_LOOPBACK="on",
        # An export of a demo user runs in a second, not at OneNote's pace.
        ONENOTE_PER_MINUTE="100000",
        ONENOTE_PER_HOUR="1000000",
        EXPORT_POLL_MILLISECONDS="100",
    )
    process = subprocess.Popen(
        [str(BINARY), "serve"],
        cwd=data_dir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=open(os.path.join(data_dir, "app.log"), "w"),
        text=True,
    )
    first = process.stdout.readline()
    assert "listening" in first, f"graphnote serve did not start: {first!r}"
    app = AppProcess(f"http://127.0.0.1:{port}", os.path.join(data_dir, "app.log"), data_dir)
    yield app
    process.terminate()
    process.wait(timeout=10)


def decode_jwt_claims(token):
    import base64

    payload = token.split(".")[1]
    payload += "=" * (-len(payload) % 4)
    return json.loads(base64.urlsafe_b64decode(payload))


# OneNote clients: an MSAL Python token and a plain `requests` Graph client.

NOTES_REDIRECT_URI = "http://localhost:5000/getAToken"


def notes_token(emulator, browser, user):
    app = msal.ConfidentialClientApplication(
        DEMO_CLIENT_ID,
        client_credential=DEMO_CLIENT_SECRET,
        authority=f"{emulator.base_url}/{CONTOSO}",
        instance_discovery=False,
        token_cache=msal.SerializableTokenCache(),
    )
    flow = app.initiate_auth_code_flow(["Notes.Read"], redirect_uri=NOTES_REDIRECT_URI)
    params = browser.sign_in(flow["auth_uri"], user)
    result = app.acquire_token_by_auth_code_flow(flow, params)
    assert "access_token" in result, result
    assert "Notes.Read" in result["scope"].split()
    return result["access_token"]


class Graph:
    def __init__(self, emulator, token):
        self.base = f"{emulator.base_url}/v1.0"
        self.session = requests.Session()
        self.session.verify = emulator.ca_path
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.requests = 0

    def get(self, url):
        if not url.startswith("http"):
            url = self.base + url
        self.requests += 1
        return self.session.get(url, timeout=30)

    def json(self, url):
        response = self.get(url)
        assert response.status_code == 200, (url, response.text)
        return response.json()

    def collection(self, url):
        """Every item of a collection, following @odata.nextLink verbatim."""
        items = []
        while url:
            page = self.json(url)
            items.extend(page["value"])
            url = page.get("@odata.nextLink")
        return items
