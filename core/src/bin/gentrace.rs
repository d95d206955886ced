//! `gentrace SPANS [jaeger|jaeger-trace|jaeger-lines|jaeger-list|otlp|otlp-lines|zipkin|datadog|chrome] [SEED]`: one
//! synthetic trace of SPANS spans as JSON (or JSON Lines) on stdout, for
//! benchmarks (see `tracescope_core::synth`).

use std::io::Write;
use std::process::ExitCode;
use tracescope_core::synth::{trace_json, SynthFormat};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n = args
        .first()
        .and_then(|a| a.replace('_', "").parse::<usize>().ok());
    let format = SynthFormat::parse(args.get(1).map_or("jaeger", String::as_str));
    let seed = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    let (Some(n), Some(format)) = (n, format) else {
        eprintln!(
            "usage: gentrace SPANS [jaeger|jaeger-trace|jaeger-lines|jaeger-list|otlp|otlp-lines|zipkin|datadog|chrome] [SEED]"
        );
        return ExitCode::from(2);
    };
    let json = trace_json(n, format, seed);
    if std::io::stdout().write_all(json.as_bytes()).is_err() {
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
