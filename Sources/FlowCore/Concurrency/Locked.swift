import Foundation

/// A value shared between tasks and threads behind one lock. Mutex from the Synchronization
/// module would do the same, but needs macOS 15 where the package supports macOS 13.
///
/// `@unchecked Sendable`: the one place the project vouches for thread safety itself; every
/// read and write of `value` is under `lock`, which the compiler cannot check.
public final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    /// A lock around `value`.
    public init(_ value: Value) { self.value = value }

    /// Runs `body` with the value while holding the lock; its typed error passes through.
    @discardableResult
    public func withLock<Result, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result) throws(Failure) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }

    /// A copy of the value.
    public var current: Value { withLock { $0 } }
}
