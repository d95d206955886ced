//! The merged tree of two traces (`analysis::diff`) as rows: each path of
//! service:operation under its parent, indented by depth, with two bars —
//! its total time in A above, in B below — on one scale for the whole
//! tree, coloured by the change, and the change written at the right.

use super::chart::Rect;
use super::text::{Font, Label, TextMeasure};
use super::time::format_duration;
use crate::analysis::diff::DiffNode;

/// Height of one row, CSS pixels.
pub const ROW_H: f64 = 24.0;
/// Indent of each level of depth.
const INDENT: f64 = 12.0;
/// Width kept for the change at the right of each row.
const CHANGE_W: f64 = 130.0;

/// How a path changed from A to B.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Slower,
    Faster,
    Same,
    /// Only A has it.
    Gone,
    /// Only B has it.
    New,
}

impl Change {
    pub fn of(n: &DiffNode) -> Change {
        match (n.count, n.delta_ns()) {
            ([_, 0], _) => Change::Gone,
            ([0, _], _) => Change::New,
            (_, d) if d > 0 => Change::Slower,
            (_, d) if d < 0 => Change::Faster,
            _ => Change::Same,
        }
    }
}

/// One path drawn: its node (index into the nodes), its bars and text.
#[derive(Debug, Clone, PartialEq)]
pub struct DiffRow {
    pub node: u32,
    /// The row's top.
    pub y: f64,
    /// "service operation ×1 → ×2", cut to the name column.
    pub label: Label,
    /// Total time in A (upper bar) and in B (lower bar); empty when a
    /// trace has none of it.
    pub bars: [Rect; 2],
    pub change: Change,
    /// "+30ms (+75%)", "new", "gone".
    pub delta: Label,
}

/// The width of the names: the waterfall's, but at most half of what the
/// change leaves on a narrow canvas (the bars need the rest).
pub fn name_column(width: f64) -> f64 {
    super::waterfall::name_width(width).min((width - CHANGE_W - 16.0) * 0.5)
}

/// The nodes in tree order: each after its parent, its subtree whole
/// before the next sibling, siblings in the order of the list.
pub fn tree_order(nodes: &[DiffNode]) -> Vec<u32> {
    let mut children: Vec<Vec<u32>> = vec![Vec::new(); nodes.len()];
    let mut roots = Vec::new();
    for (i, n) in nodes.iter().enumerate() {
        match n.parent {
            Some(p) => children[p as usize].push(i as u32),
            None => roots.push(i as u32),
        }
    }
    let mut out = Vec::with_capacity(nodes.len());
    let mut stack: Vec<u32> = roots.into_iter().rev().collect();
    while let Some(n) = stack.pop() {
        out.push(n);
        stack.extend(children[n as usize].iter().rev());
    }
    out
}

/// The first `max_rows` rows of `nodes` on a canvas `width` wide, in tree
/// order from the top; `name` gives a node's service and operation as text.
pub fn diff_rows(
    nodes: &[DiffNode],
    name: impl Fn(&DiffNode) -> String,
    width: f64,
    m: &impl TextMeasure,
    max_rows: usize,
) -> Vec<DiffRow> {
    let name_w = name_column(width);
    let bars_x = name_w + 8.0;
    let bars_w = (width - bars_x - CHANGE_W - 8.0).max(1.0);
    let longest = nodes
        .iter()
        .flat_map(|n| n.total_ns)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    tree_order(nodes)
        .into_iter()
        .take(max_rows)
        .enumerate()
        .map(|(row, id)| {
            let n = &nodes[id as usize];
            let y = row as f64 * ROW_H;
            // Deep paths stop indenting at half the column: names stay legible.
            let indent = (6.0 + INDENT * n.depth as f64).min(name_w / 2.0);
            let text = format!("{} ×{} → ×{}", name(n), n.count[0], n.count[1]);
            let fitted = m
                .fit(Font::Regular, &text, name_w - indent - 4.0)
                .unwrap_or_default();
            let bar = |k: usize| Rect {
                x: bars_x,
                y: y + 4.0 + 8.0 * k as f64,
                w: n.total_ns[k].max(0) as f64 / longest * bars_w,
                h: 7.0,
            };
            let change = Change::of(n);
            let delta = match change {
                Change::New => "new".to_string(),
                Change::Gone => "gone".to_string(),
                _ => {
                    let d = n.delta_ns();
                    let sign = if d < 0 { "−" } else { "+" };
                    let ratio = n
                        .delta_ratio()
                        .map_or(String::new(), |r| format!(" ({:+.0}%)", r * 100.0));
                    format!("{sign}{}{ratio}", format_duration(d.unsigned_abs() as f64))
                }
            };
            let delta = m
                .fit(Font::Small, &delta, CHANGE_W - 4.0)
                .unwrap_or_default();
            DiffRow {
                node: id,
                y,
                label: Label::new(m, Font::Regular, fitted, indent, y + ROW_H / 2.0),
                bars: [bar(0), bar(1)],
                change,
                delta: Label::new(m, Font::Small, delta, width - CHANGE_W, y + ROW_H / 2.0),
            }
        })
        .collect()
}
