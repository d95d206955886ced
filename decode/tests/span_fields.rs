//! Tags, logs, attributes and events are written into the arenas while a
//! span is read: odd types, repeated keys and key orders still give each
//! span exactly its own attributes and events, on the streamed path and on
//! the general one alike.

use tracescope_decode::model::{AttrValue, SpanKind, StatusCode};
use tracescope_decode::{decode_bytes, Dataset};

/// `key=value` of each attribute of span `i` of the only trace, in order.
fn attrs(ds: &Dataset, i: usize) -> Vec<String> {
    let t = &ds.traces[0];
    ds.attrs(t.attrs[i])
        .iter()
        .map(|a| format!("{}={}", ds.str(a.key), ds.value_text(a.value)))
        .collect()
}

/// `name@offset_ns[attrs]` of each event of span `i`.
fn events(ds: &Dataset, i: usize) -> Vec<String> {
    let t = &ds.traces[0];
    ds.events(t.events[i])
        .iter()
        .map(|e| {
            let a: Vec<String> = ds
                .attrs(e.attrs)
                .iter()
                .map(|a| format!("{}={}", ds.str(a.key), ds.value_text(a.value)))
                .collect();
            format!("{}@{}[{}]", ds.str(e.name), e.time_ns, a.join(","))
        })
        .collect()
}

fn decode(text: &str) -> Dataset {
    let mut ds = Dataset::default();
    decode_bytes(&mut ds, text.as_bytes()).unwrap_or_else(|e| panic!("{e}: {text}"));
    ds
}

/// The same Jaeger spans as the streamed shape (`{"data":[…]}`) and as a
/// bare trace object, which takes the general path.
fn jaeger_both(spans: &str) -> [Dataset; 2] {
    let trace = format!(
        r#"{{"traceID":"a1","spans":[{spans}],"processes":{{"p1":{{"serviceName":"svc"}}}}}}"#
    );
    [decode(&format!(r#"{{"data":[{trace}]}}"#)), decode(&trace)]
}

#[test]
fn jaeger_tags_and_logs_land_on_their_own_span() {
    // Logs before tags, a repeated `tags` (the last one counts, as in
    // JSON.parse), items that are no objects, a `logs` that is no list.
    let spans = r#"
      {"traceID":"a1","spanID":"b1","operationName":"root","startTime":10,"duration":5,"processID":"p1",
       "logs":[7,{"fields":[{"key":"event","value":"retry"},"x",{"key":"n","type":"int64","value":"3"}],"timestamp":12},
               {"timestamp":13}],
       "tags":[{"key":"span.kind","value":"client"}],
       "tags":[{"key":"span.kind","type":"string","value":"server"},5,{"key":"error","type":"bool","value":true},
               {"key":"error.message","value":"boom"}]},
      {"traceID":"a1","spanID":"b2","references":[{"refType":"CHILD_OF","spanID":"b1"}],"operationName":"child",
       "startTime":11,"duration":1,"processID":"p1","tags":{"not":"a list"},"logs":"none"}"#;
    for ds in jaeger_both(spans) {
        let t = &ds.traces[0];
        assert_eq!(t.len(), 2);
        assert_eq!(
            attrs(&ds, 0),
            ["span.kind=server", "error=true", "error.message=boom"]
        );
        assert_eq!(t.kind[0], SpanKind::Server);
        assert_eq!(t.status[0], StatusCode::Error);
        assert_eq!(ds.str(t.status_message[0]), "boom");
        assert_eq!(
            events(&ds, 0),
            ["retry@12000[event=retry,n=3]", "log@13000[]"]
        );
        assert!(attrs(&ds, 1).is_empty() && events(&ds, 1).is_empty());
        assert_eq!(t.kind[1], SpanKind::Unspecified);
        assert_eq!(t.status[1], StatusCode::Unset);
        assert_eq!(t.parent_key[1], Some(t.span_key[0]));
    }
}

#[test]
fn otlp_attributes_and_events_land_on_their_own_span() {
    // Events before the span's start (an event without a time takes it),
    // a repeated `attributes`, items that are no objects.
    let spans = r#"
      {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"root",
       "events":[{"name":"cache miss","attributes":[{"key":"k","value":{"stringValue":"v"}}]},3,
                 {"timeUnixNano":"1500","name":""}],
       "attributes":[{"key":"dropped","value":{"boolValue":true}}],
       "attributes":[{"key":"http.status_code","value":{"intValue":"500"}},"x",{"key":"ratio","value":{"doubleValue":0.5}}],
       "startTimeUnixNano":"1000","endTimeUnixNano":"2000","status":{"code":2}},
      {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"00f067aa0ba902b7","parentSpanId":"b7ad6b7169203331",
       "name":"child","startTimeUnixNano":"1100","endTimeUnixNano":"1200","attributes":7,"events":{}}"#;
    let scope = format!(r#"{{"scope":{{"name":"lib"}},"spans":[{spans}]}}"#);
    let resource = r#"{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]}"#;
    // Streamed, and the general path (a resource after its spans).
    let streamed =
        format!(r#"{{"resourceSpans":[{{"resource":{resource},"scopeSpans":[{scope}]}}]}}"#);
    let general =
        format!(r#"{{"resourceSpans":[{{"scopeSpans":[{scope}],"resource":{resource}}}]}}"#);
    for ds in [decode(&streamed), decode(&general)] {
        let t = &ds.traces[0];
        assert_eq!(t.len(), 2);
        assert_eq!(attrs(&ds, 0), ["http.status_code=500", "ratio=0.5"]);
        assert_eq!(
            ds.span_attr(t, 0, "http.status_code"),
            Some(AttrValue::Int(500))
        );
        assert_eq!(t.status[0], StatusCode::Error);
        assert_eq!(events(&ds, 0), ["cache miss@1000[k=v]", "event@1500[]"]);
        assert!(attrs(&ds, 1).is_empty() && events(&ds, 1).is_empty());
        assert_eq!(ds.str(ds.resources[t.resource[1] as usize].service), "svc");
    }
}
