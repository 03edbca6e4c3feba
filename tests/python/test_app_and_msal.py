"""graphnote (the `serve` binary, configured from the environment) and MSAL Python sign in
against the same emulator process, neither special-cased: each gets its own user's profile."""

import urllib.parse

import requests

from conftest import DEMO_CLIENT_SECRET, PASSWORD, Browser, last_redirect
from test_msal_identity import make_app, sign_in


def test_graphnote_and_msal_share_one_emulator(emulator, app):
    base = app.url
    # MSAL Python, the sample's way.
    msal_app = make_app(emulator, "common")
    result = sign_in(emulator, Browser(emulator), msal_app, "grace@contoso.example")
    assert "access_token" in result, result
    me = requests.get(f"{emulator.base_url}/v1.0/me", headers={"Authorization": f"Bearer {result['access_token']}"}, timeout=10)
    assert me.json()["userPrincipalName"] == "grace@contoso.example"

    # graphnote, through its own pages.
    person = Browser(emulator)
    login = person.session.get(f"{base}/login", allow_redirects=False, timeout=10)
    assert login.status_code in (302, 303)
    person.sign_in(login.headers["Location"], "ada@contoso.example")
    callback = person.session.get(last_redirect(), allow_redirects=False, timeout=10)
    assert callback.status_code in (302, 303) and callback.headers["Location"] == "/", callback.text
    profile = person.session.get(f"{base}/msal-demo", headers={"Accept": "application/json"}, timeout=10)
    assert profile.status_code == 200, profile.text
    assert profile.json()["userPrincipalName"] == "ada@contoso.example"
    home = person.session.get(f"{base}/", timeout=10)
    assert "Ada Lovelace" in home.text


def test_the_app_log_carries_request_ids_and_no_secrets(emulator, app):
    person = Browser(emulator)
    login = person.session.get(f"{app.url}/login?next=/msal-demo", allow_redirects=False, timeout=10)
    person.sign_in(login.headers["Location"], "alan@contoso.example")
    code = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(last_redirect()).query))["code"]
    person.session.get(last_redirect(), allow_redirects=False, timeout=10)
    assert person.session.get(f"{app.url}/msal-demo", timeout=10).status_code == 200
    cookie = next(c.value for c in person.session.cookies if c.name == "graphnote_session")
    log = app.log()
    assert "request_id" in log, "every request line names its request id"
    for secret in [DEMO_CLIENT_SECRET, PASSWORD, code, cookie, "eyJ", "refresh_token="]:
        assert secret not in log, f"the log must not contain {secret[:12]}..."
