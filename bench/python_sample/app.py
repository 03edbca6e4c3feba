"""The Python sample graphnote ports, for the benchmark: a minimal Flask + MSAL + Flask-Session
web app in the shape of Azure-Samples/ms-identity-python-webapp (the MSAL-only version):

  /            signed in: the user's name; otherwise a redirect to /login
  /login       initiate_auth_code_flow, keep the flow in the session, go to the authorize URL
  /getAToken   acquire_token_by_auth_code_flow with the flow and the redirect's query
  /logout      clear the session, go to the authority's end-session endpoint
  /msal-demo   acquire_token_silent from the per-session SerializableTokenCache, then Graph /me

As in the sample, sessions are Flask-Session's filesystem (cachelib) sessions, the token cache is
serialized into the session, a ConfidentialClientApplication is built per request around that
cache, and Graph is called with `requests.get`. Two deliberate differences, both in the sample's
favour or neutral: `/login` redirects straight to the authorize URL instead of rendering a page
with a link (so a scripted client needs one request fewer), and `instance_discovery=False`,
which MSAL needs for an authority host that is not Microsoft's (the emulator).

Configuration from the environment: CLIENT_ID, CLIENT_SECRET, AUTHORITY (https),
GRAPH_ENDPOINT, SESSION_DIR, SECRET_KEY; REQUESTS_CA_BUNDLE names the emulator's CA.
"""

import os

import msal
import requests
from flask import Flask, redirect, render_template, request, session, url_for
from flask_session import Session

CLIENT_ID = os.environ["CLIENT_ID"]
CLIENT_SECRET = os.environ["CLIENT_SECRET"]
AUTHORITY = os.environ["AUTHORITY"]
GRAPH_ENDPOINT = os.environ["GRAPH_ENDPOINT"].rstrip("/") + "/v1.0/me"
SCOPE = ["User.Read"]
REDIRECT_PATH = "/getAToken"

app = Flask(__name__)
app.config.update(
    SECRET_KEY=os.environ.get("SECRET_KEY", "bench-only-not-secret"),
    # The sample's app_config: server-side sessions in files.
    SESSION_TYPE="filesystem",
    SESSION_FILE_DIR=os.environ["SESSION_DIR"],
)
Session(app)


@app.route("/")
def index():
    if not session.get("user"):
        return redirect(url_for("login"))
    return render_template("index.html", user=session["user"], version=msal.__version__)


@app.route("/login")
def login():
    session["flow"] = _build_auth_code_flow(scopes=SCOPE)
    return redirect(session["flow"]["auth_uri"])


@app.route(REDIRECT_PATH)
def authorized():
    try:
        cache = _load_cache()
        result = _build_msal_app(cache=cache).acquire_token_by_auth_code_flow(
            session.get("flow", {}), request.args
        )
        if "error" in result:
            return render_template("auth_error.html", result=result), 400
        session["user"] = result.get("id_token_claims")
        _save_cache(cache)
    except ValueError:  # Usually caused by CSRF
        pass  # Simply ignore them
    return redirect(url_for("index"))


@app.route("/logout")
def logout():
    session.clear()  # Wipe out user and its token cache from session
    return redirect(
        AUTHORITY + "/oauth2/v2.0/logout" + "?post_logout_redirect_uri=" + url_for("index", _external=True)
    )


@app.route("/msal-demo")
def graphcall():
    token = _get_token_from_cache(SCOPE)
    if not token:
        return redirect(url_for("login"))
    graph_data = requests.get(
        GRAPH_ENDPOINT,
        headers={"Authorization": "Bearer " + token["access_token"]},
        timeout=30,
    ).json()
    return render_template("display.html", result=graph_data)


def _load_cache():
    cache = msal.SerializableTokenCache()
    if session.get("token_cache"):
        cache.deserialize(session["token_cache"])
    return cache


def _save_cache(cache):
    if cache.has_state_changed:
        session["token_cache"] = cache.serialize()


def _build_msal_app(cache=None, authority=None):
    return msal.ConfidentialClientApplication(
        CLIENT_ID,
        authority=authority or AUTHORITY,
        client_credential=CLIENT_SECRET,
        token_cache=cache,
        instance_discovery=False,
    )


def _build_auth_code_flow(authority=None, scopes=None):
    return _build_msal_app(authority=authority).initiate_auth_code_flow(
        scopes or [], redirect_uri=url_for("authorized", _external=True)
    )


def _get_token_from_cache(scope=None):
    cache = _load_cache()  # This web app maintains one cache per session
    cca = _build_msal_app(cache=cache)
    accounts = cca.get_accounts()
    if accounts:  # So all account(s) belong to the current signed-in user
        result = cca.acquire_token_silent(scope, account=accounts[0])
        _save_cache(cache)
        return result


@app.route("/healthz")
def healthz():
    return "ok"
