//! Touch gestures against where the fingers went: a drag moves the content
//! exactly as far as the finger, a pinch scales it by how far the fingers
//! spread and keeps the point between them, and fingers past two are not
//! followed.

use proptest::prelude::*;
use tracescope_core::layout::gesture::{Gesture, Touches};

fn point() -> impl Strategy<Value = (f64, f64)> {
    (0.0..1000.0f64, 0.0..1000.0f64)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * (1.0 + a.abs().max(b.abs()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn one_finger_drags_the_content_as_far_as_it_went(
        start in point(),
        path in proptest::collection::vec(point(), 1..20),
    ) {
        let mut t = Touches::default();
        t.down(7, start.0, start.1);
        let (mut dx, mut dy) = (0.0, 0.0);
        for &(x, y) in &path {
            let g = t.moved(7, x, y).expect("a followed finger");
            prop_assert_eq!(g.scale, 1.0);
            prop_assert_eq!((g.cx, g.cy), (x, y));
            dx += g.dx;
            dy += g.dy;
        }
        let end = path[path.len() - 1];
        prop_assert!(close(dx, end.0 - start.0) && close(dy, end.1 - start.1));
    }

    #[test]
    fn a_pinch_scales_by_the_spread_and_moves_with_the_middle(
        a in point(),
        b in point(),
        moves in proptest::collection::vec((any::<bool>(), point()), 1..20),
    ) {
        prop_assume!((a.0 - b.0).hypot(a.1 - b.1) >= 8.0);
        let mut t = Touches::default();
        t.down(1, a.0, a.1);
        t.down(2, b.0, b.1);
        let (mut fa, mut fb) = (a, b);
        let (mut scale, mut dx, mut dy) = (1.0, 0.0, 0.0);
        let mut last: Option<Gesture> = None;
        let mut all_far = true;
        for &(first, p) in &moves {
            let before = (fa.0 - fb.0).hypot(fa.1 - fb.1);
            let g = if first { fa = p; t.moved(1, p.0, p.1) } else { fb = p; t.moved(2, p.0, p.1) }
                .expect("a followed finger");
            let after = (fa.0 - fb.0).hypot(fa.1 - fb.1);
            if before >= 8.0 && after >= 8.0 {
                prop_assert!(close(g.scale, after / before));
            } else {
                all_far = false;
                prop_assert_eq!(g.scale, 1.0);
            }
            scale *= g.scale;
            dx += g.dx;
            dy += g.dy;
            last = Some(g);
        }
        let g = last.unwrap();
        // The zoom is about the middle of the fingers where they are now.
        prop_assert!(close(g.cx, (fa.0 + fb.0) / 2.0) && close(g.cy, (fa.1 + fb.1) / 2.0));
        // The moves add up to how far the middle went.
        prop_assert!(close(dx, (fa.0 + fb.0 - a.0 - b.0) / 2.0));
        prop_assert!(close(dy, (fa.1 + fb.1 - a.1 - b.1) / 2.0));
        // The steps' scales add up to the whole spread when no step
        // brought the fingers too close to measure.
        if all_far {
            let spread = (fa.0 - fb.0).hypot(fa.1 - fb.1) / (a.0 - b.0).hypot(a.1 - b.1);
            prop_assert!(close(scale, spread), "{} vs {}", scale, spread);
        }
    }

    #[test]
    fn a_third_finger_and_a_lifted_one_are_not_followed(a in point(), b in point(), c in point()) {
        let mut t = Touches::default();
        t.down(1, a.0, a.1);
        t.down(2, b.0, b.1);
        t.down(3, c.0, c.1);
        prop_assert_eq!(t.count(), 2);
        prop_assert!(t.moved(3, c.0 + 5.0, c.1).is_none());
        t.up(1);
        prop_assert!(t.moved(1, a.0 + 5.0, a.1).is_none());
        // The finger left behind drags on its own.
        let g = t.moved(2, b.0 + 3.0, b.1 - 4.0).expect("still followed");
        prop_assert!(close(g.dx, 3.0) && close(g.dy, -4.0) && g.scale == 1.0);
    }
}

#[test]
fn fingers_spreading_to_twice_their_distance_zoom_in_twice() {
    let mut t = Touches::default();
    t.down(1, 100.0, 200.0);
    t.down(2, 200.0, 200.0);
    // Each finger 50 px outwards: 100 px apart, then 150, then 200.
    let g1 = t.moved(1, 50.0, 200.0).unwrap();
    let g2 = t.moved(2, 250.0, 200.0).unwrap();
    assert!((g1.scale * g2.scale - 2.0).abs() < 1e-9);
    assert_eq!((g2.cx, g2.cy), (150.0, 200.0));
    assert!((g1.dx + g2.dx).abs() < 1e-9 && g1.dy == 0.0 && g2.dy == 0.0);
}
