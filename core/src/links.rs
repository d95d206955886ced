//! Links out of Tracescope: log-correlation templates (`{traceId}`,
//! `{spanId}`, `{service}`, `{start}`, `{end}`) and which URLs from trace
//! data may become clickable (http and https only).

/// Whether `s` is an http(s) URL that may be a clickable link.
pub fn is_web_url(s: &str) -> bool {
    let lower = s.trim_start().get(..8).unwrap_or("").to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://"))
        && s.len() > 8
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Percent-encoding of everything but unreserved characters (as
/// `encodeURIComponent`), so a value cannot change the URL's structure.
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// What a template can name.
pub struct LinkContext<'a> {
    pub trace_id: &'a str,
    pub span_id: &'a str,
    pub service: &'a str,
    pub start_ns: i64,
    pub end_ns: i64,
}

/// The template filled in: `{start}`/`{end}` are ms since the epoch,
/// `{startIso}`/`{endIso}` RFC 3339. None when the result is not an
/// http(s) URL (a `javascript:` template is never a link).
pub fn fill(template: &str, c: &LinkContext) -> Option<String> {
    let iso = |ns: i64| {
        chrono::DateTime::from_timestamp(
            ns.div_euclid(1_000_000_000),
            ns.rem_euclid(1_000_000_000) as u32,
        )
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default()
    };
    let out = template
        .replace("{traceId}", &encode_component(c.trace_id))
        .replace("{spanId}", &encode_component(c.span_id))
        .replace("{service}", &encode_component(c.service))
        .replace("{startIso}", &encode_component(&iso(c.start_ns)))
        .replace("{endIso}", &encode_component(&iso(c.end_ns)))
        .replace("{start}", &c.start_ns.div_euclid(1_000_000).to_string())
        .replace(
            "{end}",
            &(c.end_ns + 999_999).div_euclid(1_000_000).to_string(),
        );
    is_web_url(&out).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates() {
        let c = LinkContext {
            trace_id: "4bf92f35",
            span_id: "00f0",
            service: "cart service&x=1",
            start_ns: 1_700_000_000_123_456_789,
            end_ns: 1_700_000_001_000_000_001,
        };
        assert_eq!(
            fill("https://logs.example/search?q=trace_id:{traceId}%20span:{spanId}&svc={service}&from={start}&to={end}", &c).unwrap(),
            "https://logs.example/search?q=trace_id:4bf92f35%20span:00f0&svc=cart%20service%26x%3D1&from=1700000000123&to=1700000001001"
        );
        assert_eq!(
            fill("https://l/{startIso}", &c).unwrap(),
            "https://l/2023-11-14T22%3A13%3A20.123Z"
        );
        assert_eq!(fill("javascript:alert('{traceId}')", &c), None);
        assert_eq!(fill("{service}", &c), None);
    }

    #[test]
    fn web_urls() {
        assert!(is_web_url("https://example.com/a?b=c"));
        assert!(is_web_url("HTTP://EXAMPLE.COM"));
        assert!(!is_web_url("javascript:alert(1)"));
        assert!(!is_web_url("https://a b"));
        assert!(!is_web_url("https://"));
        assert!(!is_web_url("data:text/html,x"));
    }
}
