import Foundation

/// Runs one command's tasks on the main thread, one job after another.
///
/// `flow run` is one conversation: its awaits are waits on a provider, a tool or a timer, never
/// work to spread over cores. On Swift's cooperative pool the same run starts worker threads,
/// gives the first of them a fresh malloc arena whose every page faults in, and ends with the
/// main thread unwinding out of `dispatchMain`: about 1.5 ms of a mock run that takes 5 ms in all
/// (docs/performance.md). With this executor as the task's preference, the run's nonisolated
/// async functions, default actors and child tasks all run here, and a mock or replayed run
/// starts no thread but the one that waits for signals (`Interruption`). URLSession, child
/// processes and timers still call back from their own threads; their continuations come back
/// through `enqueue`.
///
/// `@unchecked Sendable` because its queue is guarded by a pthread mutex the compiler cannot
/// see: the condition variable the main thread sleeps on needs that mutex, so `Locked` (an
/// NSLock) cannot stand in for it.
final class MainThreadExecutor: TaskExecutor, @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let ready = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Guarded by `mutex`.
    private var jobs: [UnownedJob] = []

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(ready, nil)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        pthread_mutex_lock(mutex)
        jobs.append(job)
        pthread_cond_signal(ready)
        pthread_mutex_unlock(mutex)
    }

    /// Runs `operation` as a task on the main thread and serves its jobs until it ends the
    /// process (every command ends with `exit`).
    func run(_ operation: @escaping @Sendable () async -> Void) -> Never {
        if #available(macOS 15, *) {
            Task(executorPreference: self) { await operation() }
        } else {
            Task.detached { await operation() }
        }
        let executor = asUnownedTaskExecutor()
        var batch: [UnownedJob] = []
        while true {
            pthread_mutex_lock(mutex)
            while jobs.isEmpty { pthread_cond_wait(ready, mutex) }
            swap(&batch, &jobs)
            pthread_mutex_unlock(mutex)
            // In the order they came: a job enqueued while these run waits for the next round.
            for job in batch { job.runSynchronously(on: executor) }
            batch.removeAll(keepingCapacity: true)
        }
    }
}
