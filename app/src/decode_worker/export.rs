//! Exports in the worker: the page hands it the open trace a slice per
//! task (unless it holds it already), then asks for what to make of it.

use super::{end_worker, fail_current, post, pump, queue, Job, Work, STATE};
use futures_channel::oneshot;
use leptos::prelude::*;
use std::collections::VecDeque;
use std::rc::Rc;
use tracescope_core::encode::redact::Redaction;
use tracescope_core::model::TraceIdentity;
use tracescope_core::wire::{Delta, TraceAlone};
use tracescope_core::Dataset;
use tracescope_worker::protocol::{Export, Exported, ToWorker};

/// The trace the worker holds for export: which one, and as long as the
/// page's trace at that index is that trace.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct HeldTrace {
    index: usize,
    identity: TraceIdentity,
}

impl HeldTrace {
    pub(super) fn of(ds: &Dataset, index: usize) -> Option<HeldTrace> {
        let t = ds.trace(index)?;
        Some(HeldTrace {
            index,
            identity: t.identity(),
        })
    }
}

/// Time given to handing a trace to the worker before the page gets the
/// thread back (a task stays well under 100 ms).
const HAND_OVER_MS: f64 = 25.0;
/// Spans taken out of the dataset per step of that.
const SPANS_PER_STEP: usize = 10_000;

/// Makes `what` of trace `trace` in the worker (handing it the trace
/// first, unless it holds it); `on_progress` hears the spans written. A
/// count asked for replaces counts still waiting (the settings changed).
pub async fn export(
    dataset: RwSignal<Dataset>,
    trace: usize,
    what: Export,
    redaction: Redaction,
    on_progress: impl Fn(usize) + 'static,
) -> Result<Exported, String> {
    if what == Export::Count {
        let stale: VecDeque<Job> = STATE.with_borrow_mut(|s| {
            let (stale, keep): (VecDeque<Job>, VecDeque<Job>) = s.queue.drain(..).partition(|j| {
                matches!(
                    &j.work,
                    Work::Export {
                        what: Export::Count,
                        ..
                    }
                )
            });
            s.queue = keep;
            stale
        });
        for j in stale {
            j.fail("the settings changed".into());
        }
    }
    let (reply, answer) = oneshot::channel();
    let on_progress = Rc::new(on_progress);
    queue(
        dataset,
        Work::Export {
            trace,
            what,
            redaction,
            on_progress,
            reply,
        },
    );
    answer
        .await
        .unwrap_or_else(|_| Err("the export was cancelled".into()))
}

/// Stops every export in progress or waiting; loads go on (in a fresh
/// worker when an export was running).
pub fn cancel_exports() {
    let jobs: Vec<Job> = STATE.with_borrow_mut(|s| {
        let mut jobs = Vec::new();
        if s.current.as_ref().is_some_and(Job::is_export) {
            end_worker(s);
            jobs.extend(s.current.take());
        }
        let (exports, loads): (VecDeque<Job>, VecDeque<Job>) =
            s.queue.drain(..).partition(Job::is_export);
        s.queue = loads;
        jobs.extend(exports);
        jobs
    });
    for j in jobs {
        j.fail("the export was cancelled".into());
    }
    pump();
}

/// The current export job's trace and what to make of it, while `id` is current.
fn current_export(id: u32) -> Option<(RwSignal<Dataset>, usize, Export, Redaction)> {
    STATE.with_borrow(|s| match s.current.as_ref()? {
        Job {
            id: current,
            dataset,
            work:
                Work::Export {
                    trace,
                    what,
                    redaction,
                    ..
                },
            ..
        } if *current == id => Some((*dataset, *trace, what.clone(), redaction.clone())),
        _ => None,
    })
}

enum Step {
    Took,
    Part(Vec<u8>),
    Finished,
}

/// Hands the export job `id`'s trace to the worker (unless it holds it),
/// taking the page's thread for [`HAND_OVER_MS`] at a time, then asks for
/// the export. Stops when the job is no longer current (cancelled).
pub(super) async fn hand_over(id: u32) {
    let Some((dataset, trace, ..)) = current_export(id) else {
        return;
    };
    let key = dataset.with_untracked(|ds| HeldTrace::of(ds, trace));
    let fresh = STATE.with_borrow(|s| s.held != key || key.is_none());
    if fresh {
        // The strings the worker lacks, as they stand now.
        let strings =
            STATE.with_borrow(|s| s.synced)..dataset.with_untracked(|ds| ds.strings.len());
        let mut alone = TraceAlone::new(trace);
        let mut delta = Delta::new(strings.clone(), 0..1);
        let mut taken = false;
        // Take the trace out a slice at a time, then make its parts.
        let mut next = || {
            dataset.with_untracked(|ds| {
                if !taken {
                    taken = alone.step(ds, SPANS_PER_STEP);
                    return Step::Took;
                }
                delta
                    .next_part(ds, alone.tables())
                    .map_or(Step::Finished, Step::Part)
            })
        };
        'handing: loop {
            let t0 = crate::metrics::now();
            while crate::metrics::now() - t0 < HAND_OVER_MS {
                match next() {
                    Step::Took => {}
                    Step::Part(part) => {
                        let sent = STATE.with_borrow(|s| post(s, &ToWorker::Hold { id, part }));
                        if let Err(e) = sent {
                            return fail_current(e, true);
                        }
                    }
                    Step::Finished => break 'handing,
                }
            }
            tracescope_components::canvas::next_task().await;
            if current_export(id).is_none() {
                return;
            }
        }
        STATE.with_borrow_mut(|s| {
            s.synced = strings.end;
            s.held = key;
        });
    }
    let Some((_, _, what, redaction)) = current_export(id) else {
        return;
    };
    let m = ToWorker::Export {
        id,
        what,
        redaction,
        fresh,
    };
    if let Err(e) = STATE.with_borrow(|s| post(s, &m)) {
        fail_current(e, true);
    }
}
