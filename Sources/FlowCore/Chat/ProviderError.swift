import FlowSource

/// Why a provider gave no usable answer: one typed error for every provider, carrying what a
/// user needs to act on it, and never the key.
public struct ProviderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure, which decides retries, branches and exit statuses.
    public enum Kind: String, Sendable {
        /// No API key in the environment.
        case missingKey = "missing_key"
        /// No response: connection refused, DNS, timeout.
        case network
        /// An HTTP error status with the provider's message.
        case http
        /// A 2xx body flow could not read.
        case decode
        /// The mock provider ran out of scripted replies.
        case script
        /// The request asks for something this provider or model cannot do; nothing was sent.
        case configuration
        /// The call could take the run past a budget in `limits:`; nothing was sent.
        case budget
        /// Replaying, the cassette has no recording of this request.
        case cassetteMiss = "cassette_miss"
        /// Recording, the answer could not be written to the cassette (a full disk, a read-only
        /// directory): the run's record is incomplete, which exits 74 as a lost transcript does.
        case record
    }

    /// flow's own finding, where it steers what follows; the provider's words stay in `errorType`.
    public enum Cause: Sendable {
        /// The connection was refused outright: the server is not there, as opposed to slow or
        /// overloaded (the pacer stops waiting for it).
        case connectionRefused
        /// Replaying under `--batch`, the request went into the batch and its answer is not back yet.
        case batchPending
    }

    /// What kind of failure.
    public var kind: Kind
    /// The whole explanation, with the provider's own words where it gave any; control characters escaped.
    public var message: String
    /// The HTTP status, when there was one.
    public var status: Int?
    /// The provider's own error type or code (`rate_limit_exceeded`, `overloaded_error`, `INVALID_ARGUMENT`).
    public var errorType: String?
    /// The provider's request id, for a support ticket.
    public var requestId: String?
    /// Whether sending the same request again may succeed.
    public var retryable: Bool
    /// Seconds the provider asked to wait (`retry-after-ms`, `retry-after`).
    public var retryAfter: Double?
    /// flow's own finding, when it has one.
    public var cause: Cause?

    /// An error of `kind`; `retryable` and `retryAfter` steer the retry loop.
    public init(_ kind: Kind, _ message: String, status: Int? = nil, errorType: String? = nil,
                requestId: String? = nil, retryable: Bool = false, retryAfter: Double? = nil, cause: Cause? = nil) {
        self.kind = kind
        // Messages quote servers' words: their control characters are escaped once, here.
        self.message = Printable.escaped(message)
        self.status = status
        self.errorType = errorType
        self.requestId = requestId
        self.retryable = retryable
        self.retryAfter = retryAfter
        self.cause = cause
    }

    /// The message, with the provider's request id when it gave one.
    public var description: String {
        var text = message
        if let requestId { text += " [request \(requestId)]" }
        return text
    }
}

extension ProviderError {
    /// A connection refused outright: the server is not there, as opposed to slow or overloaded.
    public var isConnectionRefused: Bool { cause == .connectionRefused }
}
