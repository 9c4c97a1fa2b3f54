//! Work shared out among the cores: a long list's per-entry work (folding
//! names, hashing an import's rows) is much of what a command on it costs.

/// From how many items the work is worth the threads it starts.
const WORTH_IT_FROM: usize = 2000;

/// `f` of every item, in order, a long list's shared out among the cores.
pub fn on_every_core<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if items.len() < WORTH_IT_FROM || cores < 2 {
        return items.iter().map(f).collect();
    }
    let f = &f;
    std::thread::scope(|scope| {
        let parts: Vec<_> = (items.chunks(items.len().div_ceil(cores)))
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<R>>()))
            .collect();
        parts.into_iter().flat_map(|part| part.join().expect("a worker does not panic")).collect()
    })
}

/// `f` of every item, in order, however few the items: each core takes the
/// next item when it is done with one, as each is long (compressing a font)
/// and some far longer than others.
pub fn each_on_a_core<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if items.len() < 2 || cores < 2 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<(usize, R)>> = Mutex::new(Vec::with_capacity(items.len()));
    std::thread::scope(|scope| {
        for _ in 0..cores.min(items.len()) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let result = f(item);
                    done.lock().expect("a worker does not panic").push((i, result));
                }
            });
        }
    });
    let mut done = done.into_inner().expect("a worker does not panic");
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, result)| result).collect()
}
