//! `bench_tool mcp`: one page read through the MCP server's `read_page` against the same
//! page's `.md` download, alternately, in one run.
//!
//! It signs in (with OneNote's consent), finds a page with files, connects an MCP client the
//! way an assistant does (registration, the consent page, the code and its PKCE verifier for a
//! token), then reads the page `--n` times each way, one after the other, and prints one JSON
//! object with both latencies (median and mean, in ms) and their ratio. Both ways make the same
//! two OneNote calls and the same conversion; what differs is the MCP layer (the bearer token's
//! checks in the store, JSON-RPC, the tool's framing).

use std::time::Instant;

use base64::Engine as _;
use reqwest::header::AUTHORIZATION;
use url::Url;

use super::export::{consent_to_onenote, text, value_after, values_after};
use super::{Args, Jar, Result, http_client, location, send, sign_in_through_app};

const REDIRECT_URI: &str = "http://127.0.0.1:53682/callback";

pub async fn mcp(args: &Args) -> Result<()> {
    let client = http_client(args)?;
    let app = args.get("app")?;
    let user = args.or("user", "ada@contoso.example");
    let n: usize = args
        .or("n", "50")
        .parse()
        .map_err(|_| "--n must be a number")?;
    let base = Url::parse(app).map_err(|e| e.to_string())?;
    let url = |path: &str| base.join(path).map_err(|e| e.to_string());
    let mut jar = sign_in_through_app(&client, app, user).await?;
    consent_to_onenote(&client, &mut jar, &url("/onenote")?, user).await?;
    let page_id = a_page(&client, &mut jar, &url).await?;
    let token = connect(&client, &mut jar, &url).await?;

    let download = url(&format!("/onenote/pages/{page_id}.md"))?;
    let endpoint = url("/mcp")?;
    let call = serde_json::json!({
        "jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "read_page", "arguments": {"page_id": page_id}},
    });
    let (mut md, mut mcp) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let mut bytes = 0;
    for _ in 0..n {
        let started = Instant::now();
        let markdown = text(&client, &mut jar, &download).await?;
        md.push(started.elapsed().as_secs_f64() * 1000.0);
        let started = Instant::now();
        let request = client
            .post(endpoint.clone())
            .header(AUTHORIZATION, format!("Bearer {token}"))
            .header("accept", "application/json, text/event-stream")
            .header("mcp-protocol-version", "2025-11-25")
            .json(&call);
        let answer = json_of(request).await?;
        mcp.push(started.elapsed().as_secs_f64() * 1000.0);
        if answer["result"]["structuredContent"]["markdown"] != markdown.as_str() {
            return Err(format!("read_page did not give the .md download: {answer}"));
        }
        bytes = markdown.len();
    }
    let (md_median, mcp_median) = (median(&mut md), median(&mut mcp));
    let report = serde_json::json!({
        "n": n,
        "page_bytes": bytes,
        "md_median_ms": md_median,
        "md_mean_ms": mean(&md),
        "mcp_median_ms": mcp_median,
        "mcp_mean_ms": mean(&mcp),
        "mcp_over_md": mcp_median / md_median,
    });
    println!("{report}");
    Ok(())
}

/// The first page with an image or attachment on the notebooks' sections (any page if none).
async fn a_page(
    client: &reqwest::Client,
    jar: &mut Jar,
    url: &impl Fn(&str) -> Result<Url>,
) -> Result<String> {
    let index = text(client, jar, &url("/onenote")?).await?;
    let mut any = None;
    for section in values_after(&index, "href=\"/onenote/sections/") {
        let pages = text(client, jar, &url(&format!("/onenote/sections/{section}"))?).await?;
        for page in values_after(&pages, "href=\"/onenote/pages/") {
            let view = text(client, jar, &url(&format!("/onenote/pages/{page}"))?).await?;
            if view.contains("/onenote/resources/") {
                return Ok(page);
            }
            any.get_or_insert(page);
        }
    }
    any.ok_or_else(|| "no section on /onenote has a page".into())
}

/// An MCP client registered, allowed on the consent page and given its access token.
async fn connect(
    client: &reqwest::Client,
    jar: &mut Jar,
    url: &impl Fn(&str) -> Result<Url>,
) -> Result<String> {
    let registration = client
        .post(url("/oauth/register")?)
        .json(&serde_json::json!({"client_name": "bench", "redirect_uris": [REDIRECT_URI]}));
    let registered = json_of(registration).await?;
    let client_id = registered["client_id"]
        .as_str()
        .ok_or_else(|| format!("registration answered {registered}"))?;
    let verifier = "bench-verifier-0123456789-0123456789-0123456789";
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, verifier.as_bytes());
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest.as_ref());
    let resource = url("/mcp")?.to_string();
    let mut authorize = url("/oauth/authorize")?;
    authorize.query_pairs_mut().extend_pairs([
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", REDIRECT_URI),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
        ("resource", resource.as_str()),
    ]);
    let consent = text(client, jar, &authorize).await?;
    let field = |name: &str| {
        value_after(&consent, &format!("name=\"{name}\" value=\""))
            .ok_or_else(|| format!("the consent page has no {name}"))
    };
    let form = [
        ("request".to_string(), field("request")?),
        ("csrf".to_string(), field("csrf")?),
        ("decision".to_string(), "allow".to_string()),
    ];
    let decide = url("/oauth/authorize")?;
    let answer = send(client, jar, &decide, Some(&form)).await?;
    let back = location(&decide, &answer)?;
    let code = back
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .ok_or_else(|| format!("the consent answered {back}"))?;
    let exchange = client.post(url("/oauth/token")?).form(&[
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT_URI),
        ("client_id", client_id),
        ("code_verifier", verifier),
        ("resource", resource.as_str()),
    ]);
    let tokens = json_of(exchange).await?;
    tokens["access_token"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| "the token endpoint gave no access token".into())
}

/// Sends `request` and reads its JSON answer.
async fn json_of(request: reqwest::RequestBuilder) -> Result<serde_json::Value> {
    request
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}
