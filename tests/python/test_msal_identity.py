"""MSAL Python (unmodified, pinned in requirements.txt) against `graphnote emulator`: the
auth-code flow with PKCE, ID-token claims, silent token reuse and refresh, revocation, consent
denial and the client-credentials grant. Trust comes from the emulator's ca.pem only."""

import time

import msal

from conftest import CONTOSO, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, decode_jwt_claims

REDIRECT_URI = "http://localhost:5000/getAToken"


def make_app(emulator, tenant=CONTOSO):
    return msal.ConfidentialClientApplication(
        DEMO_CLIENT_ID,
        client_credential=DEMO_CLIENT_SECRET,
        authority=f"{emulator.base_url}/{tenant}",
        # A custom authority host: MSAL's documented switch for non-Microsoft hosts (reference §8.2).
        instance_discovery=False,
        token_cache=msal.SerializableTokenCache(),
    )


def sign_in(emulator, browser, app, user, scopes=("User.Read",), **flow_args):
    flow = app.initiate_auth_code_flow(list(scopes), redirect_uri=REDIRECT_URI, **flow_args)
    params = browser.sign_in(flow["auth_uri"], user)
    assert params.get("state") == flow["state"], "state must be echoed exactly"
    return app.acquire_token_by_auth_code_flow(flow, params)


def token_grants(emulator, since, grant_type):
    return [e for e in emulator.log(since) if e["grant_type"] == grant_type and e["path"].endswith("/token")]


def test_sign_in_silent_reuse_refresh_and_revocation(emulator, browser):
    # 305 s: more than MSAL's 5-minute margin right after issue (with 5 s to spare for a busy
    # machine's sign-in; 1 s was too little), less than it six seconds later.
    emulator.admin("PUT", "/lifetimes", json={"access_token": 305})
    try:
        app = make_app(emulator)
        result = sign_in(emulator, browser, app, "ada@contoso.example")
        assert "access_token" in result, result
        claims = result["id_token_claims"]
        assert claims["preferred_username"] == "ada@contoso.example"
        assert claims["name"] == "Ada Lovelace"
        assert claims["tid"] == CONTOSO
        assert claims["aud"] == DEMO_CLIENT_ID
        assert claims["iss"] == f"{emulator.base_url}/{CONTOSO}/v2.0"
        assert claims["ver"] == "2.0"
        assert claims["oid"] == "0a4d3bbe-1c2d-4e5f-8a9b-0c1d2e3f4a5b"
        assert "refresh_token" in result
        assert result["scope"].split()[0] == "User.Read"

        (account,) = app.get_accounts()
        assert account["username"] == "ada@contoso.example"
        # client_info makes the home account id "uid.utid".
        assert account["home_account_id"] == f"{claims['oid']}.{CONTOSO}"

        seq = emulator.last_seq()
        cached = app.acquire_token_silent(["User.Read"], account)
        assert cached["access_token"] == result["access_token"]
        assert token_grants(emulator, seq, "refresh_token") == [], "a fresh token must come from the cache"

        time.sleep(6)
        refreshed = app.acquire_token_silent(["User.Read"], account)
        assert refreshed and refreshed["access_token"] != result["access_token"]
        assert len(token_grants(emulator, seq, "refresh_token")) == 1

        revoked = emulator.admin("POST", "/users/ada@contoso.example/revoke")
        assert revoked["revoked_refresh_tokens"] >= 1
        time.sleep(6)
        outcome = app.acquire_token_silent_with_error(["User.Read"], account)
        assert outcome is not None and "access_token" not in outcome, outcome
        assert outcome["error"] == "invalid_grant"
        assert 50173 in outcome.get("error_codes", [])
    finally:
        emulator.admin("PUT", "/lifetimes", json={})


def test_common_authority_gives_the_real_tenant_issuer(emulator, browser):
    app = make_app(emulator, "common")
    result = sign_in(emulator, browser, app, "grace@contoso.example", scopes=("User.Read", "Notes.Read"))
    assert "access_token" in result, result
    assert result["id_token_claims"]["iss"] == f"{emulator.base_url}/{CONTOSO}/v2.0"
    access = decode_jwt_claims(result["access_token"])
    assert set(access["scp"].split()) >= {"User.Read", "Notes.Read"}
    assert access["appid"] == DEMO_CLIENT_ID
    assert access["upn"] == "grace@contoso.example"


def test_consent_denied_reaches_the_app_as_access_denied(emulator, browser):
    app = make_app(emulator)
    flow = app.initiate_auth_code_flow(["Notes.ReadWrite"], redirect_uri=REDIRECT_URI)
    params = browser.sign_in(flow["auth_uri"], "alan@contoso.example", consent="deny")
    assert params["error"] == "access_denied"
    assert params["error_description"].startswith("AADSTS65004:")
    result = app.acquire_token_by_auth_code_flow(flow, params)
    assert result.get("error") == "access_denied" and "access_token" not in result


def test_client_credentials_for_graph_default(emulator):
    app = make_app(emulator)
    result = app.acquire_token_for_client(["https://graph.microsoft.com/.default"])
    assert "access_token" in result, result
    claims = decode_jwt_claims(result["access_token"])
    assert claims["roles"] == ["User.Read.All"]
    assert "scp" not in claims and claims["idtyp"] == "app"


def test_wrong_secret_is_invalid_client(emulator):
    app = msal.ConfidentialClientApplication(
        DEMO_CLIENT_ID,
        client_credential="not-the-secret",
        authority=f"{emulator.base_url}/{CONTOSO}",
        instance_discovery=False,
    )
    result = app.acquire_token_for_client(["https://graph.microsoft.com/.default"])
    assert result["error"] == "invalid_client"
    assert 7000215 in result["error_codes"]
