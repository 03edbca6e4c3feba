//! Every seeded notebook, section group and section, every page's view, its Markdown (against the
//! golden files) and its zip (byte for byte against the emulator).

use base64::Engine;

use super::*;

#[tokio::test]
async fn browse_read_and_download_every_seeded_page() {
    let emu = TestEmulator::start().await;
    emu.call_admin(
        Method::PUT,
        "/limits",
        json!({"per_minute": 100000, "per_hour": 1000000, "concurrent": 20}),
    )
    .await;
    let dir = TempDir::new();
    let store = format!("sqlite:{}", dir.0.join("s.sqlite3").display());
    let app = TestApp::start_with(&emu, &store, generous_onenote_limits).await;
    let ada = User::new();
    ada.sign_in(&app, "ada@contoso.example").await;

    // The first visit asks for Notes.Read (incremental consent) and comes back.
    let first = ada.get(&app.url("/onenote")).await;
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&first), "/login?next=%2Fonenote&consent=onenote");
    let back = ada
        .sign_in_at(&app, "/onenote", "ada@contoso.example")
        .await;
    assert_eq!(location(&back), "/onenote");
    let index = ada.get(&app.url("/onenote")).await;
    assert_eq!(index.status(), StatusCode::OK);
    let index = index.text().await.unwrap();
    for name in [
        "Ada&#39;s Notebook",
        "Quick Notes",
        "Reference",
        "Journal",
        "Archive",
        "Older",
        "2019",
        "Clients",
        "Northwind",
    ] {
        let plain = name.replace("&#39;", "'");
        assert!(
            index.contains(name) || index.contains(&plain),
            "the index shows {plain}"
        );
    }

    // Every section, every page of it (following the pager), every download.
    let resources: serde_json::Value =
        reqwest::get(emu.admin("/onenote/ada@contoso.example/resources"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    let hashes: HashSet<String> = resources["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["sha256"].as_str().unwrap().to_string())
        .collect();
    let update = std::env::var("UPDATE_GOLDEN").is_ok();
    let mut seen_golden = HashSet::new();
    let mut pages_checked = 0;
    let mut drawings = 0;
    let sections = links(&index, "/onenote/sections/", '"');
    assert!(sections.len() >= 7, "{sections:?}");
    for section in sections {
        let mut url = app.url(&format!("/onenote/sections/{section}"));
        let mut order = 0;
        loop {
            let listing = ada.get(&url).await;
            assert_eq!(listing.status(), StatusCode::OK, "{url}");
            let listing = listing.text().await.unwrap();
            let section_name = listing
                .split("<h1>")
                .nth(1)
                .and_then(|s| s.split("</h1>").next())
                .unwrap()
                .to_string();
            for page in links(&listing, "/onenote/pages/", '"') {
                order += 1;
                pages_checked += 1;
                let view = ada.get(&app.url(&format!("/onenote/pages/{page}"))).await;
                assert_eq!(view.status(), StatusCode::OK);
                let html = view.text().await.unwrap();
                for image in links(&html, "<img src=\"", '"') {
                    if let Some(svg) = image.strip_prefix("data:image/svg+xml;base64,") {
                        // An ink drawing, drawn by the app from the page's InkML.
                        let svg = base64::engine::general_purpose::STANDARD
                            .decode(svg)
                            .unwrap();
                        assert!(svg.starts_with(b"<svg xmlns=\"http://www.w3.org/2000/svg\""));
                        drawings += 1;
                        continue;
                    }
                    let image = ada.get(&format!("{}{image}", app.base_url)).await;
                    assert_eq!(
                        image.status(),
                        StatusCode::OK,
                        "images load through the app"
                    );
                    assert!(hashes.contains(&sha256_hex(&image.bytes().await.unwrap())));
                }

                let md = ada
                    .get(&app.url(&format!("/onenote/pages/{page}.md")))
                    .await;
                assert_eq!(md.headers()["content-type"], "text/markdown; charset=utf-8");
                assert!(
                    md.headers()["content-disposition"]
                        .to_str()
                        .unwrap()
                        .starts_with("attachment")
                );
                let markdown = md.text().await.unwrap();
                let title = markdown
                    .lines()
                    .find_map(|l| l.strip_prefix("title: "))
                    .unwrap_or("untitled")
                    .trim_matches('"')
                    .to_string();
                let golden = golden_dir()
                    .join(slug(&section_name))
                    .join(format!("{order:03}-{}.md", slug(&title)));
                seen_golden.insert(golden.clone());
                if update {
                    std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
                    std::fs::write(&golden, &markdown).unwrap();
                } else {
                    let expected = std::fs::read_to_string(&golden)
                        .unwrap_or_else(|_| panic!("missing golden file {}", golden.display()));
                    assert_eq!(
                        markdown,
                        expected,
                        "{} differs (UPDATE_GOLDEN=1 rewrites it)",
                        golden.display()
                    );
                }

                let zip = ada
                    .get(&app.url(&format!("/onenote/pages/{page}.zip")))
                    .await;
                assert_eq!(zip.status(), StatusCode::OK);
                assert_eq!(zip.headers()["content-type"], "application/zip");
                let mut archive =
                    zip::ZipArchive::new(std::io::Cursor::new(zip.bytes().await.unwrap().to_vec()))
                        .unwrap();
                let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
                for i in 0..archive.len() {
                    let mut entry = archive.by_index(i).unwrap();
                    let name = entry.name().unwrap().to_string();
                    assert!(!name.contains("..") && !name.starts_with('/'), "{name}");
                    let mut bytes = Vec::new();
                    entry.read_to_end(&mut bytes).unwrap();
                    files.insert(name, bytes);
                }
                let (md_name, md_bytes) = files
                    .iter()
                    .find(|(n, _)| n.ends_with(".md"))
                    .expect("a Markdown file in the zip");
                let folder = md_name
                    .rsplit_once('/')
                    .map(|(f, _)| format!("{f}/"))
                    .unwrap_or_default();
                let zipped_markdown = String::from_utf8(md_bytes.clone()).unwrap();
                // The .md download carries what the page carries itself (ink drawings) as
                // `data:` URLs; the zip has them as files. Otherwise the two are the same.
                let mut carried_inline = zipped_markdown.clone();
                for link in relative_links(&zipped_markdown) {
                    let decoded = percent_encoding::percent_decode_str(&link)
                        .decode_utf8_lossy()
                        .into_owned();
                    let bytes = files.get(&format!("{folder}{decoded}")).unwrap_or_else(|| {
                        panic!("{link} in {md_name} is not in the zip: {:?}", files.keys())
                    });
                    if hashes.contains(&sha256_hex(bytes)) {
                        continue;
                    }
                    assert!(
                        link.ends_with(".svg"),
                        "{link}: neither the emulator's resource nor a drawing"
                    );
                    let data = format!(
                        "data:image/svg+xml;base64,{}",
                        base64::engine::general_purpose::STANDARD.encode(bytes)
                    );
                    carried_inline =
                        carried_inline.replace(&format!("]({link})"), &format!("]({data})"));
                }
                assert_eq!(carried_inline, markdown, "the zip holds the same Markdown");
            }
            match links(&listing, "rel=\"next\" href=\"", '"').first() {
                Some(next) => url = format!("{}{}", app.base_url, next.replace("&amp;", "&")),
                None => break,
            }
        }
    }
    assert!(
        pages_checked >= 130,
        "all of Ada's pages were checked ({pages_checked})"
    );
    assert_eq!(drawings, 1, "the ink sketch is drawn in the viewer");
    if !update {
        // No golden file is left over from pages that no longer exist.
        let mut on_disk = HashSet::new();
        for section in std::fs::read_dir(golden_dir()).unwrap() {
            for file in std::fs::read_dir(section.unwrap().path()).unwrap() {
                on_disk.insert(file.unwrap().path());
            }
        }
        assert_eq!(on_disk, seen_golden);
    }
}
