//! The portal's embedding (docs/embedding.md): `/embed-config.json` and CORS come from the same
//! `QIANYUE_FRAME_ANCESTORS` as the CSP's `frame-ancestors`.

mod common;

use common::{http, temp_dir, vector, Backend, Options, Receiver};

const PORTAL: &str = "https://portal.example.com";

fn receiver(frame_ancestors: Option<&str>) -> Receiver {
    let dist = temp_dir("dist");
    std::fs::write(
        dist.join("index.html"),
        "<!DOCTYPE html><title>Qianyue</title>",
    )
    .unwrap();
    std::fs::write(dist.join("embed.js"), "export {};\n").unwrap();
    let mut opts = Options::new(Backend::Sqlite);
    opts.dist = Some(dist);
    opts.frame_ancestors = frame_ancestors.map(str::to_owned);
    Receiver::start(opts)
}

#[test]
fn the_allow_list_is_served_and_lets_listed_origins_read_and_post() {
    let r = receiver(Some("https://portal.example.com https://*.gd.example.com"));
    let config = r.get("/embed-config.json", &[]);
    assert_eq!(config.status, 200);
    assert_eq!(
        config.json(),
        serde_json::json!({"allowed_origins": [PORTAL, "https://*.gd.example.com"]})
    );
    let csp = config.header("content-security-policy").unwrap().to_owned();
    assert!(
        csp.contains("frame-ancestors https://portal.example.com https://*.gd.example.com"),
        "{csp}"
    );

    // A listed origin may read the files.
    for origin in [PORTAL, "https://sz.gd.example.com"] {
        let loader = r.get("/embed.js", &[("Origin", origin)]);
        assert_eq!(loader.status, 200);
        assert_eq!(loader.header("access-control-allow-origin"), Some(origin));
        assert!(loader
            .headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("vary") && v.contains("origin")));
    }
    // Anyone else gets no CORS header: the browser keeps the answer from it.
    for origin in ["https://evil.example", "https://gd.example.com", "null"] {
        let loader = r.get("/embed.js", &[("Origin", origin)]);
        assert_eq!(
            loader.header("access-control-allow-origin"),
            None,
            "{origin}"
        );
    }

    // The consent's preflight and POST from the portal.
    let preflight = |origin: &str| {
        http(
            r.addr,
            "OPTIONS",
            "/api/consents",
            &[
                ("Origin", origin),
                ("Access-Control-Request-Method", "POST"),
                ("Access-Control-Request-Headers", "content-type"),
            ],
            b"",
        )
        .unwrap()
    };
    let ok = preflight(PORTAL);
    assert_eq!(ok.status, 204);
    assert_eq!(ok.header("access-control-allow-origin"), Some(PORTAL));
    assert!(ok
        .header("access-control-allow-methods")
        .unwrap()
        .contains("POST"));
    assert_eq!(
        ok.header("access-control-allow-headers"),
        Some("content-type")
    );
    let refused = preflight("https://evil.example");
    assert_ne!(refused.status, 204);
    assert_eq!(refused.header("access-control-allow-origin"), None);

    let posted = http(
        r.addr,
        "POST",
        "/api/consents",
        &[("Content-Type", "application/json"), ("Origin", PORTAL)],
        &vector(),
    )
    .unwrap();
    assert_eq!(posted.status, 201, "{}", posted.text());
    assert_eq!(posted.header("access-control-allow-origin"), Some(PORTAL));
    r.assert_no_panic();
}

#[test]
fn by_default_only_the_app_itself_is_allowed() {
    let r = receiver(None);
    let config = r.get("/embed-config.json", &[]);
    assert_eq!(
        config.json(),
        serde_json::json!({"allowed_origins": ["'self'"]})
    );
    let loader = r.get("/embed.js", &[("Origin", PORTAL)]);
    assert_eq!(loader.status, 200);
    assert_eq!(loader.header("access-control-allow-origin"), None);
}

/// Security review L2: one allow-list rule. An entry with the default port is one origin for
/// the CSP, `/embed-config.json` and CORS alike; an entry that would let any site frame the
/// app stops the receiver at start-up.
#[test]
fn a_default_port_is_one_origin_and_a_bare_wildcard_is_refused() {
    let r = receiver(Some("https://Portal.Example.com:443"));
    let config = r.get("/embed-config.json", &[]);
    assert_eq!(
        config.json(),
        serde_json::json!({ "allowed_origins": [PORTAL] })
    );
    let csp = config.header("content-security-policy").unwrap().to_owned();
    assert!(
        csp.contains(&format!("frame-ancestors {PORTAL};"))
            || csp.ends_with(&format!("frame-ancestors {PORTAL}")),
        "{csp}"
    );
    let loader = r.get("/embed.js", &[("Origin", PORTAL)]);
    assert_eq!(loader.header("access-control-allow-origin"), Some(PORTAL));
    let evil = r.get("/embed.js", &[("Origin", "https://evilportal.example.com")]);
    assert_eq!(evil.header("access-control-allow-origin"), None);
    drop(r);

    for entry in ["*", "https://*", "http://portal.example.com"] {
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_qianyue-receiver"))
            .env_clear()
            .env("QIANYUE_FRAME_ANCESTORS", entry)
            .env("QIANYUE_DATA_DIR", temp_dir("refused").join("data"))
            .env("QIANYUE_ADDR", "127.0.0.1:0")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .output()
            .unwrap();
        assert!(!status.status.success(), "{entry} was accepted");
        let err = String::from_utf8_lossy(&status.stderr);
        assert!(err.contains("QIANYUE_FRAME_ANCESTORS"), "{entry}: {err}");
    }
}
