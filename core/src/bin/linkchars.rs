//! `linkchars [CORPUS_DIR]`: for every trace file, the characters a span
//! takes in a self-contained link — as earlier builds made it (deflated
//! OTLP JSON) and as each choice of the compact payload makes it — as a
//! Markdown table (docs/benchmarks.md). Default redaction, as the share
//! dialog opens; flate2 at its best level (the browser's deflate is close).
//! `--payloads DIR` also writes each trace's payload (everything kept), less
//! its magic and version, into DIR: seeds for the `link_payload` fuzz target.

use tracescope_core::encode::compact::{encode, Keep};
use tracescope_core::encode::{otlp, redact::Redaction};
use tracescope_core::{decode_bytes, share, Dataset};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = args
        .first()
        .cloned()
        .unwrap_or_else(|| "../shared/corpus".into());
    let seeds = args
        .iter()
        .position(|a| a == "--payloads")
        .and_then(|i| args.get(i + 1));
    let header = tracescope_core::encode::compact::MAGIC.len() + 1;
    let mut files: Vec<_> = walk(std::path::Path::new(&root));
    files.sort();
    println!("| file | spans | OTLP JSON (before) | everything | without resource attrs | for the ticket |");
    println!("|---|---:|---:|---:|---:|---:|");
    let r = Redaction::defaults();
    let mut sums = [0usize; 5];
    for f in files {
        let mut ds = Dataset::default();
        let Ok(bytes) = std::fs::read(&f) else {
            continue;
        };
        if decode_bytes(&mut ds, &bytes).is_err() {
            continue;
        }
        let spans = ds.span_count();
        let before: usize = ds
            .traces
            .iter()
            .map(|t| share::pack(&otlp::encode(&ds, [&**t], &r)).len())
            .sum();
        if let Some(dir) = seeds {
            for (n, t) in ds.traces.iter().enumerate() {
                let payload = encode(&ds, t, &r, Keep::Everything, None);
                let name = format!(
                    "{}-{n}",
                    f.file_name().unwrap_or_default().to_string_lossy()
                );
                let _ = std::fs::write(std::path::Path::new(dir).join(name), &payload[header..]);
            }
        }
        let after = Keep::ALL.map(|k| {
            ds.traces
                .iter()
                .map(|t| share::pack(&encode(&ds, t, &r, k, None)).len())
                .sum::<usize>()
        });
        for (s, v) in sums
            .iter_mut()
            .zip([spans, before, after[0], after[1], after[2]])
        {
            *s += v;
        }
        let per = |c: usize| format!("{c} ({:.0})", c as f64 / spans as f64);
        let name = f.strip_prefix(&root).unwrap_or(&f).display().to_string();
        println!(
            "| {} | {spans} | {} | {} | {} | {} |",
            name.trim_start_matches('/'),
            per(before),
            per(after[0]),
            per(after[1]),
            per(after[2])
        );
    }
    let per = |c: usize| format!("{c} ({:.1})", c as f64 / sums[0] as f64);
    println!(
        "| **all** | {} | {} | {} | {} | {} |",
        sums[0],
        per(sums[1]),
        per(sums[2]),
        per(sums[3]),
        per(sums[4])
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p
                .extension()
                .is_some_and(|x| x == "json" || x == "gz" || x == "jsonl")
            {
                out.push(p);
            }
        }
    }
    out
}
