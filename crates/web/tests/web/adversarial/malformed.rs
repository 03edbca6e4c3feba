//! Oversized and malformed requests: huge headers and query strings, a client trickling its
//! headers, bodies over the limit, invalid UTF-8, wrong methods and content types.

use super::*;

/// What a raw HTTP/1.1 request got: the status, or `None` when the server closed the
/// connection without answering. Panics if nothing happened within 15 s.
///
/// The request is written while the answer is read: a server that refuses a request stops
/// reading it and answers at once, and a client that insisted on finishing its write first
/// would meet a reset connection instead of the answer.
async fn raw_request(base_url: &str, request: &[u8]) -> Option<u16> {
    let address = base_url.trim_start_matches("http://");
    let socket = tokio::net::TcpStream::connect(address).await.unwrap();
    let (mut reader, mut writer) = socket.into_split();
    let request = request.to_vec();
    let writing = tokio::spawn(async move {
        // The server may answer and close before it has read everything: not an error.
        let _ = writer.write_all(&request).await;
        writer
    });
    let exchange = async {
        let mut answer = Vec::new();
        let mut buffer = [0u8; 4096];
        loop {
            match reader.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    answer.extend_from_slice(&buffer[..n]);
                    if answer.windows(4).any(|w| w == b"\r\n\r\n") {
                        break;
                    }
                }
            }
        }
        let head = String::from_utf8_lossy(&answer);
        head.strip_prefix("HTTP/1.1 ")
            .and_then(|rest| rest.get(..3))
            .and_then(|code| code.parse().ok())
    };
    let status = tokio::time::timeout(Duration::from_secs(15), exchange)
        .await
        .expect("the server answered or closed the connection in time");
    writing.abort();
    status
}

/// Refused with exactly `expected`: an answer, not a dropped connection (which is what a
/// crash would look like too), and not a page served despite the size.
fn assert_refused(status: Option<u16>, expected: u16, what: &str) {
    assert_eq!(
        status,
        Some(expected),
        "{what}: expected HTTP {expected}; None means the server closed without answering"
    );
}

#[tokio::test]
async fn huge_headers_and_query_strings_are_refused_without_a_server_error() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;

    let big = "a".repeat(1024 * 1024);
    let one_huge = format!("GET / HTTP/1.1\r\nhost: x\r\nx-big: {big}\r\n\r\n");
    assert_refused(
        raw_request(&app.base_url, one_huge.as_bytes()).await,
        431,
        "a 1 MiB header",
    );
    let mut many = String::from("GET / HTTP/1.1\r\nhost: x\r\n");
    for i in 0..2000 {
        many.push_str(&format!("x-h{i}: {}\r\n", "b".repeat(64)));
    }
    many.push_str("\r\n");
    assert_refused(
        raw_request(&app.base_url, many.as_bytes()).await,
        431,
        "2000 headers",
    );
    let cookie = format!(
        "GET /msal-demo HTTP/1.1\r\nhost: x\r\ncookie: graphnote_session={}\r\n\r\n",
        "c".repeat(512 * 1024)
    );
    assert_refused(
        raw_request(&app.base_url, cookie.as_bytes()).await,
        431,
        "a 512 KiB cookie",
    );

    // Long query strings: answered (the app ignores what it does not need) or refused, never
    // a 5xx. A long `next` is not kept.
    for size in [8 * 1024, 64 * 1024, 1024 * 1024] {
        for path in ["/", "/login?next=/", "/getAToken?state=", "/onenote?x="] {
            let request = format!(
                "GET {path}{} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
                "q".repeat(size)
            );
            let status = raw_request(&app.base_url, request.as_bytes()).await;
            if let Some(status) = status {
                assert!(status < 500, "{path} + {size} bytes: HTTP {status}");
            }
        }
    }
    let user = User::new();
    let long_next = format!("/{}", "n".repeat(16 * 1024));
    let done = user
        .sign_in_at(
            &app,
            &format!("/login?next={}", web::error::encode(&long_next)),
            GRACE,
        )
        .await;
    assert_eq!(location(&done), "/", "an over-long next is not followed");
}

#[tokio::test]
async fn a_client_trickling_its_headers_is_cut_off() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    // Slowloris: a request line, then one header line a second, never finishing. The server
    // must drop the connection (or answer 408) instead of holding it open for ever.
    let address = app.base_url.trim_start_matches("http://");
    let mut socket = tokio::net::TcpStream::connect(address).await.unwrap();
    socket
        .write_all(b"GET / HTTP/1.1\r\nhost: x\r\n")
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let mut answer = Vec::new();
    let cut_off_after = loop {
        if started.elapsed() > Duration::from_secs(40) {
            break None;
        }
        if socket.write_all(b"x-slow: 1\r\n").await.is_err() {
            break Some(started.elapsed());
        }
        let mut buffer = [0u8; 1024];
        match tokio::time::timeout(Duration::from_secs(1), socket.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break Some(started.elapsed()),
            Ok(Ok(n)) => answer.extend_from_slice(&buffer[..n]),
            Err(_) => {}
        }
        if answer.starts_with(b"HTTP/1.1 408") {
            break Some(started.elapsed());
        }
    };
    let after = cut_off_after.expect("the connection was still open after 40 s");
    // Cut off by the header-read timeout, not by some later limit (hyper's own default is 30 s).
    let allowed = web::server::HEADER_READ_TIMEOUT + Duration::from_secs(5);
    assert!(
        after <= allowed,
        "cut off after {after:?}; the header-read timeout is {:?}",
        web::server::HEADER_READ_TIMEOUT
    );
    let head = String::from_utf8_lossy(&answer);
    assert!(
        head.is_empty() || head.starts_with("HTTP/1.1 4"),
        "answered {head}"
    );
}

#[tokio::test]
async fn bodies_over_the_limit_malformed_bodies_and_wrong_methods_get_4xx() {
    let emu = TestEmulator::start().await;
    let dir = TempDir::new();
    let app = TestApp::start(&emu, &dir).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let callback = app.url("/getAToken");
    let form = "application/x-www-form-urlencoded";

    // Over 64 KiB, with a length…
    let huge = format!("code={}&state=x", "c".repeat(web::MAX_BODY_BYTES + 1));
    let response = client
        .post(&callback)
        .header("content-type", form)
        .body(huge.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // …streamed in chunks without one…
    let mut chunked = format!(
        "POST /getAToken HTTP/1.1\r\nhost: x\r\ncontent-type: {form}\r\ntransfer-encoding: chunked\r\n\r\n"
    )
    .into_bytes();
    for chunk in huge.as_bytes().chunks(4096) {
        chunked.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        chunked.extend_from_slice(chunk);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    // (Well-formed, so without the limit it would get the re-post page, 200.)
    assert_refused(
        raw_request(&app.base_url, &chunked).await,
        413,
        "a chunked body over the limit",
    );
    // …or announced as enormous and never sent.
    let lying = format!(
        "POST /getAToken HTTP/1.1\r\nhost: x\r\ncontent-type: {form}\r\ncontent-length: 99999999999\r\n\r\ncode=x"
    );
    assert_refused(
        raw_request(&app.base_url, lying.as_bytes()).await,
        413,
        "content-length 99999999999",
    );

    // Malformed bodies and parameters.
    for (content_type, body) in [
        (form, b"code=%FF%FE&state=%C0".to_vec()),
        (form, b"code=\xff\xfe&state=\xc0".to_vec()),
        (form, b"state=a&state=b".to_vec()),
        (form, b"%%%===&&&".to_vec()),
        ("application/json", br#"{"code":"x","state":"y"}"#.to_vec()),
        ("multipart/form-data; boundary=x", b"--x--".to_vec()),
        ("text/plain", b"code=x".to_vec()),
    ] {
        let response = client
            .post(&callback)
            .header("content-type", content_type)
            .body(body.clone())
            .send()
            .await
            .unwrap();
        let status = response.status();
        // No cookie, so a well-formed form gets the re-post page (200); anything else a 4xx.
        assert!(
            status.is_client_error() || status == StatusCode::OK,
            "{content_type} {:?}: {status}",
            String::from_utf8_lossy(&body)
        );
        assert!(!response.text().await.unwrap().contains("panicked"));
    }
    for query in ["state=%FF%FE&code=x", "state=a&state=b", "code=%", "%%%"] {
        let status = client
            .get(format!("{callback}?{query}"))
            .send()
            .await
            .unwrap()
            .status();
        assert!(status.is_client_error(), "?{query}: {status}");
    }

    // Invalid UTF-8 in the path, the query and a header, raw.
    for request in [
        &b"GET /onenote/pages/\xff\xfe HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"[..],
        &b"GET /onenote/pages/%FF%FE HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"[..],
        &b"GET /login?next=%FF HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"[..],
        &b"GET / HTTP/1.1\r\nhost: x\r\ncookie: graphnote_session=\xff\xfe\r\nconnection: close\r\n\r\n"[..],
        &b"GET / HTTP/1.1\r\nhost: \xff\r\nconnection: close\r\n\r\n"[..],
        &b"\xff\xfe / HTTP/1.1\r\n\r\n"[..],
        &b"GET / HTTP/9.9\r\n\r\n"[..],
    ] {
        let status = raw_request(&app.base_url, request).await;
        if let Some(status) = status {
            assert!(
                status < 500,
                "{:?}: HTTP {status}",
                String::from_utf8_lossy(request)
            );
        }
    }

    // Methods a route does not take.
    for (method, path) in [
        (Method::POST, "/"),
        (Method::PUT, "/"),
        (Method::DELETE, "/"),
        (Method::PATCH, "/login"),
        (Method::POST, "/login"),
        (Method::POST, "/logout"),
        (Method::DELETE, "/onenote/pages/0-abc!1-def"),
        (Method::PUT, "/onenote/resources/0-abc!1-def"),
        (Method::TRACE, "/"),
        (Method::PUT, "/getAToken"),
        (Method::POST, "/static/app.css"),
    ] {
        let response = client
            .request(method.clone(), app.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
    }
}
