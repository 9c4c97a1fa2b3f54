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
