//! Tags, logs, attributes and events are written into the arenas while a
//! span is read: odd types, repeated keys and key orders still give each
//! span exactly its own attributes and events, on the streamed path and on
//! the general one alike.

use tracescope_decode::model::{AttrValue, Range32, SpanKind, StatusCode};
use tracescope_decode::{decode_bytes, Dataset};

/// `key=value` of each attribute of a range, in order.
fn attr_texts(ds: &Dataset, r: Range32) -> Vec<String> {
    ds.attrs(r)
        .iter()
        .map(|a| format!("{}={}", ds.str(a.key), ds.value_text(a.value)))
        .collect()
}

/// `key=value` of each attribute of span `i` of the only trace, in order.
fn attrs(ds: &Dataset, i: usize) -> Vec<String> {
    attr_texts(ds, ds.traces[0].attrs[i])
}

/// `name@offset_ns[attrs]` of each event of span `i`.
fn events(ds: &Dataset, i: usize) -> Vec<String> {
    let t = &ds.traces[0];
    ds.events(t.events[i])
        .iter()
        .map(|e| {
            let a = attr_texts(ds, e.attrs).join(",");
            format!("{}@{}[{a}]", ds.str(e.name), e.time_ns)
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

/// `span_id[attrs]` of each link of span `i`.
fn links(ds: &Dataset, i: usize) -> Vec<String> {
    let t = &ds.traces[0];
    ds.links(t.links[i])
        .iter()
        .map(|l| {
            format!(
                "{}[{}]",
                ds.link_span_id(l),
                attr_texts(ds, l.attrs).join(",")
            )
        })
        .collect()
}

#[test]
fn otlp_links_keep_their_attributes_and_trace_state_in_any_key_order() {
    // A link's attributes are written while it is read, its trace state
    // after them: before or after its attributes, alone, empty, with a
    // repeated `attributes` (the last), and the span's own attributes and
    // events read between links.
    let span = r#"{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"root",
       "startTimeUnixNano":"1000","endTimeUnixNano":"2000",
       "links":[
         {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"00000000000000a1","attributes":[{"key":"k","value":{"stringValue":"v"}}],"traceState":"ro=1"},
         {"traceState":"ro=2","spanId":"00000000000000a2","attributes":[{"key":"n","value":{"intValue":"7"}},{"key":"m","value":{"boolValue":true}}]},
         {"spanId":"00000000000000a3","traceState":"ro=3"},
         {"spanId":"00000000000000a4","traceState":"","attributes":[{"key":"x","value":{"stringValue":"dropped"}}],"attributes":[{"key":"y","value":{"stringValue":"kept"}}]},
         5],
       "attributes":[{"key":"own","value":{"stringValue":"yes"}}],
       "events":[{"name":"e","attributes":[{"key":"ek","value":{"stringValue":"ev"}}]}]}"#;
    let text =
        format!(r#"{{"resourceSpans":[{{"resource":{{}},"scopeSpans":[{{"spans":[{span}]}}]}}]}}"#);
    let ds = decode(&text);
    assert_eq!(
        links(&ds, 0),
        [
            "00000000000000a1[k=v,trace_state=ro=1]",
            "00000000000000a2[n=7,m=true,trace_state=ro=2]",
            "00000000000000a3[trace_state=ro=3]",
            "00000000000000a4[y=kept]",
        ]
    );
    assert_eq!(attrs(&ds, 0), ["own=yes"]);
    assert_eq!(events(&ds, 0), ["e@1000[ek=ev]"]);
}

#[test]
fn otlp_maps_and_lists_flatten_as_their_trees_did() {
    // A map read an item at a time: nested maps flattened, an item without
    // a key or a value left out, a null value empty, a repeated `values`
    // (the last counts); a list as JSON text of its plain values; under a
    // key past `FLAT_KEY_MAX`, a map is one attribute of JSON text.
    let long = "k".repeat(70);
    let attrs_json = format!(
        r#"[{{"key":"a","value":{{"kvlistValue":{{"values":[
             {{"key":"b","value":{{"intValue":"3"}}}},
             {{"key":"c","value":{{"kvlistValue":{{"values":[{{"key":"d","value":{{"boolValue":true}}}}]}}}}}},
             {{"key":"e"}},{{"value":{{"stringValue":"nokey"}}}},{{"key":"f","value":null}},
             {{"key":"g","value":{{"arrayValue":{{"values":[{{"stringValue":"x"}},{{"intValue":"1"}},{{"arrayValue":{{"values":[{{"boolValue":false}}]}}}}]}}}}}}]}}}}}},
           {{"key":"r","value":{{"kvlistValue":{{"values":[{{"key":"old","value":{{"stringValue":"1"}}}}],"values":[{{"key":"new","value":{{"stringValue":"2"}}}}]}}}}}},
           {{"key":"l","value":{{"arrayValue":{{"values":[{{"stringValue":"old"}}],"values":[{{"stringValue":"new"}},5]}}}}}},
           {{"key":"n","value":{{"kvlistValue":null}}}},{{"key":"z","value":{{"arrayValue":{{"values":7}}}}}},
           {{"key":"{long}","value":{{"kvlistValue":{{"values":[{{"key":"b","value":{{"intValue":"3"}}}}]}}}}}}]"#
    );
    let text = format!(
        r#"{{"resourceSpans":[{{"resource":{{}},"scopeSpans":[{{"spans":[{{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"root","startTimeUnixNano":"1000","endTimeUnixNano":"2000","attributes":{attrs_json}}}]}}]}}]}}"#
    );
    let ds = decode(&text);
    assert_eq!(
        attrs(&ds, 0),
        [
            "a.b=3".to_string(),
            "a.c.d=true".into(),
            "a.f=".into(),
            r#"a.g=["x","1",[false]]"#.into(),
            "r.new=2".into(),
            r#"l=["new",5]"#.into(),
            "z=[]".into(),
            format!(r#"{long}={{"values":[{{"key":"b","value":{{"intValue":"3"}}}}]}}"#),
        ]
    );
}
