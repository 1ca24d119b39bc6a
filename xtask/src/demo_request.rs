//! `cargo xtask serve`'s signing request (docs/requests.md): the back office's API key (the
//! configured one, or a development key made here and printed), and a demo request opened
//! over HTTP from the seed's values once the receiver answers, whose link is printed.
//! Standard library only, like the rest of xtask.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::Result;

/// The API key's secret to call the receiver with, and the `QIANYUE_API_KEYS` value to start
/// it with when none is configured (`None`: keep the configured one).
pub fn api_key() -> Result<(String, Option<String>)> {
    if let Ok(list) = std::env::var("QIANYUE_API_KEYS") {
        if let Some((_, secret)) = list.split(',').find_map(|e| e.trim().split_once('=')) {
            return Ok((secret.to_owned(), None));
        }
    }
    let secret = random_hex()?;
    let list = format!("dev={secret}");
    Ok((secret, Some(list)))
}

/// A development secret: 24 random bytes in hex.
pub fn random_hex() -> Result<String> {
    let mut bytes = [0u8; 24];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| format!("cannot read /dev/urandom for a development secret: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Opens the demo request (the seed's form, its order read-only, the seed's contact as the
/// signer, a week to sign) and returns the signer's link.
pub fn create(root: &Path, addr: SocketAddr, secret: &str) -> Result<String> {
    let answer = open(root, addr, secret, "both")?;
    let url = answer
        .split("\"url\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .ok_or_else(|| format!("no url in the answer:\n{answer}"))?;
    Ok(if url.starts_with('/') {
        format!("http://{addr}{url}")
    } else {
        url.to_owned()
    })
}

/// Opens a request from the seed's values in `locale` (`zh-CN`, `en` or `both`) and returns
/// the receiver's 201 body (`{"id", "status", "token", "url", "expires_at"}`): what the demo
/// portal's back end does for its page (src/demo.rs), the API key staying on the server.
pub fn open(root: &Path, addr: SocketAddr, secret: &str, locale: &str) -> Result<String> {
    let form_path = root.join("crates/domain/tests/fixtures/seed-form.json");
    let form = std::fs::read_to_string(&form_path)
        .map_err(|e| format!("cannot read {}: {e}", form_path.display()))?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_secs();
    let expires_at = cst(now + 7 * 86_400);
    let locale = match locale {
        "zh-CN" | "en" => locale,
        _ => "both",
    };
    // The signer is the seed's contact (contact.name, contact.mobile).
    let body = format!(
        r#"{{"form": {form}, "readonly": ["contract_no", "customer", "orders"], "signer": {{"name": "张晓梅", "mobile": "13800138000"}}, "expires_at": "{expires_at}", "locale": "{locale}"}}"#
    );
    let (status, answer) = call(addr, secret, "POST", "/api/requests", Some(&body))?;
    if status != 201 {
        return Err(format!("the request was refused ({status}): {answer}"));
    }
    Ok(answer)
}

/// One HTTP/1.1 call to the receiver's back-office API with the key: the status and the body.
pub fn call(
    addr: SocketAddr,
    secret: &str,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> Result<(u16, String)> {
    let body = body.unwrap_or("");
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
         Authorization: Bearer {secret}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))
        .map_err(|e| format!("cannot reach the receiver at {addr}: {e}"))?;
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    stream
        .write_all(request.as_bytes())
        .map_err(|e| e.to_string())?;
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .map_err(|e| format!("no answer to {method} {path}: {e}"))?;
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| format!("not an HTTP answer to {method} {path}: {answer}"))?;
    let (_, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    Ok((status, body.to_owned()))
}

/// `YYYY-MM-DDTHH:MM:SS+08:00` for `unix` seconds (China Standard Time).
fn cst(unix: u64) -> String {
    let local = unix as i64 + 8 * 3600;
    let (days, secs) = (local.div_euclid(86_400), local.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}+08:00",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn cst_times() {
        assert_eq!(super::cst(0), "1970-01-01T08:00:00+08:00");
        // 2026-12-08T10:00:00Z
        assert_eq!(super::cst(1_796_724_000), "2026-12-08T18:00:00+08:00");
        assert_eq!(super::cst(951_782_400), "2000-02-29T08:00:00+08:00");
    }
}
