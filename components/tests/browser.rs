//! Component logic that needs a real browser: canvas pixels, text metrics,
//! DOM rendering. Run with `cargo test -p tracescope-components --target wasm32-unknown-unknown`.

use leptos::prelude::*;
use tracescope_components::canvas::{ctx2d, fit_text, font_css, text_width, CanvasText};
use tracescope_components::chart::paint_chart;
use tracescope_components::flame::{self, FlamePaint, FlameSource, FRAME_H, TOP};
use tracescope_components::search_results::draw_scatter;
use tracescope_components::service_map::{self, MapPaint};
use tracescope_components::stats::{row_order, sort_rows, Column};
use tracescope_components::theme::{service_slots, LIGHT};
use tracescope_components::waterfall::{minimap_runs, paint, Frame, HEADER, MINIMAP_H, ROW_H};
use tracescope_components::{SpanDetail, ViewContext};
use tracescope_core::analysis::critical_path::critical_path;
use tracescope_core::analysis::service_graph::service_graph;
use tracescope_core::analysis::stats::{operation_stats, GroupBy, OpStats};
use tracescope_core::find::{find, FindQuery};
use tracescope_core::layout::chart::{latency_charts, Ink, Mark};
use tracescope_core::layout::flame::chart_lod;
use tracescope_core::layout::flame_mipmap::FlameMipmap;
use tracescope_core::layout::service_map::{layout, Transform, COL_GAP, NODE_H, NODE_W, ROW_GAP};
use tracescope_core::layout::time::TimeScale;
use tracescope_core::layout::waterfall::{name_width, scene, visible_rows, Badges, SceneInput};
use tracescope_core::{decode_bytes, Dataset, Trace};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Root 0..1000 µs (svc-a), child 500..1000 µs with error (svc-b).
const TRACE: &str = r#"{"data":[{"traceID":"ab","spans":[
 {"traceID":"ab","spanID":"01","operationName":"root","startTime":1000000,"duration":1000,"processID":"p1","references":[]},
 {"traceID":"ab","spanID":"02","operationName":"child","startTime":1000500,"duration":500,"processID":"p2",
  "references":[{"refType":"CHILD_OF","traceID":"ab","spanID":"01"}],
  "tags":[{"key":"error","type":"bool","value":true},{"key":"html","type":"string","value":"<img src=x onerror=alert(1)>"}]}
],"processes":{"p1":{"serviceName":"svc-a"},"p2":{"serviceName":"svc-b"}}}]}"#;

fn dataset() -> Dataset {
    let mut ds = Dataset::default();
    decode_bytes(&mut ds, TRACE.as_bytes()).unwrap();
    ds
}

fn canvas(w: u32, h: u32) -> web_sys::HtmlCanvasElement {
    let doc = web_sys::window().unwrap().document().unwrap();
    let c: web_sys::HtmlCanvasElement = doc.create_element("canvas").unwrap().dyn_into().unwrap();
    c.set_width(w);
    c.set_height(h);
    c
}

/// `#rrggbb` as bytes.
fn hex(h: &str) -> (u8, u8, u8) {
    let byte = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).unwrap();
    (byte(1), byte(3), byte(5))
}

fn pixel(ctx: &web_sys::CanvasRenderingContext2d, x: f64, y: f64) -> (u8, u8, u8) {
    let d = ctx.get_image_data(x, y, 1.0, 1.0).unwrap().data();
    (d[0], d[1], d[2])
}

#[wasm_bindgen_test]
fn bars_are_drawn_where_the_layout_says() {
    let ds = dataset();
    let t: &Trace = &ds.traces[0];
    let (w, h) = (1000.0, 200.0);
    let c = canvas(w as u32, h as u32);
    let ctx = ctx2d(&c).unwrap();
    let slots = service_slots(&ds, [t]);
    let cp = critical_path(t);
    let rows = visible_rows(t, &[false, false]);
    let (b0, b1) = t.bounds();
    let mini = minimap_runs(t, w);
    let frame = Frame {
        scene: SceneInput {
            ds: &ds,
            t,
            rows: &rows,
            collapsed: &[false, false],
            width: w,
            height: h,
            scroll_y: 0.0,
            view: (b0 as f64, b1 as f64),
            bounds: (b0 as f64, b1 as f64),
            critical: None,
            matched: None,
            detail_key: None,
            columns: &[],
            flows: &[],
            badges: &Badges::default(),
        },
        selected: None,
        hover_row: None,
        drag: None,
        slots: &slots,
        minimap: &mini,
        th: &LIGHT,
    };
    paint(&ctx, &frame);
    let tl_x = name_width(w) + 1.0;
    let tl_w = w - tl_x - 8.0;
    let row_mid = |r: f64| HEADER + r * ROW_H + ROW_H / 2.0;
    // Root bar spans the whole timeline in svc-a's colour (its label sits inside the right end).
    assert_eq!(
        pixel(&ctx, tl_x + 20.0, row_mid(0.0)),
        hex(LIGHT.services[0])
    );
    assert_eq!(
        pixel(&ctx, tl_x + tl_w * 0.6, row_mid(0.0)),
        hex(LIGHT.services[0])
    );
    // Child bar starts halfway, in svc-b's colour; before it the row is background.
    assert_eq!(
        pixel(&ctx, tl_x + tl_w * 0.75, row_mid(1.0)),
        hex(LIGHT.services[1])
    );
    assert_ne!(
        pixel(&ctx, tl_x + tl_w * 0.25, row_mid(1.0)),
        hex(LIGHT.services[1])
    );
    // No third row.
    assert_ne!(
        pixel(&ctx, tl_x + tl_w * 0.75, row_mid(2.0)),
        hex(LIGHT.services[1])
    );
    // With the critical path on, a band runs through the child's bar (it ends
    // the trace) and through the root's first half (its own work before it).
    paint(
        &ctx,
        &Frame {
            scene: SceneInput {
                critical: Some(&cp),
                matched: None,
                ..frame.scene
            },
            ..frame
        },
    );
    assert_eq!(
        pixel(&ctx, tl_x + tl_w * 0.75, row_mid(1.0)),
        hex(LIGHT.critical)
    );
    assert_eq!(
        pixel(&ctx, tl_x + tl_w * 0.25, row_mid(0.0)),
        hex(LIGHT.critical)
    );
    // While the child runs, the root is off the path: its bar keeps its colour.
    assert_eq!(
        pixel(&ctx, tl_x + tl_w * 0.75, row_mid(0.0)),
        hex(LIGHT.services[0])
    );
    // The minimap: the root fills the upper half of the strip, the child the
    // right half of the lower one, in the error colour (checked outside the
    // view's window).
    let tenth = (b0 as f64, b0 as f64 + (b1 - b0) as f64 / 10.0);
    paint(
        &ctx,
        &Frame {
            scene: SceneInput {
                view: tenth,
                ..frame.scene
            },
            ..frame
        },
    );
    let strip = |frac: f64| 3.0 + (MINIMAP_H - 6.0) * frac;
    assert_eq!(
        pixel(&ctx, tl_x + tl_w * 0.25, strip(0.25)),
        hex(LIGHT.services[0])
    );
    assert_eq!(
        pixel(&ctx, tl_x + tl_w * 0.75, strip(0.75)),
        hex(LIGHT.error)
    );
    assert_ne!(
        pixel(&ctx, tl_x + tl_w * 0.25, strip(0.75)),
        hex(LIGHT.error)
    );
}

#[wasm_bindgen_test]
fn flame_chart_frames_sit_at_their_time_and_depth() {
    let ds = dataset();
    let t: &Trace = &ds.traces[0];
    let (w, h) = (800.0, 120.0);
    let c = canvas(w as u32, h as u32);
    let ctx = ctx2d(&c).unwrap();
    let slots = service_slots(&ds, [t]);
    let (b0, b1) = t.bounds();
    let scale = TimeScale::new(b0 as f64, b1 as f64, 0.0, w);
    let lod = chart_lod(t, &FlameMipmap::build(t), &scale, 1.0, 0..5);
    let rects = lod.rects.clone();
    let child = find(&ds, t, &FindQuery::parse("child").unwrap());
    assert_eq!(child.len(), 1);
    let p = |finding: bool| FlamePaint {
        ds: &ds,
        source: FlameSource::Chart {
            t,
            scale,
            critical: None,
        },
        rects: &rects,
        fine: &lod.fine,
        first_row: 0,
        width: w,
        height: h,
        scroll_y: 0.0,
        selected: None,
        hover: None,
        found: finding.then_some(&child),
        service_filter: None,
        slots: &slots,
        th: &LIGHT,
    };
    let frames = flame::paint(&ctx, &p(false));
    let mid = |d: f64| TOP + d * FRAME_H + 4.0;
    // Each frame's pixels are where its geometry says, and end there (inside
    // the error outline).
    assert_eq!(frames.len(), 2);
    for f in &frames {
        let color = hex(LIGHT.service(&slots, t.service[f.id as usize]));
        assert_eq!(pixel(&ctx, f.x + 2.5, f.top + 4.0), color, "{f:?}");
        assert_eq!(pixel(&ctx, f.x + f.w - 2.5, f.top + 4.0), color, "{f:?}");
        if f.x >= 2.0 {
            assert_eq!(pixel(&ctx, f.x - 1.5, f.top + 4.0), hex(LIGHT.bg), "{f:?}");
        }
    }
    // Root across the whole width at depth 0; the child in the right half at depth 1.
    assert_eq!(pixel(&ctx, w * 0.1, mid(0.0)), hex(LIGHT.services[0]));
    assert_eq!(pixel(&ctx, w * 0.9, mid(0.0)), hex(LIGHT.services[0]));
    assert_eq!(pixel(&ctx, w * 0.75, mid(1.0)), hex(LIGHT.services[1]));
    assert_eq!(pixel(&ctx, w * 0.25, mid(1.0)), hex(LIGHT.bg));
    // Finding "child" dims the root.
    flame::paint(&ctx, &p(true));
    assert_ne!(pixel(&ctx, w * 0.1, mid(0.0)), hex(LIGHT.services[0]));
    assert_eq!(pixel(&ctx, w * 0.75, mid(1.0)), hex(LIGHT.services[1]));

    // Zoomed far out the whole trace is under a pixel: no frame is drawn on
    // its own, the pixel column still shows both levels (merged per pixel).
    let wide = TimeScale::new(b0 as f64, b0 as f64 + (b1 - b0) as f64 * 2000.0, 0.0, w);
    let far = chart_lod(t, &FlameMipmap::build(t), &wide, 1.0, 0..5);
    assert!(far.rects.is_empty());
    assert_eq!(
        far.fine.iter().map(|r| r.row).collect::<Vec<_>>(),
        vec![0, 1]
    );
    flame::paint(
        &ctx,
        &FlamePaint {
            rects: &far.rects,
            fine: &far.fine,
            source: FlameSource::Chart {
                t,
                scale: wide,
                critical: None,
            },
            ..p(false)
        },
    );
    assert_ne!(pixel(&ctx, 0.5, mid(0.0)), hex(LIGHT.bg));
    assert_ne!(pixel(&ctx, 0.5, mid(1.0)), hex(LIGHT.bg));
    assert_eq!(pixel(&ctx, 3.5, mid(0.0)), hex(LIGHT.bg));
}

#[wasm_bindgen_test]
fn service_map_boxes_are_drawn_at_their_layout_positions() {
    let ds = dataset();
    let g = service_graph(ds.traces.iter().map(Box::as_ref));
    let l = layout(&g, NODE_W, NODE_H, COL_GAP, ROW_GAP);
    let (w, h) = (600.0, 400.0);
    let c = canvas(w as u32, h as u32);
    let ctx = ctx2d(&c).unwrap();
    let slots = service_slots(&ds, ds.traces.iter().map(Box::as_ref));
    let tf = Transform::fit(&l, w, h);
    service_map::paint(
        &ctx,
        &MapPaint {
            ds: &ds,
            g: &g,
            l: &l,
            tf,
            width: w,
            height: h,
            hover: None,
            filter: None,
            slots: &slots,
            th: &LIGHT,
            folded: false,
        },
    );
    for (i, n) in g.nodes.iter().enumerate() {
        // The colour bar inside the left edge of each box.
        let (x, y) = tf.to_screen(l.centers[i].0 - NODE_W / 2.0 + 8.0, l.centers[i].1);
        assert_eq!(pixel(&ctx, x, y), hex(LIGHT.service(&slots, n.service)));
    }
    // svc-a calls svc-b: the caller is on the left.
    assert!(l.centers[g.edges[0].from].0 < l.centers[g.edges[0].to].0);
}

#[wasm_bindgen_test]
fn statistics_sort_and_chart() {
    let ds = dataset();
    let mut rows = operation_stats(
        &ds,
        ds.traces.iter().map(Box::as_ref),
        &GroupBy::ServiceOperation,
    );
    sort_rows(&mut rows, Column::P99, true);
    assert_eq!(rows[0].operation, "root");
    sort_rows(&mut rows, Column::Errors, true);
    assert_eq!(rows[0].operation, "child");
    sort_rows(&mut rows, Column::Service, false);
    assert_eq!(rows[0].service, "svc-a");
    // The table's order (indices) is the rows' order, filtered by the needle.
    for (col, desc) in [
        (Column::P99, true),
        (Column::Errors, true),
        (Column::Service, false),
    ] {
        let order = row_order(&rows, "", col, desc);
        let mut sorted = rows.clone();
        sort_rows(&mut sorted, col, desc);
        let names = |r: &OpStats| (r.service.clone(), r.operation.clone());
        assert_eq!(
            order.iter().map(|&i| names(&rows[i])).collect::<Vec<_>>(),
            sorted.iter().map(names).collect::<Vec<_>>()
        );
    }
    assert!(row_order(&rows, "child", Column::P99, true)
        .iter()
        .all(|&i| rows[i].operation.contains("child")));
    // The chart's bars, lines and dots are painted where its geometry says.
    let c = canvas(600, 240);
    let ctx = ctx2d(&c).unwrap();
    let chart = latency_charts(&rows[0], 600.0, 240.0, &CanvasText(&ctx));
    paint_chart(&ctx, &chart, &LIGHT, 600.0, 240.0);
    let lines: Vec<f64> = chart
        .marks
        .iter()
        .filter_map(|m| match m {
            Mark::Line {
                points,
                ink: Ink::Percentile(_),
                width,
            } if *width == 2.0 => Some(points[0].0),
            _ => None,
        })
        .collect();
    assert_eq!(lines.len(), 3);
    let mut checked = 0;
    for m in &chart.marks {
        match m {
            Mark::Rect {
                rect: r,
                item: Some(_),
                ..
            } => {
                // Beside the percentile lines, just above the axis.
                let x = r.x + 2.0;
                if r.w >= 4.0 && lines.iter().all(|l| (l - x).abs() > 3.0) {
                    assert_eq!(
                        pixel(&ctx, x, r.bottom() - 3.0),
                        hex(LIGHT.services[0]),
                        "{r:?}"
                    );
                    assert_eq!(
                        pixel(&ctx, r.x - 2.0, r.bottom() - 3.0),
                        hex(LIGHT.bg),
                        "{r:?}"
                    );
                    checked += 1;
                }
            }
            Mark::Dot {
                x,
                y,
                ink: Ink::Percentile(k),
                ..
            } => {
                let want = [LIGHT.services[2], LIGHT.services[1], LIGHT.error][*k];
                assert_eq!(pixel(&ctx, *x, *y), hex(want), "p dot {k}");
                checked += 1;
            }
            _ => {}
        }
    }
    assert!(checked >= 2, "{checked} marks checked");
    // A percentile line, drawn at its x down the plot.
    let plot = &chart.plots[0];
    let mid = plot.frame.y + plot.frame.h * 0.1;
    assert_eq!(pixel(&ctx, lines[2], mid), hex(LIGHT.error));
}

#[wasm_bindgen_test]
fn long_names_are_cut_to_fit() {
    let c = canvas(10, 10);
    let ctx = ctx2d(&c).unwrap();
    ctx.set_font("12px sans-serif");
    let long = "a-very-long-operation-name-that-cannot-fit-in-the-column";
    let cut = fit_text(&ctx, long, 80.0).unwrap();
    assert!(cut.ends_with('…') && cut.len() < long.len());
    assert!(ctx.measure_text(&cut).unwrap().width() <= 80.0);
    assert_eq!(fit_text(&ctx, "ok", 80.0).unwrap(), "ok");
    assert_eq!(fit_text(&ctx, long, 4.0), None);
    // Widths come from cached per-character advances: close to the real one.
    let real = ctx.measure_text(long).unwrap().width();
    assert!((text_width(&ctx, long) - real).abs() < 2.0, "{real}");
}

#[wasm_bindgen_test]
fn text_in_another_font_is_measured_in_it_and_the_context_keeps_its_own() {
    use tracescope_core::layout::text::{Font, TextMeasure};
    let c = canvas(10, 10);
    let ctx = ctx2d(&c).unwrap();
    ctx.set_font("10px serif");
    let before = ctx.font();
    // ASCII (measured with the font's first character) and what is not.
    let text = "GET /orders/{id} 250 µs — ok…";
    let w = CanvasText(&ctx).width(Font::Bold, text);
    assert_eq!(ctx.font(), before);
    ctx.set_font(font_css(Font::Bold));
    let real = ctx.measure_text(text).unwrap().width();
    assert!((w - real).abs() < 2.0, "{w} measured, {real} real");
}

#[wasm_bindgen_test]
fn span_detail_shows_attribute_values_as_text() {
    let doc = web_sys::window().unwrap().document().unwrap();
    let host: web_sys::HtmlElement = doc.create_element("div").unwrap().dyn_into().unwrap();
    doc.body().unwrap().append_child(&host).unwrap();
    let ds = RwSignal::new(dataset());
    let selected = RwSignal::new(Some(1u32));
    let handle = leptos::mount::mount_to(host.clone(), move || {
        provide_context(ViewContext {
            selected,
            ..ViewContext::of_trace(ds, 0)
        });
        view! { <SpanDetail critical=Signal::derive(|| Some((500_000i64, 1_000_000i64))) /> }
    });
    let panel = host
        .query_selector("[data-testid=span-detail]")
        .unwrap()
        .expect("detail panel");
    assert_eq!(panel.get_attribute("data-span-id").as_deref(), Some("02"));
    assert!(
        host.query_selector("img").unwrap().is_none(),
        "an attribute value became HTML"
    );
    let text = panel.text_content().unwrap();
    assert!(text.contains("<img src=x onerror=alert(1)>"), "{text}");
    assert!(text.contains("svc-b") && text.contains("error"));
    // Self time of the child is all of its 500 µs.
    let st = host
        .query_selector("[data-testid=self-time]")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert_eq!(st, "500µs");
    let cp = host
        .query_selector("[data-testid=critical-time]")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert_eq!(cp, "500µs (50% of the trace)");
    handle.forget();
}

#[wasm_bindgen_test]
fn scatter_dots_sit_at_start_and_duration_errors_red() {
    use tracescope_core::backend::response::Found;
    let row = |start_ns: i64, duration_ns: i64, errors: usize| Found {
        trace_id: format!("{start_ns}"),
        root_service: "svc".into(),
        root_name: "op".into(),
        start_ns,
        duration_ns,
        spans: Some(3),
        errors: Some(errors),
        services: vec!["svc".into()],
    };
    let t0 = 1_700_000_000_000_000_000;
    // Later and longer, with errors.
    let rows = [
        row(t0, 10_000_000, 0),
        row(t0 + 60_000_000_000, 50_000_000, 2),
    ];
    let c = canvas(600, 240);
    let dots = draw_scatter(&c, &rows, false, true, (600.0, 240.0));
    assert_eq!(dots.len(), 2);
    assert!(dots[1].0 > dots[0].0 + 300.0, "{dots:?}");
    assert!(dots[1].1 < dots[0].1 - 100.0, "{dots:?}");
    let ctx = ctx2d(&c).unwrap();
    let close = |a: (u8, u8, u8), b: (u8, u8, u8)| {
        (a.0 as i32 - b.0 as i32).abs()
            + (a.1 as i32 - b.1 as i32).abs()
            + (a.2 as i32 - b.2 as i32).abs()
            < 40
    };
    let (plain, err) = (hex(LIGHT.services[0]), hex(LIGHT.error));
    assert!(
        close(pixel(&ctx, dots[0].0, dots[0].1), plain),
        "{:?}",
        pixel(&ctx, dots[0].0, dots[0].1)
    );
    assert!(
        close(pixel(&ctx, dots[1].0, dots[1].1), err),
        "{:?}",
        pixel(&ctx, dots[1].0, dots[1].1)
    );
    // Nothing between them.
    let mid = ((dots[0].0 + dots[1].0) / 2.0, (dots[0].1 + dots[1].1) / 2.0);
    assert!(!close(pixel(&ctx, mid.0, mid.1), err));
    // No results: no dots, a sentence instead.
    assert!(draw_scatter(&canvas(600, 240), &[], false, true, (600.0, 240.0)).is_empty());
}

#[wasm_bindgen_test]
fn an_insights_badge_is_boxed_where_the_layout_puts_it() {
    use tracescope_core::analysis::insights::{Insight, InsightKind};
    let ds = dataset();
    let t: &Trace = &ds.traces[0];
    let (w, h) = (1000.0, 200.0);
    let c = canvas(w as u32, h as u32);
    let ctx = ctx2d(&c).unwrap();
    let slots = service_slots(&ds, [t]);
    let rows = visible_rows(t, &[false, false]);
    let (b0, b1) = t.bounds();
    let mini = minimap_runs(t, w);
    let badges = Badges::of(&[Insight {
        kind: InsightKind::Retry,
        spans: vec![1],
        count: 2,
        saving_ns: 0,
        message: String::new(),
        subject: String::new(),
    }]);
    let input = SceneInput {
        ds: &ds,
        t,
        rows: &rows,
        collapsed: &[false, false],
        width: w,
        height: h,
        scroll_y: 0.0,
        view: (b0 as f64, b1 as f64),
        bounds: (b0 as f64, b1 as f64),
        critical: None,
        matched: None,
        detail_key: None,
        columns: &[],
        flows: &[],
        badges: &badges,
    };
    let frame = Frame {
        scene: input,
        selected: None,
        hover_row: None,
        drag: None,
        slots: &slots,
        minimap: &mini,
        th: &LIGHT,
    };
    paint(&ctx, &frame);
    let sc = scene(&input, &CanvasText(&ctx));
    let b = sc.rows[1]
        .badge
        .as_ref()
        .expect("the retried span's row has a badge");
    assert_eq!(b.text, "retry");
    assert!(sc.rows[0].badge.is_none());
    // The box just left of the text, in the badge colour; nothing like it on the root's row.
    let y = HEADER + ROW_H + ROW_H / 2.0;
    assert_eq!(pixel(&ctx, b.x - 1.5, y), hex(LIGHT.insight_bg));
    assert_ne!(pixel(&ctx, b.x - 1.5, y - ROW_H), hex(LIGHT.insight_bg));
}
