//! What the backends answer: service and operation lists, search
//! summaries (Tempo; Jaeger v3's trace summaries), error bodies. Whole
//! traces (Jaeger v1 and v3 searches, Zipkin, any trace by id) are read by
//! the file decoders; [`found_in`] turns them into result rows.

use super::Kind;
use crate::analysis::summary::summarize;
use crate::decode::builder::json;
use crate::model::Dataset;
use serde_json::Value;

/// One search result, as the list and the scatter plot show it. Counts
/// are `None` where the backend's summary does not give them.
#[derive(Clone, Debug, PartialEq)]
pub struct Found {
    pub trace_id: String,
    pub root_service: String,
    pub root_name: String,
    pub start_ns: i64,
    pub duration_ns: i64,
    pub spans: Option<usize>,
    pub errors: Option<usize>,
    pub services: Vec<String>,
}

fn parse(body: &[u8]) -> Result<Value, String> {
    serde_json::from_slice(body).map_err(|e| format!("the answer is not JSON ({e})"))
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Sorted, without duplicates or empty names.
fn tidy(mut v: Vec<String>) -> Vec<String> {
    v.retain(|s| !s.is_empty());
    crate::order::sort(&mut v);
    v.dedup();
    v
}

/// Tempo's tag values: `{"tagValues":[{"type":"string","value":"…"}]}`
/// (v2) or `{"tagValues":["…"]}` (v1).
pub fn tempo_tag_values(body: &[u8]) -> Result<Vec<String>, String> {
    let v = parse(body)?;
    let list = v
        .get("tagValues")
        .and_then(Value::as_array)
        .ok_or("no `tagValues` in the answer")?;
    Ok(tidy(
        list.iter()
            .filter_map(|x| x.as_str().or_else(|| json::str(x, "value")))
            .map(str::to_string)
            .collect(),
    ))
}

/// Tempo's tag names, `{"scopes":[{"name":"span","tags":[…]}]}` (v2) or
/// `{"tagNames":[…]}` (v1), without their scope: `tags=` search takes them bare.
pub fn tempo_tags(body: &[u8]) -> Result<Vec<String>, String> {
    let v = parse(body)?;
    let mut out = strings(v.get("tagNames"));
    for scope in json::arr(&v, "scopes") {
        out.extend(strings(scope.get("tags")));
    }
    Ok(tidy(out))
}

/// The service list.
pub fn services(kind: Kind, body: &[u8]) -> Result<Vec<String>, String> {
    match kind {
        Kind::JaegerV1 => Ok(tidy(strings(parse(body)?.get("data")))),
        Kind::JaegerV3 => Ok(tidy(strings(parse(body)?.get("services")))),
        Kind::Tempo => tempo_tag_values(body),
        Kind::Zipkin => Ok(tidy(strings(Some(&parse(body)?)))),
    }
}

/// The operation list of a service.
pub fn operations(kind: Kind, body: &[u8]) -> Result<Vec<String>, String> {
    match kind {
        // `/api/services/{s}/operations`: names; `/api/operations`: objects.
        Kind::JaegerV1 => {
            let v = parse(body)?;
            let mut names = strings(v.get("data"));
            names.extend(
                json::arr(&v, "data")
                    .iter()
                    .filter_map(|o| json::str(o, "name").map(str::to_string)),
            );
            Ok(tidy(names))
        }
        Kind::JaegerV3 => {
            let v = parse(body)?;
            Ok(tidy(
                json::arr(&v, "operations")
                    .iter()
                    .filter_map(|o| json::str(o, "name").map(str::to_string))
                    .collect(),
            ))
        }
        Kind::Tempo => tempo_tag_values(body),
        Kind::Zipkin => Ok(tidy(strings(Some(&parse(body)?)))),
    }
}

/// Search summaries: Tempo's `{"traces":[{traceID, rootServiceName,
/// rootTraceName, startTimeUnixNano, durationMs, serviceStats}]}` and
/// Jaeger v3's `{"summaries":[{traceId, rootServiceName, rootOperationName,
/// minStartTimeUnixNano, maxEndTimeUnixNano, spanCount, errorSpanCount,
/// services}]}`.
pub fn summaries(body: &[u8]) -> Result<Vec<Found>, String> {
    let v = parse(body)?;
    if let Some(list) = v.get("summaries").and_then(Value::as_array) {
        return Ok(list.iter().map(jaeger_summary).collect());
    }
    let list = v
        .get("traces")
        .and_then(Value::as_array)
        .ok_or("no `traces` in the search answer")?;
    Ok(list.iter().map(tempo_summary).collect())
}

fn tempo_summary(t: &Value) -> Found {
    let stats = t.get("serviceStats").and_then(Value::as_object);
    let sum = |k: &str| {
        stats.map(|s| {
            s.values()
                .map(|x| json::i64(x, k).unwrap_or(0).max(0) as usize)
                .sum()
        })
    };
    // Tempo leaves durationMs out under a millisecond.
    let duration_ms = t.get("durationMs").and_then(Value::as_f64).unwrap_or(0.0);
    Found {
        trace_id: json::str(t, "traceID").unwrap_or("").to_string(),
        root_service: json::str(t, "rootServiceName").unwrap_or("").to_string(),
        root_name: json::str(t, "rootTraceName").unwrap_or("").to_string(),
        start_ns: json::i64(t, "startTimeUnixNano").unwrap_or(0),
        duration_ns: (duration_ms * 1e6) as i64,
        spans: sum("spanCount"),
        errors: sum("errorCount"),
        services: stats
            .map(|s| tidy(s.keys().cloned().collect()))
            .unwrap_or_default(),
    }
}

fn jaeger_summary(t: &Value) -> Found {
    let start = json::i64(t, "minStartTimeUnixNano").unwrap_or(0);
    let end = json::i64(t, "maxEndTimeUnixNano").unwrap_or(start);
    let count = |k: &str| json::i64(t, k).map(|n| n.max(0) as usize);
    Found {
        trace_id: json::str(t, "traceId").unwrap_or("").to_string(),
        root_service: json::str(t, "rootServiceName").unwrap_or("").to_string(),
        root_name: json::str(t, "rootOperationName").unwrap_or("").to_string(),
        start_ns: start,
        duration_ns: (end - start).max(0),
        spans: count("spanCount"),
        errors: count("errorSpanCount"),
        services: tidy(
            json::arr(t, "services")
                .iter()
                .filter_map(|s| json::str(s, "name").map(str::to_string))
                .collect(),
        ),
    }
}

/// Result rows for traces already decoded into `ds`.
pub fn found_in(ds: &Dataset, traces: std::ops::Range<usize>) -> Vec<Found> {
    ds.traces[traces]
        .iter()
        .map(|t| {
            let s = summarize(ds, t);
            let mut services: Vec<String> =
                t.service.iter().map(|&id| ds.str(id).to_string()).collect();
            services = tidy(std::mem::take(&mut services));
            Found {
                trace_id: s.trace_id,
                root_service: s.root_service,
                root_name: s.root_name,
                start_ns: s.start_ns,
                duration_ns: s.duration_ns,
                spans: Some(s.spans),
                errors: Some(s.errors),
                services,
            }
        })
        .collect()
}

/// A search answer that holds no trace at all (`{"data":[]}`, `[]`,
/// `{"result":{"resourceSpans":[]}}`…): no results, not an error. Only
/// small bodies are looked at; a big one has traces.
pub fn is_empty_traces(body: &[u8]) -> bool {
    if body.len() > 4096 {
        return false;
    }
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return false;
    };
    let empty = |x: Option<&Value>| match x {
        None | Some(Value::Null) => true,
        Some(Value::Array(a)) => a.iter().all(|e| e.as_array().is_some_and(Vec::is_empty)),
        _ => false,
    };
    match &v {
        Value::Array(_) => empty(Some(&v)),
        Value::Object(o) if o.contains_key("data") => empty(o.get("data")),
        Value::Object(_) => {
            let root = v.get("result").unwrap_or(&v);
            root.get("resourceSpans")
                .or_else(|| root.get("batches"))
                .is_some_and(|r| empty(Some(r)))
        }
        _ => false,
    }
}

/// Jaeger API v3 answers an empty search with 404 "No traces found".
pub fn is_empty_search(kind: Kind, status: u16, body: &[u8]) -> bool {
    kind == Kind::JaegerV3 && status == 404 && error_text(body).contains("No traces found")
}

/// The backend's own words from an error answer: Jaeger v1's
/// `{"errors":[{"code","msg"}]}`, v3's `{"error":{"message"}}`, or the
/// text of the body (Tempo and Zipkin answer errors in plain text).
pub fn error_text(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    if let Ok(v) = serde_json::from_slice::<Value>(body) {
        let msg = json::arr(&v, "errors")
            .iter()
            .find_map(|e| json::str(e, "msg"))
            .or_else(|| v.get("error").and_then(|e| json::str(e, "message")))
            .or_else(|| json::str(&v, "error"))
            .or_else(|| json::str(&v, "message"));
        if let Some(m) = msg {
            return m.trim().to_string();
        }
    }
    let t = text.trim();
    match t.char_indices().nth(300) {
        Some((i, _)) => format!("{}…", &t[..i]),
        None => t.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_lists_of_every_kind() {
        let v1 = br#"{"data":["redis","frontend","frontend"],"total":3,"limit":0,"offset":0,"errors":null}"#;
        assert_eq!(services(Kind::JaegerV1, v1).unwrap(), ["frontend", "redis"]);
        let v3 = br#"{"services":["driver","customer"]}"#;
        assert_eq!(
            services(Kind::JaegerV3, v3).unwrap(),
            ["customer", "driver"]
        );
        let tempo = br#"{"tagValues":[{"type":"string","value":"frontend"},{"type":"string","value":"cart"}],"metrics":{}}"#;
        assert_eq!(services(Kind::Tempo, tempo).unwrap(), ["cart", "frontend"]);
        assert_eq!(
            services(Kind::Tempo, br#"{"tagValues":["a"]}"#).unwrap(),
            ["a"]
        );
        assert_eq!(
            services(Kind::Zipkin, br#"["web","db",""]"#).unwrap(),
            ["db", "web"]
        );
        assert!(services(Kind::Zipkin, b"<html>502</html>")
            .unwrap_err()
            .contains("not JSON"));
    }

    #[test]
    fn operation_lists_of_every_kind() {
        let v1 = br#"{"data":["GET /","HTTP POST"],"total":2}"#;
        assert_eq!(
            operations(Kind::JaegerV1, v1).unwrap(),
            ["GET /", "HTTP POST"]
        );
        let v1_objects =
            br#"{"data":[{"name":"b","spanKind":"server"},{"name":"a","spanKind":""}]}"#;
        assert_eq!(operations(Kind::JaegerV1, v1_objects).unwrap(), ["a", "b"]);
        let v3 = br#"{"operations":[{"name":"HTTP GET /dispatch","spanKind":"server"},{"name":"HTTP GET /dispatch","spanKind":"client"}]}"#;
        assert_eq!(
            operations(Kind::JaegerV3, v3).unwrap(),
            ["HTTP GET /dispatch"]
        );
        assert_eq!(
            operations(Kind::Zipkin, br#"["get","post"]"#).unwrap(),
            ["get", "post"]
        );
    }

    #[test]
    fn tempo_search_answer_from_its_docs() {
        let body = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../shared/corpus/tempo/tempo-docs-api-search-tags-response.json"),
        )
        .unwrap();
        let found = summaries(&body).unwrap();
        assert_eq!(found.len(), 2);
        assert_eq!(
            found[0],
            Found {
                trace_id: "d6e9329d67b6146a".into(),
                root_service: "frontend".into(),
                root_name: "/cart".into(),
                start_ns: 1_634_727_903_545_000_000,
                duration_ns: 611_000_000,
                spans: None,
                errors: None,
                services: vec![],
            }
        );
        let with_stats = br#"{"traces":[{"traceID":"1","rootServiceName":"a","startTimeUnixNano":"5","serviceStats":{"b":{"spanCount":3,"errorCount":1},"a":{"spanCount":2}}}]}"#;
        let f = &summaries(with_stats).unwrap()[0];
        assert_eq!((f.spans, f.errors, f.duration_ns), (Some(5), Some(1), 0));
        assert_eq!(f.services, ["a", "b"]);
    }

    #[test]
    fn jaeger_v3_summaries() {
        // Jaeger's own snapshot of FindTraceSummaries.
        let body = br#"{"summaries":[{"errorSpanCount":1,"maxEndTimeUnixNano":"1001000000000","minStartTimeUnixNano":"1000000000000","rootOperationName":"HTTP GET /","rootServiceName":"frontend","services":[{"errorSpanCount":1,"name":"frontend","spanCount":2}],"spanCount":2,"traceId":"00000000000000000000000000000001"}]}"#;
        let f = &summaries(body).unwrap()[0];
        assert_eq!(f.trace_id, "00000000000000000000000000000001");
        assert_eq!(
            (f.start_ns, f.duration_ns),
            (1_000_000_000_000, 1_000_000_000)
        );
        assert_eq!((f.spans, f.errors), (Some(2), Some(1)));
        assert_eq!(f.services, ["frontend"]);
        assert_eq!(f.root_name, "HTTP GET /");
    }

    #[test]
    fn empty_answers_are_no_results() {
        for body in [
            &br#"{"data":[],"total":0,"limit":0,"offset":0,"errors":null}"#[..],
            br#"{"data":null}"#,
            b"[]",
            b"[[]]",
            br#"{"result":{"resourceSpans":[]}}"#,
            br#"{"batches":[]}"#,
        ] {
            assert!(is_empty_traces(body), "{}", String::from_utf8_lossy(body));
        }
        for body in [
            &br#"{"data":[{"traceID":"1","spans":[]}]}"#[..],
            b"[{}]",
            b"{}",
            b"oops",
        ] {
            assert!(!is_empty_traces(body), "{}", String::from_utf8_lossy(body));
        }
    }

    #[test]
    fn error_bodies_in_the_backends_words() {
        let v1 = br#"{"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":400,"msg":"parameter 'service' is required"}]}"#;
        assert_eq!(error_text(v1), "parameter 'service' is required");
        let v3 = br#"{"error":{"httpCode":404,"message":"No traces found"}}"#;
        assert_eq!(error_text(v3), "No traces found");
        assert!(is_empty_search(Kind::JaegerV3, 404, v3));
        assert!(!is_empty_search(Kind::JaegerV1, 404, v3));
        assert!(!is_empty_search(Kind::JaegerV3, 500, v3));
        assert_eq!(error_text(b"trace not found\n"), "trace not found");
        assert_eq!(error_text(&[b'x'; 400]).chars().count(), 301);
    }
}
