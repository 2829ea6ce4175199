//! Encoded bytes per span, ours vs the same spans as OTLP protobuf (what opentelemetry-otlp sends), on realistic
//! traces. Prints a table (`cargo test --release -p reprise-trace --test size_vs_otlp -- --nocapture`) and holds the
//! goal: ours at most half of OTLP's.

mod common;

use reprise_trace::otlp::to_otlp_protobuf;
use reprise_trace::*;

#[test]
fn ours_is_at_most_half_of_otlp_protobuf() {
    let cases: Vec<(&str, Vec<TraceRecord>)> = vec![
        ("GET /hello/:name (1 span)", (0..100).map(common::hello).collect()),
        ("POST /users: auth, 2 queries, call, publish, log (6 spans)", (0..100).map(common::create_user).collect()),
        ("pub/sub delivery + bucket op, linked (2 spans)", (0..100).map(|i| common::delivery(i, &common::create_user(i))).collect()),
        ("handler error with stack (1 span)", (0..100).map(common::failing).collect()),
    ];
    println!("\n| workload | spans | ours B/span | OTLP protobuf B/span | ratio |");
    println!("|---|--:|--:|--:|--:|");
    let (mut ours_total, mut otlp_total) = (0usize, 0usize);
    for (name, records) in &cases {
        let spans: usize = records.iter().map(|r| r.spans.len()).sum();
        let ours: usize = records.iter().map(|r| encode_to_vec(r).len()).sum();
        // One export request per trace: what a collector receives when traces trickle in one by one.
        let otlp: usize = records.iter().map(|r| to_otlp_protobuf(std::slice::from_ref(r), "app").len()).sum();
        ours_total += ours;
        otlp_total += otlp;
        let ratio = ours as f64 / otlp as f64;
        println!("| {name} | {spans} | {:.1} | {:.1} | {ratio:.2} |", ours as f64 / spans as f64, otlp as f64 / spans as f64);
        assert!(ratio <= 0.5, "{name}: ours {ours} B vs OTLP {otlp} B");
    }
    // Batched OTLP (many traces per request) amortises the resource and scope; compare against that too.
    let all: Vec<TraceRecord> = cases.iter().flat_map(|(_, r)| r.iter().cloned()).collect();
    let batched = to_otlp_protobuf(&all, "app").len();
    println!("| all, OTLP batched in one request | {} | {:.1} | {:.1} | {:.2} |", all.iter().map(|r| r.spans.len()).sum::<usize>(),
        ours_total as f64 / all.iter().map(|r| r.spans.len()).sum::<usize>() as f64,
        batched as f64 / all.iter().map(|r| r.spans.len()).sum::<usize>() as f64, ours_total as f64 / batched as f64);
    assert!((ours_total as f64) <= 0.5 * batched as f64);
    let _ = otlp_total;
}
