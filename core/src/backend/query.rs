//! Request URLs for each backend kind, from the API documents of Jaeger
//! (query API v1; API v3's HTTP gateway), Tempo and Zipkin v2.

use super::{Kind, Search};
use crate::layout::time::rfc3339;
use crate::links::encode_component as enc;

/// `base` without its trailing slashes, then `path`.
fn at(base: &str, path: &str) -> String {
    format!("{}{path}", base.trim_end_matches('/'))
}

/// `key=value` pairs, values percent-encoded, empty values left out.
fn params(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A duration as Go's `time.ParseDuration` reads it (Jaeger, Tempo):
/// the largest unit that keeps it whole.
pub fn go_duration(us: i64) -> String {
    if us % 1_000_000 == 0 {
        format!("{}s", us / 1_000_000)
    } else if us % 1_000 == 0 {
        format!("{}ms", us / 1_000)
    } else {
        format!("{us}us")
    }
}

/// Jaeger UI's `lookback` for a range of `us` (`1h`, `2d`, `15m`, else
/// `custom`); the server searches `start`..`end` either way.
fn jaeger_lookback(us: i64) -> String {
    let (day, hour, minute) = (86_400_000_000, 3_600_000_000, 60_000_000);
    match us {
        u if u > 0 && u % day == 0 => format!("{}d", u / day),
        u if u > 0 && u % hour == 0 => format!("{}h", u / hour),
        u if u > 0 && u % minute == 0 => format!("{}m", u / minute),
        _ => "custom".into(),
    }
}

fn opt(v: Option<i64>, f: impl Fn(i64) -> String) -> String {
    v.map(f).unwrap_or_default()
}

/// Tempo's `tags=`: logfmt, values with spaces or quotes quoted.
pub fn logfmt(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            if v.is_empty() || v.contains([' ', '"', '=']) {
                format!("{k}={}", serde_json::Value::from(v.as_str()))
            } else {
                format!("{k}={v}")
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The list of services.
pub fn services(kind: Kind, base: &str) -> String {
    match kind {
        Kind::JaegerV1 => at(base, "/api/services"),
        Kind::JaegerV3 => at(base, "/api/v3/services"),
        // Tempo has no service list: the values of the service.name tag.
        Kind::Tempo => at(base, "/api/v2/search/tag/resource.service.name/values"),
        Kind::Zipkin => at(base, "/api/v2/services"),
    }
}

/// The operations (span names) of `service`.
pub fn operations(kind: Kind, base: &str, service: &str) -> String {
    match kind {
        Kind::JaegerV1 => at(base, &format!("/api/services/{}/operations", enc(service))),
        Kind::JaegerV3 => at(
            base,
            &format!("/api/v3/operations?service={}", enc(service)),
        ),
        Kind::Tempo => {
            let q = format!(
                "{{resource.service.name={}}}",
                serde_json::Value::from(service)
            );
            at(
                base,
                &format!("/api/v2/search/tag/name/values?q={}", enc(&q)),
            )
        }
        Kind::Zipkin => at(base, &format!("/api/v2/spans?serviceName={}", enc(service))),
    }
}

/// Tempo's tag names (for completing the tags box).
pub fn tempo_tags(base: &str) -> String {
    at(base, "/api/v2/search/tags")
}

/// Tempo's values of one tag.
pub fn tempo_tag_values(base: &str, tag: &str) -> String {
    at(base, &format!("/api/v2/search/tag/{}/values", enc(tag)))
}

/// The search. Jaeger v1 and Zipkin answer with whole traces, Jaeger v3
/// too (or summaries: [`trace_summaries`]), Tempo with summaries.
pub fn search(kind: Kind, base: &str, s: &Search) -> String {
    let limit = if s.limit == 0 {
        String::new()
    } else {
        s.limit.to_string()
    };
    let q = match kind {
        Kind::JaegerV1 => {
            let tags = if s.tags.is_empty() {
                String::new()
            } else {
                let m: serde_json::Map<String, serde_json::Value> = s
                    .tags
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_str().into()))
                    .collect();
                serde_json::Value::Object(m).to_string()
            };
            params(&[
                ("service", s.service.clone()),
                ("operation", s.operation.clone()),
                ("tags", tags),
                ("minDuration", opt(s.min_duration_us, go_duration)),
                ("maxDuration", opt(s.max_duration_us, go_duration)),
                ("start", s.start_us.to_string()),
                ("end", s.end_us.to_string()),
                ("lookback", jaeger_lookback(s.end_us - s.start_us)),
                ("limit", limit),
            ])
        }
        Kind::JaegerV3 => v3_params(s),
        Kind::Tempo => {
            let mut p = vec![];
            if s.traceql.trim().is_empty() {
                let mut tags = Vec::new();
                if !s.service.is_empty() {
                    tags.push(("service.name".to_string(), s.service.clone()));
                }
                if !s.operation.is_empty() {
                    tags.push(("name".to_string(), s.operation.clone()));
                }
                tags.extend(s.tags.iter().cloned());
                p.push(("tags", logfmt(&tags)));
                p.push(("minDuration", opt(s.min_duration_us, go_duration)));
                p.push(("maxDuration", opt(s.max_duration_us, go_duration)));
            } else {
                p.push(("q", s.traceql.trim().to_string()));
            }
            p.push(("limit", limit));
            // Seconds: the start rounded down, the end up, so nothing is cut off.
            p.push(("start", s.start_us.div_euclid(1_000_000).to_string()));
            p.push((
                "end",
                (s.end_us + 999_999).div_euclid(1_000_000).to_string(),
            ));
            params(&p)
        }
        Kind::Zipkin => {
            let annotation = s
                .tags
                .iter()
                .map(|(k, v)| {
                    if v.is_empty() {
                        k.clone()
                    } else {
                        format!("{k}={v}")
                    }
                })
                .collect::<Vec<_>>()
                .join(" and ");
            params(&[
                ("serviceName", s.service.clone()),
                ("spanName", s.operation.clone()),
                ("annotationQuery", annotation),
                // Zipkin refuses maxDuration alone ("only valid with
                // minDuration"): a maximum alone goes with the least minimum.
                (
                    "minDuration",
                    opt(s.min_duration_us.or(s.max_duration_us.map(|_| 1)), |d| {
                        d.to_string()
                    }),
                ),
                ("maxDuration", opt(s.max_duration_us, |d| d.to_string())),
                ("endTs", s.end_us.div_euclid(1000).to_string()),
                (
                    "lookback",
                    (s.end_us - s.start_us).div_euclid(1000).to_string(),
                ),
                ("limit", limit),
            ])
        }
    };
    let path = match kind {
        Kind::JaegerV1 => "/api/traces",
        Kind::JaegerV3 => "/api/v3/traces",
        Kind::Tempo => "/api/search",
        Kind::Zipkin => "/api/v2/traces",
    };
    at(base, &format!("{path}?{q}"))
}

/// API v3's parameters. The time range is required; `search_depth` is the
/// current name of the limit and `num_traces` the one older servers read.
fn v3_params(s: &Search) -> String {
    let limit = if s.limit == 0 {
        String::new()
    } else {
        s.limit.to_string()
    };
    params(&[
        ("query.service_name", s.service.clone()),
        ("query.operation_name", s.operation.clone()),
        (
            "query.start_time_min",
            rfc3339(s.start_us.saturating_mul(1000)),
        ),
        (
            "query.start_time_max",
            rfc3339(s.end_us.saturating_mul(1000)),
        ),
        ("query.duration_min", opt(s.min_duration_us, go_duration)),
        ("query.duration_max", opt(s.max_duration_us, go_duration)),
        ("query.search_depth", limit.clone()),
        ("query.num_traces", limit),
    ])
}

/// Jaeger API v3's summaries of the search's traces (newer servers).
pub fn trace_summaries(base: &str, s: &Search) -> String {
    at(base, &format!("/api/v3/trace-summaries?{}", v3_params(s)))
}

/// The URLs that return one trace, to try in order (Tempo's v2 endpoint,
/// then its older one).
pub fn trace(kind: Kind, base: &str, id: &str) -> Vec<String> {
    let id = enc(id.trim());
    match kind {
        Kind::JaegerV1 => vec![at(base, &format!("/api/traces/{id}"))],
        Kind::JaegerV3 => vec![at(base, &format!("/api/v3/traces/{id}"))],
        Kind::Tempo => vec![
            at(base, &format!("/api/v2/traces/{id}")),
            at(base, &format!("/api/traces/{id}")),
        ],
        Kind::Zipkin => vec![at(base, &format!("/api/v2/trace/{id}"))],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2021-10-20 11:05:00 UTC, the hour before it, two tags, ≥ 1.5 ms.
    fn search_form() -> Search {
        Search {
            service: "frontend".into(),
            operation: "HTTP GET /cart".into(),
            tags: vec![
                ("http.status_code".into(), "500".into()),
                ("error".into(), "true".into()),
            ],
            min_duration_us: Some(1500),
            max_duration_us: Some(2_000_000),
            start_us: 1_634_724_300_000_000,
            end_us: 1_634_727_900_000_000,
            limit: 20,
            traceql: String::new(),
        }
    }

    #[test]
    fn jaeger_lookbacks() {
        assert_eq!(jaeger_lookback(86_400_000_000 * 2), "2d");
        assert_eq!(jaeger_lookback(3_600_000_000 * 6), "6h");
        assert_eq!(jaeger_lookback(900_000_000), "15m");
        assert_eq!(jaeger_lookback(1_000_001), "custom");
    }

    #[test]
    fn durations_in_go_syntax() {
        assert_eq!(go_duration(1500), "1500us");
        assert_eq!(go_duration(2000), "2ms");
        assert_eq!(go_duration(3_000_000), "3s");
    }

    #[test]
    fn jaeger_v1_urls() {
        let b = "http://localhost:16686/";
        assert_eq!(
            services(Kind::JaegerV1, b),
            "http://localhost:16686/api/services"
        );
        assert_eq!(
            operations(Kind::JaegerV1, b, "a b/c"),
            "http://localhost:16686/api/services/a%20b%2Fc/operations"
        );
        assert_eq!(
            search(Kind::JaegerV1, b, &search_form()),
            "http://localhost:16686/api/traces?service=frontend&operation=HTTP%20GET%20%2Fcart\
             &tags=%7B%22http.status_code%22%3A%22500%22%2C%22error%22%3A%22true%22%7D\
             &minDuration=1500us&maxDuration=2s&start=1634724300000000&end=1634727900000000&lookback=1h&limit=20"
        );
        assert_eq!(
            trace(Kind::JaegerV1, b, "abc"),
            ["http://localhost:16686/api/traces/abc"]
        );
    }

    #[test]
    fn jaeger_v3_urls() {
        let b = "http://localhost:16686";
        assert_eq!(
            services(Kind::JaegerV3, b),
            "http://localhost:16686/api/v3/services"
        );
        assert_eq!(
            operations(Kind::JaegerV3, b, "frontend"),
            "http://localhost:16686/api/v3/operations?service=frontend"
        );
        let mut s = search_form();
        s.max_duration_us = None;
        assert_eq!(
            search(Kind::JaegerV3, b, &s),
            "http://localhost:16686/api/v3/traces?query.service_name=frontend\
             &query.operation_name=HTTP%20GET%20%2Fcart\
             &query.start_time_min=2021-10-20T10%3A05%3A00.000000000Z\
             &query.start_time_max=2021-10-20T11%3A05%3A00.000000000Z\
             &query.duration_min=1500us&query.search_depth=20&query.num_traces=20"
        );
        assert!(trace_summaries(b, &s).starts_with(
            "http://localhost:16686/api/v3/trace-summaries?query.service_name=frontend&"
        ));
        assert_eq!(
            trace(Kind::JaegerV3, b, "abc"),
            ["http://localhost:16686/api/v3/traces/abc"]
        );
    }

    #[test]
    fn tempo_urls() {
        let b = "http://tempo:3200";
        assert_eq!(
            services(Kind::Tempo, b),
            "http://tempo:3200/api/v2/search/tag/resource.service.name/values"
        );
        assert_eq!(
            operations(Kind::Tempo, b, "frontend"),
            "http://tempo:3200/api/v2/search/tag/name/values?q=%7Bresource.service.name%3D%22frontend%22%7D"
        );
        assert_eq!(
            search(Kind::Tempo, b, &search_form()),
            "http://tempo:3200/api/search?tags=service.name%3Dfrontend%20name%3D%22HTTP%20GET%20%2Fcart%22\
             %20http.status_code%3D500%20error%3Dtrue&minDuration=1500us&maxDuration=2s&limit=20\
             &start=1634724300&end=1634727900"
        );
        let mut s = search_form();
        s.traceql = r#"{ span.http.status_code >= 500 }"#.into();
        assert_eq!(
            search(Kind::Tempo, b, &s),
            "http://tempo:3200/api/search?q=%7B%20span.http.status_code%20%3E%3D%20500%20%7D\
             &limit=20&start=1634724300&end=1634727900"
        );
        assert_eq!(
            trace(Kind::Tempo, b, "d6e9329d67b6146a"),
            [
                "http://tempo:3200/api/v2/traces/d6e9329d67b6146a",
                "http://tempo:3200/api/traces/d6e9329d67b6146a"
            ]
        );
        assert_eq!(tempo_tags(b), "http://tempo:3200/api/v2/search/tags");
        assert_eq!(
            tempo_tag_values(b, "span.http.method"),
            "http://tempo:3200/api/v2/search/tag/span.http.method/values"
        );
    }

    #[test]
    fn zipkin_urls() {
        let b = "http://localhost:9411";
        assert_eq!(
            services(Kind::Zipkin, b),
            "http://localhost:9411/api/v2/services"
        );
        assert_eq!(
            operations(Kind::Zipkin, b, "frontend"),
            "http://localhost:9411/api/v2/spans?serviceName=frontend"
        );
        assert_eq!(
            search(Kind::Zipkin, b, &search_form()),
            "http://localhost:9411/api/v2/traces?serviceName=frontend&spanName=HTTP%20GET%20%2Fcart\
             &annotationQuery=http.status_code%3D500%20and%20error%3Dtrue&minDuration=1500\
             &maxDuration=2000000&endTs=1634727900000&lookback=3600000&limit=20"
        );
        let max_only = Search {
            min_duration_us: None,
            ..search_form()
        };
        assert!(search(Kind::Zipkin, b, &max_only).contains("&minDuration=1&maxDuration=2000000&"));
        assert_eq!(
            trace(Kind::Zipkin, b, " abc "),
            ["http://localhost:9411/api/v2/trace/abc"]
        );
    }

    #[test]
    fn logfmt_quotes_what_needs_it() {
        let tags = vec![
            ("a".to_string(), "x".to_string()),
            ("b".into(), "say \"hi\"".into()),
        ];
        assert_eq!(logfmt(&tags), r#"a=x b="say \"hi\"""#);
    }
}
