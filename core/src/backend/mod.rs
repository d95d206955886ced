//! Tracing backends the page talks to: Jaeger (query API v1 and API v3),
//! Grafana Tempo and Zipkin v2. [`query`] builds the request URLs,
//! [`response`] reads what comes back. No HTTP here: the app sends the
//! requests (and decodes full traces with the file decoders).

pub mod form;
pub mod query;
pub mod response;

/// Which API a backend speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    JaegerV1,
    JaegerV3,
    Tempo,
    Zipkin,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::JaegerV1, Kind::JaegerV3, Kind::Tempo, Kind::Zipkin];

    pub fn label(self) -> &'static str {
        match self {
            Kind::JaegerV1 => "Jaeger (query API v1)",
            Kind::JaegerV3 => "Jaeger (API v3)",
            Kind::Tempo => "Grafana Tempo",
            Kind::Zipkin => "Zipkin",
        }
    }

    /// The kind's name in links and settings.
    pub fn key(self) -> &'static str {
        match self {
            Kind::JaegerV1 => "jaeger",
            Kind::JaegerV3 => "jaeger-v3",
            Kind::Tempo => "tempo",
            Kind::Zipkin => "zipkin",
        }
    }

    pub fn from_key(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.key() == s)
    }

    /// The kind a base URL suggests: its default port (Jaeger 16686,
    /// Tempo 3200, Zipkin 9411) or a path naming it (`/jaeger`, `/tempo`,
    /// `/zipkin`, as behind a reverse proxy); `/api/v3` means API v3.
    pub fn detect(base_url: &str) -> Option<Kind> {
        let u = base_url.to_ascii_lowercase();
        let rest = u.split_once("://").map_or(u.as_str(), |(_, r)| r);
        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
        let port = host.rsplit_once(':').map(|(_, p)| p).unwrap_or("");
        let named = |w: &str| path.split('/').any(|seg| seg.starts_with(w)) || host.starts_with(w);
        if path.contains("api/v3") || named("jaeger-v3") || named("jaegerv3") {
            Some(Kind::JaegerV3)
        } else if port == "16686" || named("jaeger") {
            Some(Kind::JaegerV1)
        } else if port == "3200" || named("tempo") {
            Some(Kind::Tempo)
        } else if port == "9411" || named("zipkin") {
            Some(Kind::Zipkin)
        } else {
            None
        }
    }

    /// Whether the kind filters by tags on the server (Jaeger's v3 HTTP
    /// API takes no attributes: its results are filtered in the page).
    pub fn server_side_tags(self) -> bool {
        !matches!(self, Kind::JaegerV3)
    }
}

/// A search, as the form holds it. Times in µs since the epoch, durations
/// in µs (every API's finest common unit).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Search {
    pub service: String,
    /// Empty: every operation.
    pub operation: String,
    pub tags: Vec<(String, String)>,
    pub min_duration_us: Option<i64>,
    pub max_duration_us: Option<i64>,
    pub start_us: i64,
    pub end_us: i64,
    pub limit: u32,
    /// Tempo only: a TraceQL query, sent instead of the tags when given.
    pub traceql: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_urls() {
        let cases = [
            ("http://localhost:16686", Some(Kind::JaegerV1)),
            ("http://localhost:16686/api/v3", Some(Kind::JaegerV3)),
            ("https://ops.example.com/jaeger/", Some(Kind::JaegerV1)),
            ("http://tempo.monitoring:3200", Some(Kind::Tempo)),
            ("https://grafana.example.com/tempo", Some(Kind::Tempo)),
            ("http://127.0.0.1:9411/", Some(Kind::Zipkin)),
            ("http://zipkin:80", Some(Kind::Zipkin)),
            ("https://example.com/traces", None),
        ];
        for (url, kind) in cases {
            assert_eq!(Kind::detect(url), kind, "{url}");
        }
        for k in Kind::ALL {
            assert_eq!(Kind::from_key(k.key()), Some(k));
        }
    }
}
