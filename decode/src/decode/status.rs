//! A span's status from its tags, as real exporters write it. One rule for
//! every format whose status travels as tags (Jaeger, Zipkin):
//!
//! - `error`: an error unless its value says no (`false`, `0`); Zipkin
//!   marks an error by the tag's presence, so an empty text is one too. A
//!   text other than `true` is the message (Zipkin writes the status
//!   description there).
//! - `otel.status_code`: `ERROR` is an error, `OK` is ok (unless an error
//!   tag says otherwise). The OpenTelemetry Zipkin exporter writes it on
//!   every failed span but the `error` tag only when the status has a
//!   description, so without it a Zipkin export showed fewer errors than
//!   the same trace as OTLP.
//! - `ot.status_code` (early OpenTelemetry exporters): a gRPC code name,
//!   an error unless `OK`.
//! - `otel.status_description`, `ot.status_description` or `error.message`:
//!   the message, before the `error` tag's text.

use crate::model::{StatusCode, StrId};

/// A tag's value, as far as status is concerned.
#[derive(Debug, Clone, Copy)]
pub enum TagValue<'a> {
    Bool(bool),
    Int(i64),
    Text(&'a str),
    Other,
}

/// What a span's tags have said of its status so far.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StatusTags {
    status: StatusCode,
    description: Option<StrId>,
    error_text: Option<StrId>,
}

impl StatusTags {
    /// Takes one tag: `value` gives its value, and its string id when it is
    /// text, and is called only for the status keys (a span has many tags;
    /// reading each one's text cost a Jaeger decode 1.3% of its instructions).
    /// Returns whether the key is one of the status tags.
    pub fn note<'a>(
        &mut self,
        key: &str,
        value: impl FnOnce() -> (TagValue<'a>, Option<StrId>),
    ) -> bool {
        if !matches!(
            key,
            "error"
                | "otel.status_code"
                | "ot.status_code"
                | "otel.status_description"
                | "ot.status_description"
                | "error.message"
        ) {
            return false;
        }
        let (value, text) = value();
        match key {
            "error" => {
                let is_error = match value {
                    TagValue::Bool(v) => v,
                    TagValue::Int(v) => v != 0,
                    TagValue::Text(v) => !(v == "0" || v.eq_ignore_ascii_case("false")),
                    TagValue::Other => false,
                };
                if is_error {
                    self.status = StatusCode::Error;
                    if let TagValue::Text(v) = value {
                        if !v.is_empty() && !v.eq_ignore_ascii_case("true") {
                            self.error_text = text;
                        }
                    }
                }
            }
            "otel.status_code" => {
                if let TagValue::Text(v) = value {
                    if v.eq_ignore_ascii_case("ERROR") {
                        self.status = StatusCode::Error;
                    } else if v.eq_ignore_ascii_case("OK") && self.status == StatusCode::Unset {
                        self.status = StatusCode::Ok;
                    }
                }
            }
            "ot.status_code" => {
                if let TagValue::Text(v) = value {
                    if v.eq_ignore_ascii_case("OK") {
                        if self.status == StatusCode::Unset {
                            self.status = StatusCode::Ok;
                        }
                    } else if !v.is_empty() {
                        self.status = StatusCode::Error;
                    }
                }
            }
            _ => {
                if let TagValue::Text(_) = value {
                    self.description = text;
                }
            }
        }
        true
    }

    /// The status and its message (`StrId(0)`, the empty string, for none).
    pub fn finish(&self) -> (StatusCode, StrId) {
        let message = self.description.or(self.error_text).unwrap_or(StrId(0));
        (self.status, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(tags: &[(&str, TagValue)]) -> (StatusCode, StrId) {
        let mut s = StatusTags::default();
        for (i, (k, v)) in tags.iter().enumerate() {
            s.note(k, || (*v, Some(StrId(i as u32 + 1))));
        }
        s.finish()
    }

    #[test]
    fn exporters_spellings_of_an_error() {
        use TagValue::*;
        assert_eq!(
            read(&[("error", Bool(true))]),
            (StatusCode::Error, StrId(0))
        );
        assert_eq!(read(&[("error", Text("true"))]).0, StatusCode::Error);
        assert_eq!(read(&[("error", Int(1))]).0, StatusCode::Error);
        assert_eq!(read(&[("error", Bool(false))]).0, StatusCode::Unset);
        assert_eq!(read(&[("error", Text("false"))]).0, StatusCode::Unset);
        assert_eq!(read(&[("error", Text(""))]), (StatusCode::Error, StrId(0)));
        // Zipkin: the error tag's text is the message.
        assert_eq!(
            read(&[("error", Text("timeout"))]),
            (StatusCode::Error, StrId(1))
        );
        // OpenTelemetry's Zipkin exporter without a description: no error tag.
        assert_eq!(
            read(&[("otel.status_code", Text("ERROR"))]).0,
            StatusCode::Error
        );
        assert_eq!(read(&[("otel.status_code", Text("OK"))]).0, StatusCode::Ok);
        assert_eq!(
            read(&[("error", Bool(true)), ("otel.status_code", Text("OK"))]).0,
            StatusCode::Error
        );
        // The description wins over the error tag's text, in any order.
        assert_eq!(
            read(&[
                ("otel.status_description", Text("boom")),
                ("error", Text("boom2"))
            ]),
            (StatusCode::Error, StrId(1))
        );
        assert_eq!(
            read(&[("ot.status_code", Text("NOT_FOUND"))]).0,
            StatusCode::Error
        );
        assert_eq!(read(&[("ot.status_code", Text("OK"))]).0, StatusCode::Ok);
        assert!(!StatusTags::default().note("http.status_code", || unreachable!()));
    }
}
