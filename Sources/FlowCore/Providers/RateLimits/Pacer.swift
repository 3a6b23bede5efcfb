/// Limits a project declares in flow.config.yaml for a provider or one of its models; flow
/// never goes over them, whatever the provider's headers say.
public struct DeclaredLimits: Sendable, Equatable {
    /// Requests per minute.
    public var rpm: Double?
    /// Input tokens per minute, counted with flow's estimator.
    public var tpm: Double?

    /// Limits; nil for what is not limited.
    public init(rpm: Double? = nil, tpm: Double? = nil) {
        self.rpm = rpm
        self.tpm = tpm
    }
}

/// The pacing decisions of one provider endpoint, as a pure state machine over a clock the
/// caller passes in (seconds from any origin), so every rule is tested without waiting:
///
/// - token buckets, one per limit: declared ones from the config, learned ones from the
///   provider's `x-ratelimit-*` / `anthropic-ratelimit-*` headers (per model, as the providers
///   count). A request reserves its share of each bucket that applies and starts when all of
///   them allow, so workers are spread over time instead of racing for the same instant;
/// - a pace inferred for a provider that sends no such headers but a sub-second retry-after
///   (a token bucket's time to its next request): 90% of the inverse of the longest such wait
///   of the last second, growing by about two requests a second for each second without a 429
///   and cut by the next one (to what its wait says, or by 10%);
/// - a pause every request waits out, set by a 429's `retry-after`;
/// - an AIMD concurrency allowance: halved on a 429 (at most once per `cooldown`, since the
///   requests already in flight meet the same limit), grown by one per allowance's worth of
///   answers, never above `ceiling` (`-j`).
struct Pacer {
    /// A token bucket: `level` may go below zero, which is how reservations queue.
    struct Bucket: Equatable {
        var capacity: Double
        var rate: Double
        var level: Double
        var at: Double

        mutating func refill(_ now: Double) {
            if now > at { level = min(capacity, level + rate * (now - at)) }
            at = max(at, now)
        }

        /// Takes `cost` and returns when it may be used: now when the bucket holds it, else when
        /// the refill will have covered it (a cost above the capacity waits for a full bucket).
        mutating func reserve(_ cost: Double, now: Double) -> Double {
            refill(now)
            let needed = min(cost, capacity)
            let start = level >= needed ? now : now + (needed - level) / max(rate, 1e-9)
            level -= cost
            return start
        }
    }

    enum Measure: Hashable { case requests, tokens }

    /// Which bucket: the whole endpoint (model nil) or one model; declared or learned.
    struct Scope: Hashable {
        var model: String?
        var measure: Measure
        var learned: Bool
    }

    private(set) var buckets: [Scope: Bucket] = [:]
    /// The time every request waits for (a `retry-after`).
    private(set) var pausedUntil = -Double.infinity
    /// Requests allowed in flight now.
    private(set) var allowance: Double
    let ceiling: Int
    let cooldown: Double
    private var lastCut = -Double.infinity
    private var lastRateCut = -Double.infinity
    /// The longest sub-second retry-after of the current cooldown window, and when it began.
    private var shortWaits = (since: -Double.infinity, longest: 0.0)
    private let declaredForModel: [String: DeclaredLimits]
    /// Models whose request bucket was inferred from 429s, not read from headers.
    private(set) var inferred: Set<String> = []
    /// Seconds from sending to answer, smoothed.
    private(set) var latency: Double?

    /// A pacer for at most `ceiling` requests at once, with the endpoint's and each model's declared limits.
    init(ceiling: Int, endpoint: DeclaredLimits? = nil, models: [String: DeclaredLimits] = [:], cooldown: Double = 1) {
        self.ceiling = max(1, ceiling)
        allowance = Double(self.ceiling)
        self.cooldown = cooldown
        declaredForModel = models
        if let endpoint { declare(endpoint, model: nil) }
    }

    /// How many requests may be in flight now.
    var concurrency: Int { max(1, min(ceiling, Int(allowance))) }

    /// Reserves room for one request of `tokens` input tokens to `model` and returns when it may start.
    mutating func reserve(model: String, tokens: Double, now: Double) -> Double {
        if let declared = declaredForModel[model], !buckets.keys.contains(where: { $0.model == model && !$0.learned }) {
            declare(declared, model: model)
        }
        var start = max(now, pausedUntil)
        for (scope, bucket) in buckets where scope.model == nil || scope.model == model {
            let cost = scope.measure == .requests ? 1 : tokens
            guard cost > 0 else { continue }
            var updated = bucket
            start = max(start, updated.reserve(cost, now: now))
            buckets[scope] = updated
        }
        return start
    }

    /// An answer came: learn the limits its headers state and let one more request in per
    /// allowance's worth of answers. `othersInFlight` are requests the provider may not have
    /// counted yet, taken off a bucket learned for the first time.
    mutating func answered(_ reading: RateLimitReading, model: String, othersInFlight: Int, latency: Double? = nil, now: Double) {
        learn(reading, model: model, othersInFlight: othersInFlight, now: now)
        if let latency, latency.isFinite, latency >= 0 { self.latency = self.latency.map { $0 * 0.8 + latency * 0.2 } ?? latency }
        allowance = min(Double(ceiling), allowance + 1 / allowance)
        let scope = Scope(model: model, measure: .requests, learned: true)
        if inferred.contains(model), var bucket = buckets[scope] {
            bucket.refill(now)
            // About two more requests a second for each second without a 429.
            bucket.rate += 2 / max(bucket.rate, 1)
            bucket.capacity = max(1, bucket.rate / 10)
            buckets[scope] = bucket
        }
    }

    /// A 429: hold everyone for `retryAfter`, halve the allowance (once per cooldown), and
    /// take the model's learned request bucket as empty when the headers do not say otherwise.
    mutating func limited(retryAfter: Double?, reading: RateLimitReading, model: String, now: Double) {
        learn(reading, model: model, othersInFlight: 0, now: now)
        if let retryAfter, retryAfter.isFinite, retryAfter > 0 { pausedUntil = max(pausedUntil, now + min(retryAfter, 86_400)) }
        if reading.requests == nil { inferPace(model: model, retryAfter: retryAfter, now: now) }
        if now - lastCut >= cooldown {
            // Never below what the known pace needs in flight (rate × latency, doubled for
            // jitter): a halved allowance must not become the limit instead of the provider's.
            let pace = buckets[Scope(model: model, measure: .requests, learned: true)]?.rate ?? 0
            let needed = (pace * (latency ?? 0) * 2).rounded(.up)
            allowance = min(Double(ceiling), max(1, needed, (allowance / 2).rounded(.down)))
            lastCut = now
        }
    }

    /// A 429 without request headers: start or correct an inferred pace. Only a retry-after
    /// under a second does: from a token bucket it is the time until its next request, which is
    /// at most one request's interval, so the longest of the last second's is close to 1/rate.
    /// A bare 429 starts no pace: it cannot be told apart from a server refusing a share of
    /// requests at random, and a pace cut at each of those would fall without end; the allowance
    /// and the request's own backoff handle it.
    private mutating func inferPace(model: String, retryAfter: Double?, now: Double) {
        guard let retryAfter, retryAfter > 0, retryAfter < 1 else { return }
        if now - shortWaits.since > cooldown {
            shortWaits = (now, retryAfter)
        } else {
            shortWaits.longest = max(shortWaits.longest, retryAfter)
        }
        let estimate = max(1, 0.9 / max(shortWaits.longest, 0.001))
        let scope = Scope(model: model, measure: .requests, learned: true)
        guard var bucket = buckets[scope] else {
            buckets[scope] = Bucket(capacity: max(1, estimate / 10), rate: estimate, level: 0, at: now)
            inferred.insert(model)
            lastRateCut = now
            return
        }
        bucket.refill(now)
        bucket.level = min(bucket.level, 0)
        // Down to what the waits say, or else by 10% once per cooldown: a 429 just over the
        // pace comes with a short wait, which says only that the pace is a little too fast.
        if inferred.contains(model), estimate < bucket.rate || now - lastRateCut >= cooldown {
            bucket.rate = max(1, min(estimate, bucket.rate * 0.9))
            bucket.capacity = max(1, bucket.rate / 10)
            lastRateCut = now
        }
        buckets[scope] = bucket
    }

    private mutating func learn(_ reading: RateLimitReading, model: String, othersInFlight: Int, now: Double) {
        if let window = reading.requests {
            let scope = Scope(model: model, measure: .requests, learned: true)
            // Headers outrank an inferred pace: start the bucket over from what they state.
            if inferred.remove(model) != nil { buckets[scope] = nil }
            learn(window, scope, others: Double(othersInFlight), now: now)
        }
        if let window = reading.tokens { learn(window, Scope(model: model, measure: .tokens, learned: true), others: 0, now: now) }
    }

    private mutating func learn(_ window: RateLimitReading.Window, _ scope: Scope, others: Double, now: Double) {
        // The providers' limits are per minute; a rate below an hour's worth is a misreading.
        let floor = window.limit / 3600
        guard var bucket = buckets[scope] else {
            let rate = max(window.refillPerSecond ?? window.limit / 60, floor)
            buckets[scope] = Bucket(capacity: window.limit, rate: rate, level: window.remaining - others, at: now)
            return
        }
        bucket.refill(now)
        bucket.capacity = window.limit
        if let rate = window.refillPerSecond { bucket.rate = max(rate, floor) }
        // The provider's count wins when it is lower: another client may share the limit.
        bucket.level = min(bucket.level, window.remaining)
        buckets[scope] = bucket
    }

    /// Declared per-minute limits as buckets that hold at most one second's share at once, and
    /// refill so that no minute ever sees more than the limit.
    private mutating func declare(_ limits: DeclaredLimits, model: String?) {
        for (measure, perMinute) in [(Measure.requests, limits.rpm), (.tokens, limits.tpm)] {
            guard let perMinute, perMinute > 0 else { continue }
            let burst = max(1, perMinute / 60)
            let rate = max(perMinute - burst, 1) / 60
            buckets[Scope(model: model, measure: measure, learned: false)] = Bucket(capacity: burst, rate: rate, level: burst, at: -Double.infinity)
        }
    }
}
