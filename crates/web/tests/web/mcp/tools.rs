//! An assistant connected through the OAuth flow uses `/mcp`: it lists the user's notebooks and
//! a section's pages, reads a page as graphnote's Markdown and its files through graphnote —
//! all checked against what the emulator holds. Signing out pauses it, signing in resumes it,
//! Disconnect ends it; any instance answers it.

use std::collections::BTreeSet;

use base64::Engine as _;
use serde_json::{Value, json};

use super::*;

/// A client of `user` (signed in as `upn`, OneNote allowed) on `app`, and its tokens.
async fn connected(app: &TestApp, user: &User, upn: &str) -> (ClientRequest, Value) {
    user.sign_in_for_onenote(app, upn).await;
    let client = registered(app).await;
    let code = code_for(app, user, &client).await;
    let (status, tokens) = exchange(app, &client, &code, VERIFIER).await;
    assert_eq!(status, 200, "{tokens}");
    (client, tokens)
}

fn access(tokens: &Value) -> &str {
    tokens["access_token"].as_str().unwrap()
}

/// A JSON-RPC request to `/mcp` with `token`.
pub(crate) async fn rpc(
    app: &TestApp,
    token: &str,
    method: &str,
    params: Value,
) -> reqwest::Response {
    reqwest::Client::new()
        .post(app.local("/mcp"))
        .bearer_auth(token)
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2025-11-25")
        .json(&json!({"jsonrpc": "2.0", "id": 7, "method": method, "params": params}))
        .send()
        .await
        .unwrap()
}

/// The result of a request that must succeed.
async fn result_of(app: &TestApp, token: &str, method: &str, params: Value) -> Value {
    let response = rpc(app, token, method, params).await;
    assert_eq!(response.status(), 200, "{method}");
    let body: Value = response.json().await.unwrap();
    assert!(body.get("error").is_none(), "{method}: {body}");
    body["result"].clone()
}

async fn tool(app: &TestApp, token: &str, name: &str, arguments: Value) -> Value {
    result_of(
        app,
        token,
        "tools/call",
        json!({"name": name, "arguments": arguments}),
    )
    .await
}

/// The emulator's pages of `upn`.
async fn emulator_pages(emu: &TestEmulator, upn: &str) -> Vec<Value> {
    emu.call_admin(
        reqwest::Method::GET,
        &format!("/onenote/{upn}/pages"),
        Value::Null,
    )
    .await["pages"]
        .as_array()
        .unwrap()
        .clone()
}

/// The first of the emulator's `pages` with images or attachments.
fn with_files(pages: &[Value]) -> &Value {
    pages
        .iter()
        .find(|p| !p["resources"].as_array().unwrap().is_empty())
        .expect("the demo has a page with files")
}

fn section_ids(notebooks: &Value) -> BTreeSet<String> {
    fn walk(node: &Value, out: &mut BTreeSet<String>) {
        for section in node["sections"].as_array().unwrap() {
            out.insert(section["id"].as_str().unwrap().to_string());
        }
        for group in node["section_groups"].as_array().unwrap() {
            walk(group, out);
        }
    }
    let mut out = BTreeSet::new();
    for notebook in notebooks.as_array().unwrap() {
        walk(notebook, &mut out);
    }
    out
}

#[tokio::test]
async fn an_assistant_reads_the_users_notebooks_pages_and_files_through_graphnote() {
    let (emu, _dir, app) = started().await;
    let ada = User::new();
    let (_client, tokens) = connected(&app, &ada, ADA).await;
    let token = access(&tokens);
    let pages = emulator_pages(&emu, ADA).await;

    let tools = result_of(&app, token, "tools/list", json!({})).await;
    let names: BTreeSet<&str> = tools["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        BTreeSet::from(["list_notebooks", "list_pages", "read_page", "search_pages"])
    );

    // Every notebook and every section that holds a page, as the emulator has them.
    let listed = tool(&app, token, "list_notebooks", json!({})).await;
    let notebooks = &listed["structuredContent"]["notebooks"];
    let notebook_ids: BTreeSet<&str> = notebooks
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    let sections = section_ids(notebooks);
    for page in &pages {
        assert!(notebook_ids.contains(page["notebook"]["id"].as_str().unwrap()));
        assert!(sections.contains(page["section"]["id"].as_str().unwrap()));
    }

    // A section's pages in OneNote's order, with their levels.
    let page = with_files(&pages);
    let section = page["section"]["id"].as_str().unwrap();
    let mut expected: Vec<&Value> = pages
        .iter()
        .filter(|p| p["section"]["id"] == section)
        .collect();
    expected.sort_by_key(|p| p["order"].as_i64());
    let listed = tool(&app, token, "list_pages", json!({"section_id": section})).await;
    let got = listed["structuredContent"]["pages"].as_array().unwrap();
    let ids = |pages: &[&Value]| -> Vec<String> {
        pages
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&got.iter().collect::<Vec<_>>()), ids(&expected));
    for (got, expected) in got.iter().zip(&expected) {
        assert_eq!(got["level"], expected["level"]);
        assert_eq!(got["title"], expected["title"]);
    }

    // The page as Markdown, its files as links that read back byte for byte.
    let page_id = page["id"].as_str().unwrap();
    let read = tool(&app, token, "read_page", json!({"page_id": page_id})).await;
    assert_ne!(read["isError"], true, "{read}");
    let content = read["content"].as_array().unwrap();
    let markdown = content[0]["text"].as_str().unwrap();
    // What the page's .md download holds, byte for byte.
    let download = ada
        .get(&app.url(&format!("/onenote/pages/{page_id}.md")))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(markdown, download);
    assert_eq!(read["structuredContent"]["markdown"], download);
    assert_eq!(read["structuredContent"]["next_cursor"], Value::Null);
    let links: Vec<&Value> = content
        .iter()
        .filter(|c| c["type"] == "resource_link")
        .collect();
    let expected_files: BTreeSet<String> = page["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["sha256"].as_str().unwrap().to_string())
        .collect();
    let mut read_files = BTreeSet::new();
    for link in &links {
        let uri = link["uri"].as_str().unwrap();
        assert!(uri.starts_with("graphnote://"), "never a Graph URL: {uri}");
        assert!(markdown.contains(link["name"].as_str().unwrap()));
        let read = result_of(&app, token, "resources/read", json!({"uri": uri})).await;
        let blob = read["contents"][0]["blob"].as_str().unwrap();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(blob)
            .unwrap();
        read_files.insert(export::manifest::sha256_hex(&bytes));
    }
    assert!(
        expected_files.is_subset(&read_files),
        "every file OneNote keeps for the page: {expected_files:?} in {read_files:?}"
    );

    // Counted by tool and outcome.
    let metrics = User::new()
        .get(&app.url("/metrics"))
        .await
        .text()
        .await
        .unwrap();
    let counted = metrics.lines().find(|l| {
        l.starts_with("graphnote_mcp_tool_calls_total")
            && l.contains("tool=\"read_page\"")
            && l.contains("outcome=\"ok\"")
    });
    let count: f64 = counted
        .and_then(|l| l.rsplit(' ').next()?.parse().ok())
        .unwrap_or_else(|| panic!("no read_page count in {metrics}"));
    assert!(count >= 1.0);
}

#[tokio::test]
async fn what_an_assistant_sends_wrong_is_told_back_and_costs_no_onenote_call() {
    let (emu, _dir, app) = started().await;
    let ada = User::new();
    let (_client, tokens) = connected(&app, &ada, ADA).await;
    let token = access(&tokens);
    let before = emu.log_position().await;
    for (name, arguments) in [
        ("read_page", json!({"page_id": "../../etc/passwd"})),
        ("read_page", json!({"page_id": "0-1!2-3", "cursor": "-5"})),
        ("list_pages", json!({"section_id": "a b"})),
        ("list_pages", json!({"section_id": "0-1", "cursor": "x"})),
        (
            "list_pages",
            json!({"section_id": "0-1", "location": "group:../me"}),
        ),
        (
            "read_page",
            json!({"page_id": "0-1", "location": "teams:1"}),
        ),
    ] {
        let told = tool(&app, token, name, arguments.clone()).await;
        assert_eq!(told["isError"], true, "{name} {arguments}: {told}");
        assert!(
            !told["content"][0]["text"].as_str().unwrap().is_empty(),
            "says why"
        );
    }
    for uri in [
        "https://graph.microsoft.com/v1.0/me/onenote/resources/1/$value",
        "graphnote://onenote/pages/0-1/..%2F..%2Fsecrets",
        "graphnote://onenote/groups/..%2Fme/resources/1-a/x.png",
        "file:///etc/passwd",
    ] {
        let body: Value = rpc(&app, token, "resources/read", json!({"uri": uri}))
            .await
            .json()
            .await
            .unwrap();
        assert!(body["error"].is_object(), "{uri}: {body}");
    }
    let graph_calls = emu
        .log_since(before)
        .await
        .iter()
        .filter(|e| e["path"].as_str().is_some_and(|p| p.contains("/onenote/")))
        .count();
    assert_eq!(graph_calls, 0);
}

/// Disconnect pressed on `/connections`.
async fn disconnect(user: &User, app: &TestApp, grant: &str, csrf: &str) -> reqwest::Response {
    user.browser
        .client
        .post(app.url(&format!("/connections/{grant}/disconnect")))
        .form(&[("csrf", csrf)])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn signing_out_pauses_an_assistant_signing_in_resumes_it_and_disconnect_ends_it() {
    let (_emu, _dir, app) = started().await;
    let ada = User::new();
    let (client, tokens) = connected(&app, &ada, ADA).await;
    let token = access(&tokens);
    let works = async |token: &str| {
        let response = rpc(&app, token, "tools/call", json!({"name": "list_notebooks"})).await;
        let status = response.status().as_u16();
        if status == 401 {
            let challenge = response.headers()["www-authenticate"]
                .to_str()
                .unwrap()
                .to_string();
            assert!(challenge.contains("resource_metadata="), "{challenge}");
        }
        status
    };
    assert_eq!(works(token).await, 200);

    ada.get(&app.url("/logout")).await;
    assert_eq!(works(token).await, 401, "signed out: paused");
    ada.sign_in(&app, ADA).await;
    assert_eq!(works(token).await, 200, "signed in again: resumed");

    // The user sees the app, and when it was last used.
    let page = ada
        .get(&app.url("/connections"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Test assistant"), "{page}");
    assert!(!page.contains("not yet"), "it was used: {page}");
    let grant = attribute_after(&page, "action=\"/connections/")
        .unwrap()
        .trim_end_matches("/disconnect")
        .to_string();
    let csrf = attribute_after(&page, "name=\"csrf\" value=\"").unwrap();

    // Another user cannot disconnect it.
    let grace = User::new();
    grace.sign_in(&app, GRACE).await;
    let grace_page = grace
        .get(&app.url("/connections"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!grace_page.contains("Test assistant"));
    // Grace's own CSRF token, from a page that has one for her.
    let exports_page = grace
        .get(&app.url("/onenote/exports"))
        .await
        .text()
        .await
        .unwrap();
    let grace_csrf = attribute_after(&exports_page, "name=\"csrf\" value=\"").unwrap();
    let refused = disconnect(&grace, &app, &grant, &grace_csrf).await;
    assert_eq!(refused.status(), 404);
    assert_eq!(works(token).await, 200);

    let account =
        web::mcp::token_endpoint::access(&app.state.exports.store, token, &app.url("/mcp"))
            .await
            .unwrap()
            .expect("a current token")
            .account;
    let gone = disconnect(&ada, &app, &grant, &csrf).await;
    assert!(gone.status().is_redirection(), "{}", gone.status());
    assert_eq!(works(token).await, 401, "disconnected: its token ends");
    assert!(
        !app.state
            .exports
            .credentials
            .present(&account)
            .await
            .unwrap(),
        "nothing needs Ada's kept sign-in any more: it is forgotten"
    );
    let (status, refused) =
        refreshed(&app, &client, tokens["refresh_token"].as_str().unwrap()).await;
    assert_eq!(
        (status, refused["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let page = ada
        .get(&app.url("/connections"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains("Test assistant"), "{page}");
}

/// Two instances on one Redis behind one public URL, as a load balancer would have them (the
/// resource tokens are bound to is `PUBLIC_URL`'s), with `env`.
async fn behind_one_url(
    emu: &TestEmulator,
    redis: &RedisServer,
    env: &'static [(&'static str, &'static str)],
) -> [TestApp; 2] {
    let first = instances(emu, redis, 1, env).await.remove(0);
    let public_url = first.base_url.clone();
    let second = TestApp::start_with(emu, &redis.url(), |map| {
        map.insert("MCP".into(), "on".into());
        map.insert("PUBLIC_URL".into(), public_url);
        for (k, v) in env {
            map.insert(k.to_string(), v.to_string());
        }
    })
    .await;
    [first, second]
}

#[tokio::test]
async fn on_several_instances_any_instance_answers_a_connected_assistant() {
    let emu = TestEmulator::start().await;
    let redis = RedisServer::start().await;
    let apps = behind_one_url(&emu, &redis, &[]).await;
    let ada = User::new();
    let (_client, tokens) = connected(&apps[0], &ada, ADA).await;
    let token = access(&tokens).to_string();
    for round in 0..10 {
        let calls = (0..6).map(|i| {
            let app = &apps[(round + i) % 2];
            let token = token.clone();
            async move { rpc(app, &token, "tools/call", json!({"name": "list_notebooks"})).await }
        });
        for response in futures_util::future::join_all(calls).await {
            assert_eq!(response.status(), 200, "round {round}");
            let body: Value = response.json().await.unwrap();
            assert_ne!(body["result"]["isError"], true, "round {round}: {body}");
        }
    }
    // A sign-out on one instance pauses the assistant on every one.
    ada.get(&apps[1].local("/logout")).await;
    for app in &apps {
        let response = rpc(app, &token, "tools/call", json!({"name": "list_notebooks"})).await;
        assert_eq!(response.status(), 401);
    }
}

#[tokio::test]
async fn an_assistant_calling_faster_than_onenote_allows_is_told_when_to_try_again() {
    const PER_HOUR: usize = 8;
    let emu = TestEmulator::start().await;
    emu.call_admin(
        reqwest::Method::PUT,
        "/limits",
        json!({"per_minute": 100, "per_hour": PER_HOUR, "concurrent": 5}),
    )
    .await;
    let redis = RedisServer::start().await;
    let since = emu.log_position().await;
    let apps = behind_one_url(
        &emu,
        &redis,
        &[("ONENOTE_PER_MINUTE", "100"), ("ONENOTE_PER_HOUR", "8")],
    )
    .await;
    let ada = User::new();
    let (_client, tokens) = connected(&apps[0], &ada, ADA).await;
    let token = access(&tokens).to_string();
    // Signing in and allowing OneNote opened the notebooks page: those calls count too.
    let used = onenote_calls(&emu.log_since(since).await, ADA).len();
    assert!(used < PER_HOUR, "{used}");

    // Three times the hour's allowance at once, over both instances.
    let calls = (0..3 * PER_HOUR).map(|i| {
        let app = &apps[i % 2];
        let token = token.clone();
        async move {
            let body: Value = rpc(app, &token, "tools/call", json!({"name": "list_notebooks"}))
                .await
                .json()
                .await
                .unwrap();
            body["result"].clone()
        }
    });
    let results = futures_util::future::join_all(calls).await;
    let served = results.iter().filter(|r| r["isError"] != true).count();
    assert_eq!(served, PER_HOUR - used, "the hour's allowance, once");
    for told in results.iter().filter(|r| r["isError"] == true) {
        let text = told["content"][0]["text"].as_str().unwrap();
        assert!(
            text.contains("OneNote's limit for this user: try again in about"),
            "{text}"
        );
    }
    let log = emu.log_since(since).await;
    let calls = onenote_calls(&log, ADA);
    assert_eq!(
        calls.len(),
        PER_HOUR,
        "nothing beyond the allowance reached OneNote"
    );
    assert!(calls.iter().all(|c| c["status"] != 429));
}

#[tokio::test]
async fn one_users_assistant_cannot_read_anothers_pages_or_files() {
    let (emu, _dir, app) = started().await;
    let grace = User::new();
    let (_client, tokens) = connected(&app, &grace, GRACE).await;
    let token = access(&tokens);
    let adas = emulator_pages(&emu, ADA).await;
    let page = with_files(&adas);
    let read = tool(&app, token, "read_page", json!({"page_id": page["id"]})).await;
    assert_eq!(read["isError"], true, "{read}");
    let title = page["title"].as_str().unwrap();
    assert!(!read.to_string().contains(title), "{read}");
    let section = tool(
        &app,
        token,
        "list_pages",
        json!({"section_id": page["section"]["id"]}),
    )
    .await;
    assert_eq!(section["isError"], true, "{section}");
    let resource = page["resources"][0]["id"].as_str().unwrap();
    let uri = format!("graphnote://onenote/resources/{resource}/a.png");
    let body: Value = rpc(&app, token, "resources/read", json!({"uri": uri}))
        .await
        .json()
        .await
        .unwrap();
    assert!(body["error"].is_object(), "{body}");
    assert!(body.get("result").is_none(), "{body}");
}

#[tokio::test]
async fn search_pages_finds_titles_through_onenote_and_text_in_the_latest_export() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let store = format!("sqlite:{}", dir.0.join("sessions.sqlite3").display());
    let data = dir.0.join("data");
    crate::exports::lift_emulator_limits(&emu).await;
    let app = TestApp::start_with(&emu, &store, |env| {
        env.insert("MCP".into(), "on".into());
        crate::exports::quick_exports(env, &data);
        generous_onenote_limits(env);
    })
    .await;
    let ada = User::new();
    let (_client, tokens) = connected(&app, &ada, ADA).await;
    let token = access(&tokens);
    let pages = emulator_pages(&emu, ADA).await;
    let titles: Vec<String> = pages
        .iter()
        .map(|p| p["title"].as_str().unwrap().to_lowercase())
        .collect();

    // A word of one page's title, in other letters' case: found by OneNote's $filter.
    let (page, word) = pages
        .iter()
        .find_map(|p| {
            let title = p["title"].as_str().unwrap();
            let word = title
                .split_whitespace()
                .find(|w| w.len() >= 5 && w.chars().all(char::is_alphabetic))?;
            Some((p, word.to_uppercase()))
        })
        .expect("a seeded title with a word");
    let since = emu.log_position().await;
    let found = tool(&app, token, "search_pages", json!({"query": word})).await;
    let results = &found["structuredContent"];
    let ids: Vec<&str> = results["title_matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&page["id"].as_str().unwrap()), "{found}");
    assert_eq!(results["export"], Value::Null);
    assert!(
        results["note"].as_str().unwrap().contains("/onenote"),
        "{found}"
    );
    let calls = onenote_calls(&emu.log_since(since).await, ADA).len();
    assert_eq!(calls, 1, "one OneNote call: the title filter");

    // After an export, a word only in a page's text (in no title) is found there.
    let job = crate::exports::start_export(&ada, &app, "all", None).await;
    crate::exports::wait_for(&ada, &app, &job, &["done"]).await;
    let read = tool(&app, token, "read_page", json!({"page_id": page["id"]})).await;
    let markdown = read["structuredContent"]["markdown"].as_str().unwrap();
    let body = markdown.splitn(3, "---\n").nth(2).unwrap();
    let word = body
        .split(|c: char| !c.is_alphabetic())
        .find(|w| w.len() >= 6 && titles.iter().all(|t| !t.contains(&w.to_lowercase())))
        .expect("a word of the page's text in no title")
        .to_string();
    let found = tool(
        &app,
        token,
        "search_pages",
        json!({"query": word.to_lowercase()}),
    )
    .await;
    let results = &found["structuredContent"];
    let texts: Vec<&str> = results["text_matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert!(
        texts.contains(&page["id"].as_str().unwrap()),
        "{word}: {found}"
    );
    assert_eq!(results["title_matches"], json!([]));
    assert_eq!(results["export"]["id"], job.as_str());
    assert!(
        results["export"]["update_url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/onenote/exports/{job}")),
        "{found}"
    );

    // Another user's search never reads Ada's export.
    let grace = User::new();
    let (_client, grace_tokens) = connected(&app, &grace, GRACE).await;
    let theirs = tool(
        &app,
        access(&grace_tokens),
        "search_pages",
        json!({"query": word}),
    )
    .await;
    assert_eq!(theirs["structuredContent"]["text_matches"], json!([]));
    assert_eq!(theirs["structuredContent"]["export"], Value::Null);

    // What cannot be a search is told back.
    for query in ["", "a b c d e f g h i"] {
        let told = tool(&app, token, "search_pages", json!({"query": query})).await;
        assert_eq!(told["isError"], true, "{query:?}: {told}");
    }
}

#[tokio::test]
async fn a_long_page_comes_in_parts_of_one_version_and_never_cut() {
    let (emu, _dir, app) = started().await;
    let ada = User::new();
    let (_client, tokens) = connected(&app, &ada, ADA).await;
    let token = access(&tokens);
    // A page of about 200 KB of text, made through Graph as OneNote would have it.
    let body: String = (0..4000)
        .map(|i| format!("<p>Line {i} of a long page, in words that go on and on.</p>"))
        .collect();
    let html = format!("<html><head><title>Long</title></head><body>{body}</body></html>");
    let page = &create_page(&emu, ADA, &html).await;

    let mut joined = String::new();
    let mut cursor = Value::Null;
    let mut parts = 0;
    loop {
        let read = tool(
            &app,
            token,
            "read_page",
            json!({"page_id": page, "cursor": cursor}),
        )
        .await;
        assert_ne!(read["isError"], true, "{read}");
        let part = &read["structuredContent"];
        joined.push_str(part["markdown"].as_str().unwrap());
        parts += 1;
        cursor = part["next_cursor"].clone();
        if cursor.is_null() {
            break;
        }
        let text = read["content"][0]["text"].as_str().unwrap();
        assert!(
            text.trim_end().ends_with(&format!(
                "cursor \"{}\" for the rest]",
                cursor.as_str().unwrap()
            )),
            "the text says how it goes on"
        );
    }
    assert!(parts >= 2, "{parts} part(s)");
    let download = ada
        .get(&app.url(&format!("/onenote/pages/{page}.md")))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(joined, download, "the parts are the page, whole");

    // The page changes between parts: the rest of the old version is not passed off as it.
    let first = tool(&app, token, "read_page", json!({"page_id": page})).await;
    let cursor = first["structuredContent"]["next_cursor"].clone();
    let writer = emu.user_token(ADA, "Notes.ReadWrite openid").await;
    let changed = reqwest::Client::new()
        .patch(format!(
            "{}/v1.0/me/onenote/pages/{page}/content",
            emu.base_url
        ))
        .bearer_auth(&writer)
        .json(&json!([{"target": "body", "action": "prepend", "content": "<p>A new first line.</p>"}]))
        .send()
        .await
        .unwrap();
    assert!(changed.status().is_success(), "{}", changed.status());
    let told = tool(
        &app,
        token,
        "read_page",
        json!({"page_id": page, "cursor": cursor}),
    )
    .await;
    let text = told["content"][0]["text"].as_str().unwrap();
    assert_eq!(
        told["isError"],
        true,
        "a part of another version was served, starting {:?}",
        &text[..text.len().min(80)]
    );
    assert!(text.contains("changed"), "{text}");
}

#[tokio::test]
async fn an_assistant_reads_team_and_site_notebooks_once_the_user_allowed_them() {
    let (_emu, _dir, app) = started().await;
    let ada = User::new();
    ada.sign_in_for_onenote(&app, ADA).await;
    ada.allow_shared_notebooks(&app, ADA).await;
    let client = registered(&app).await;
    let code = code_for(&app, &ada, &client).await;
    let (status, tokens) = exchange(&app, &client, &code, VERIFIER).await;
    assert_eq!(status, 200, "{tokens}");
    let token = access(&tokens);

    let listed = tool(&app, token, "list_notebooks", json!({})).await;
    let notebooks = listed["structuredContent"]["notebooks"].as_array().unwrap();
    let named = |name: &str| {
        notebooks
            .iter()
            .find(|n| n["name"] == name)
            .unwrap_or_else(|| panic!("{name} is not in {notebooks:?}"))
    };
    let own = named("Ada's Notebook");
    assert!(own["location"].is_null(), "{own}");
    assert_eq!(own["place"], "Your notebooks");
    let team = named("Physics 101 Notebook");
    assert_eq!(team["place"], "Physics 101");
    let location = team["location"].as_str().unwrap().to_string();
    let group = location.strip_prefix("group:").expect("a group's location");
    let site = named("Lab Notebook");
    assert!(site["location"].as_str().unwrap().starts_with("site:"));

    let section = team["sections"][0]["id"].as_str().unwrap();
    let pages = tool(
        &app,
        token,
        "list_pages",
        json!({"section_id": section, "location": location}),
    )
    .await;
    let page = pages["structuredContent"]["pages"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let read = tool(
        &app,
        token,
        "read_page",
        json!({"page_id": page, "location": location}),
    )
    .await;
    let markdown = read["structuredContent"]["markdown"].as_str().unwrap();
    assert!(
        markdown.contains("Homework is due on Fridays"),
        "{markdown}"
    );
    let download = ada
        .get(&app.url(&format!("/onenote/groups/{group}/pages/{page}.md")))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(markdown, download, "read_page is the page's .md download");
    // The team's page is not one of the user's own.
    let elsewhere = tool(&app, token, "read_page", json!({"page_id": page})).await;
    assert_eq!(elsewhere["isError"], true, "{elsewhere}");

    // Alan, in no team, sees none of it and cannot read it by its location.
    let alan = User::new();
    alan.sign_in_for_onenote(&app, "alan@contoso.example").await;
    alan.allow_shared_notebooks(&app, "alan@contoso.example")
        .await;
    let client = registered(&app).await;
    let code = code_for(&app, &alan, &client).await;
    let (_, tokens) = exchange(&app, &client, &code, VERIFIER).await;
    let his = access(&tokens);
    let listed = tool(&app, his, "list_notebooks", json!({})).await;
    let names: Vec<&str> = listed["structuredContent"]["notebooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap())
        .collect();
    assert!(!names.contains(&"Physics 101 Notebook"), "{names:?}");
    let refused = tool(
        &app,
        his,
        "read_page",
        json!({"page_id": page, "location": location}),
    )
    .await;
    assert_eq!(refused["isError"], true, "{refused}");
}

#[tokio::test]
async fn without_the_shared_permission_an_assistant_lists_the_users_own_notebooks() {
    let (_emu, _dir, app) = started().await;
    let ada = User::new();
    let (_client, tokens) = connected(&app, &ada, ADA).await;
    let listed = tool(&app, access(&tokens), "list_notebooks", json!({})).await;
    let notebooks = listed["structuredContent"]["notebooks"].as_array().unwrap();
    assert!(notebooks.iter().all(|n| n["location"].is_null()));
    assert!(
        notebooks
            .iter()
            .all(|n| n["name"] != "Physics 101 Notebook")
    );
}
