//! The tokio runtime the addon runs on. napi-rs would build a default one with a worker per core; a Reprise app
//! also has its JavaScript thread busy on every request, so on small machines one worker per core makes the
//! workers and the JS thread preempt each other (and idle workers spin looking for work). The default here leaves
//! a core to JavaScript: `available_parallelism - 1` workers, at least one. `REPRISE_WORKER_THREADS` overrides it.

use napi_derive::module_init;

/// Worker threads for a machine with `cores` cores, unless `configured` (the env value) names a positive count.
pub fn worker_threads(cores: usize, configured: Option<&str>) -> usize {
    match configured.and_then(|v| v.trim().parse::<usize>().ok()) {
        Some(n) if n > 0 => n.min(256),
        _ => cores.saturating_sub(1).max(1),
    }
}

#[module_init]
fn init() {
    // Registration runs once per JS environment (each worker thread loads the addon again); the runtime is
    // process-wide.
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(build);
}

fn build() {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let n = worker_threads(cores, std::env::var("REPRISE_WORKER_THREADS").ok().as_deref());
    match tokio::runtime::Builder::new_multi_thread().worker_threads(n).enable_all().build() {
        Ok(rt) => napi::bindgen_prelude::create_custom_tokio_runtime(rt),
        // napi-rs falls back to its default runtime.
        Err(e) => eprintln!("reprise: could not build the runtime with {n} worker thread(s): {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::worker_threads;

    #[test]
    fn leaves_a_core_to_javascript_unless_configured() {
        assert_eq!(worker_threads(1, None), 1);
        assert_eq!(worker_threads(2, None), 1);
        assert_eq!(worker_threads(8, None), 7);
        assert_eq!(worker_threads(2, Some("3")), 3);
        assert_eq!(worker_threads(2, Some("0")), 1);
        assert_eq!(worker_threads(4, Some("lots")), 3);
    }
}
