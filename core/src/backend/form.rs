//! The search form's text fields (tags as `key=value` pairs, durations
//! with units) and the same search run over traces already loaded.

use super::Search;
use crate::model::{Dataset, StatusCode, Trace};

/// Tags as the form takes them, Jaeger UI's way: `key=value` pairs
/// separated by spaces (`http.status_code=500 error=true`), values with
/// spaces in double quotes (`http.url="GET /a b"`).
pub fn parse_tags(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut chars = text.trim().chars().peekable();
    while chars.peek().is_some() {
        let mut key = String::new();
        let mut has_value = false;
        for c in chars.by_ref() {
            if c == '=' {
                has_value = true;
                break;
            }
            key.push(c);
        }
        let key = key.trim().to_string();
        if !has_value || key.is_empty() || key.contains(char::is_whitespace) {
            return Err(format!("tags are key=value pairs; `{key}` has no value"));
        }
        let value = if chars.peek() == Some(&'"') {
            chars.next();
            let v: String = chars.by_ref().take_while(|&c| c != '"').collect();
            v
        } else {
            chars.by_ref().take_while(|c| !c.is_whitespace()).collect()
        };
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        out.push((key, value));
    }
    Ok(out)
}

/// A duration with a unit (`250ms`, `1.5s`, `300us`, `2m`; a bare number
/// is milliseconds) in µs. Empty text is no limit.
pub fn parse_duration_us(text: &str) -> Result<Option<i64>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("`{t}` is not a duration (like 250ms or 1.5s)"))?;
    let scale = match unit.trim() {
        "us" | "µs" => 1.0,
        "" | "ms" => 1e3,
        "s" => 1e6,
        "m" => 60e6,
        "h" => 3600e6,
        u => return Err(format!("`{u}` is not a duration unit (us, ms, s, m, h)")),
    };
    Ok(Some((n * scale).round() as i64))
}

/// Whether a loaded trace matches the search, as the backends read it: a
/// span of the service (with the operation) whose attributes (or its
/// resource's) include every tag; the trace's duration within the limits;
/// its start within the range (a range of 0..0 is any time). `error=true`
/// also matches spans with an error status.
pub fn matches(ds: &Dataset, t: &Trace, s: &Search) -> bool {
    let (start, end) = t.bounds();
    let dur_us = (end - start) / 1000;
    if s.min_duration_us.is_some_and(|m| dur_us < m)
        || s.max_duration_us.is_some_and(|m| dur_us > m)
    {
        return false;
    }
    if s.end_us > s.start_us && !(s.start_us * 1000..=s.end_us * 1000).contains(&start) {
        return false;
    }
    (0..t.len()).any(|i| {
        (s.service.is_empty() || ds.str(t.service[i]) == s.service)
            && (s.operation.is_empty() || ds.str(t.name[i]) == s.operation)
            && s.tags.iter().all(|(k, v)| span_has(ds, t, i, k, v))
    })
}

fn span_has(ds: &Dataset, t: &Trace, i: usize, key: &str, value: &str) -> bool {
    if key == "error" && value == "true" && t.status[i] == StatusCode::Error {
        return true;
    }
    let resource = &ds.resources[t.resource[i] as usize];
    ds.attrs(t.attrs[i])
        .iter()
        .chain(ds.attrs(resource.attrs))
        .any(|a| ds.str(a.key) == key && ds.value_text(a.value) == value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_like_jaeger_ui() {
        assert_eq!(
            parse_tags(r#"http.status_code=500  error=true url="GET /a b""#).unwrap(),
            [
                ("http.status_code".to_string(), "500".to_string()),
                ("error".into(), "true".into()),
                ("url".into(), "GET /a b".into())
            ]
        );
        assert_eq!(parse_tags("  ").unwrap(), []);
        assert!(parse_tags("lonely").is_err());
        assert!(parse_tags("a b=c").is_err());
    }

    #[test]
    fn durations_with_units() {
        assert_eq!(parse_duration_us("").unwrap(), None);
        assert_eq!(parse_duration_us("250ms").unwrap(), Some(250_000));
        assert_eq!(parse_duration_us("1.5s").unwrap(), Some(1_500_000));
        assert_eq!(parse_duration_us("300us").unwrap(), Some(300));
        assert_eq!(parse_duration_us("300µs").unwrap(), Some(300));
        assert_eq!(parse_duration_us("2m").unwrap(), Some(120_000_000));
        assert_eq!(parse_duration_us("12").unwrap(), Some(12_000));
        assert!(parse_duration_us("fast").is_err());
        assert!(parse_duration_us("3 weeks").is_err());
    }
}
