//! `inspect FILE…`: what Tracescope reads in each file: format, traces,
//! spans, services, error spans and warnings. `--json` prints one JSON object
//! per file, with per-operation statistics (count, errors, min, p50, p90,
//! p95, p99, max in ns; nearest-rank percentiles). `--parts=N` decodes a
//! large file in N parts on as many threads (default: one per core, at most
//! one per 8 MB); `--time` prints how long each decode took. Exit 0 when
//! every file decoded, 1 when any was rejected.

use std::process::ExitCode;
use tracescope_core::analysis::insights::{across, insights, Thresholds};
use tracescope_core::analysis::stats::{operation_stats, GroupBy};
use tracescope_core::analysis::summary::summarize;
use tracescope_core::decode::parts;
use tracescope_core::Dataset;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let as_json = args.iter().any(|a| a == "--json");
    let files: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let timed = args.iter().any(|a| a == "--time");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let parts_asked = args
        .iter()
        .find_map(|a| a.strip_prefix("--parts=")?.parse::<usize>().ok());
    if files.is_empty() || args.iter().any(|a| a == "--help" || a == "-h") {
        eprintln!("usage: inspect [--json] FILE...");
        return ExitCode::from(2);
    }
    let mut failed = false;
    for f in files {
        let bytes = match std::fs::read(f) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{f}: cannot read: {e}");
                failed = true;
                continue;
            }
        };
        let mut ds = Dataset::default();
        let n =
            parts_asked.unwrap_or_else(|| parts::worth(bytes.len(), cores, parts::PART_MIN_BYTES));
        let t0 = std::time::Instant::now();
        let decoded = parts::decode_in_parts(&mut ds, &bytes, n);
        if timed {
            eprintln!(
                "{f}: decoded in {n} part(s) in {:.0} ms",
                t0.elapsed().as_secs_f64() * 1e3
            );
        }
        match decoded {
            Ok(sum) => {
                let traces: Vec<_> = ds.traces[sum.traces.clone()]
                    .iter()
                    .map(|t| summarize(&ds, t))
                    .collect();
                let mut services: Vec<&str> = ds
                    .traces
                    .iter()
                    .flat_map(|t| t.service.iter().map(|s| ds.str(*s)))
                    .collect();
                services.sort_unstable();
                services.dedup();
                let errors: usize = traces.iter().map(|t| t.errors).sum();
                let warnings: Vec<&String> =
                    traces.iter().flat_map(|t| t.warnings.iter()).collect();
                if as_json {
                    // Same numbers as the app's statistics view (nearest-rank percentiles).
                    let operations = operation_stats(
                        &ds,
                        ds.traces[sum.traces.clone()].iter().map(Box::as_ref),
                        &GroupBy::ServiceOperation,
                    );
                    let insights: Vec<serde_json::Value> = ds.traces[sum.traces.clone()]
                        .iter()
                        .flat_map(|t| {
                            let ds = &ds;
                            insights(ds, t, Thresholds::default()).into_iter().map(move |i| {
                                serde_json::json!({
                                    "kind": i.kind.key(),
                                    "trace_id": ds.trace_id(t).to_string(),
                                    "span_ids": i.spans.iter().map(|&s| ds.span_id(t, s as usize).to_string()).collect::<Vec<_>>(),
                                    "count": i.count,
                                    "saving_ns": i.saving_ns,
                                    "message": i.message,
                                })
                            })
                        })
                        .collect();
                    // The same findings grouped over the file's traces.
                    let in_file = &ds.traces[sum.traces.clone()];
                    let across: Vec<serde_json::Value> = across(&ds, in_file, Thresholds::default())
                        .iter()
                        .map(|a| {
                            serde_json::json!({
                                "kind": a.kind.key(),
                                "subject": a.subject,
                                "trace_ids": a.traces.iter().map(|&k| ds.trace_id(&in_file[k as usize]).to_string()).collect::<Vec<_>>(),
                                "count": a.count,
                                "saving_ns": a.saving_ns,
                                "message": a.message(in_file.len()),
                            })
                        })
                        .collect();
                    let obj = serde_json::json!({
                        "file": f,
                        "format": sum.format.name(),
                        "traces": traces.len(),
                        "spans": sum.spans,
                        "services": services.len(),
                        "errors": errors,
                        "warnings": warnings,
                        "trace_summaries": traces,
                        "operations": operations,
                        "insights": insights,
                        "insights_across": across,
                    });
                    println!("{obj}");
                } else {
                    println!(
                        "{f}: {} — {} trace{}, {} spans, {} services, {} error spans",
                        sum.format.label(),
                        traces.len(),
                        if traces.len() == 1 { "" } else { "s" },
                        sum.spans,
                        services.len(),
                        errors
                    );
                    for w in warnings {
                        println!("  warning: {w}");
                    }
                }
            }
            Err(e) => {
                eprintln!("{f}: {e}");
                if as_json {
                    println!("{}", serde_json::json!({"file": f, "error": e.to_string()}));
                }
                failed = true;
            }
        }
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
