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
///   count). Both providers state per-minute limits and say they may enforce them over shorter
///   periods (OpenAI: 3,000 a minute as 50 a second), so every bucket holds at most one
///   second's share and refills at the minute's pace: a full window in the headers is never
///   taken as leave to burst. A request reserves its share of each bucket that applies
///   (requests; OpenAI's tokens, prompt and `max_tokens` together; Anthropic's input and output
///   tokens apart) and starts when all of them allow, so workers are spread over time instead
///   of racing for the same instant. A refused request counts against the bucket like any
///   other, as the providers count it;
/// - a pace inferred for a provider that sends no such headers: from a sub-second retry-after
///   (a token bucket's time to its next request, so the longest of the last second is close to
///   1/rate), or, from a 429 that says nothing at all, from the answers of the last second,
///   which is what the limit let through. It grows by about two requests a second for each
///   second without a 429 and is cut by the next one;
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
        /// The per-minute limit it stands for; 0 for an inferred pace.
        var limit = 0.0

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

        /// A per-minute limit as a bucket of one second's share, refilled so that no minute
        /// sees more than the limit (the burst is taken off the refill).
        static func perMinute(_ limit: Double, level: Double? = nil, at: Double) -> Bucket {
            let burst = max(1, limit / 60)
            return Bucket(capacity: burst, rate: max(limit - burst, 1) / 60, level: min(burst, level ?? burst), at: at, limit: limit)
        }
    }

    /// What a bucket counts.
    enum Measure: Hashable {
        /// Requests.
        case requests
        /// Input and output tokens together, the output counted at `max_tokens` (OpenAI's TPM).
        case tokens
        /// Input tokens (Anthropic's ITPM; a declared `tpm`).
        case inputTokens
        /// Output tokens, counted at `max_tokens` when sent (Anthropic's OTPM).
        case outputTokens
    }

    /// Which bucket: the whole endpoint (model nil) or one model; declared or learned.
    struct Scope: Hashable {
        var model: String?
        var measure: Measure
        var learned: Bool
    }

    /// What one request costs: its estimated input tokens and the output it may use.
    struct Cost {
        var input: Double
        var output: Double = 0

        func of(_ measure: Measure) -> Double {
            switch measure {
            case .requests: 1
            case .tokens: input + output
            case .inputTokens: input
            case .outputTokens: output
            }
        }
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
    /// When each model's answers of the last second came, for a pace from bare 429s.
    private var recentAnswers: [String: [Double]] = [:]
    private let declaredForModel: [String: DeclaredLimits]
    /// Models whose request bucket was inferred from 429s, not read from headers.
    private(set) var inferred: Set<String> = []
    /// What the last request reserved, the estimate for requests in flight.
    private var lastCost = Cost(input: 0)
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

    /// Reserves room for one request of `tokens` input tokens (and at most `outputTokens` of
    /// answer) to `model` and returns when it may start.
    mutating func reserve(model: String, tokens: Double, outputTokens: Double = 0, now: Double) -> Double {
        if let declared = declaredForModel[model], !buckets.keys.contains(where: { $0.model == model && !$0.learned }) {
            declare(declared, model: model)
        }
        let cost = Cost(input: tokens, output: outputTokens)
        lastCost = cost
        var start = max(now, pausedUntil)
        for (scope, bucket) in buckets where scope.model == nil || scope.model == model {
            let amount = cost.of(scope.measure)
            guard amount > 0 else { continue }
            var updated = bucket
            start = max(start, updated.reserve(amount, now: now))
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
        if reading.requests == nil {
            var times = recentAnswers[model, default: []]
            times.append(now)
            if let first = times.firstIndex(where: { $0 > now - 1 }), first > 0 { times.removeFirst(first) }
            recentAnswers[model] = times
        }
        let scope = Scope(model: model, measure: .requests, learned: true)
        if inferred.contains(model), var bucket = buckets[scope] {
            bucket.refill(now)
            // About two more requests a second for each second without a 429.
            bucket.rate += 2 / max(bucket.rate, 1)
            bucket.capacity = max(1, bucket.rate / 10)
            buckets[scope] = bucket
        }
    }

    /// A 429: hold everyone for `retryAfter`, halve the allowance (once per cooldown), and take
    /// the bucket the refusal names (`exhausted`, requests when it names none) as empty: a
    /// provider that enforces a minute's limit a second at a time refuses while its headers
    /// still show most of the minute left.
    mutating func limited(retryAfter: Double?, reading: RateLimitReading, exhausted: Measure? = nil, model: String, now: Double) {
        learn(reading, model: model, othersInFlight: 0, now: now)
        if let retryAfter, retryAfter.isFinite, retryAfter > 0 { pausedUntil = max(pausedUntil, now + min(retryAfter, 86_400)) }
        let measure = exhausted ?? .requests
        let scope = Scope(model: model, measure: measure, learned: true)
        // An inferred request pace is corrected by inferPace below, not emptied here.
        if var bucket = buckets[scope], !inferred.contains(model) || measure != .requests {
            bucket.refill(now)
            bucket.level = min(bucket.level, 0)
            buckets[scope] = bucket
        }
        if reading.requests == nil, exhausted == nil || exhausted == .requests { inferPace(model: model, retryAfter: retryAfter, now: now) }
        if now - lastCut >= cooldown {
            // Never below what the known pace needs in flight (rate × latency, doubled for
            // jitter): a halved allowance must not become the limit instead of the provider's.
            let pace = buckets[Scope(model: model, measure: .requests, learned: true)]?.rate ?? 0
            let needed = (pace * (latency ?? 0) * 2).rounded(.up)
            allowance = min(Double(ceiling), max(1, needed, (allowance / 2).rounded(.down)))
            lastCut = now
        }
    }

    /// A 429 without request headers: start or correct an inferred pace, the larger of two
    /// estimates. A retry-after under a second is a token bucket's time until its next request,
    /// at most one request's interval, so 90% of the inverse of the longest of the last second is
    /// the pace; and 90% of the answers of the last second is what the limit let through. With
    /// neither (no answer yet, a wait of seconds), no pace: the allowance and the request's own
    /// backoff handle it.
    private mutating func inferPace(model: String, retryAfter: Double?, now: Double) {
        var estimates: [Double] = []
        if let retryAfter, retryAfter > 0, retryAfter < 1 {
            if now - shortWaits.since > cooldown {
                shortWaits = (now, retryAfter)
            } else {
                shortWaits.longest = max(shortWaits.longest, retryAfter)
            }
            estimates.append(0.9 / max(shortWaits.longest, 0.001))
        }
        // A limiter that counts refusals lengthens its waits past one request's interval, which
        // would slow the pace from the waits alone; what it let through is the other witness.
        let answers = recentAnswers[model, default: []].filter { $0 > now - 1 }.count
        if answers > 0 { estimates.append(0.9 * Double(answers)) }
        guard let best = estimates.max() else { return }
        let estimate = max(1, best)
        let scope = Scope(model: model, measure: .requests, learned: true)
        guard var bucket = buckets[scope] else {
            buckets[scope] = Bucket(capacity: max(1, estimate / 10), rate: estimate, level: 0, at: now)
            inferred.insert(model)
            lastRateCut = now
            return
        }
        bucket.refill(now)
        bucket.level = min(bucket.level, 0)
        // Down to what the estimate says, or else by 10% once per cooldown: a 429 just over the
        // pace says only that the pace is a little too fast.
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
        for (window, measure) in [(reading.tokens, Measure.tokens), (reading.inputTokens, .inputTokens), (reading.outputTokens, .outputTokens)] {
            if let window { learn(window, Scope(model: model, measure: measure, learned: true), others: Double(othersInFlight), now: now) }
        }
    }

    /// A window the headers state, as a bucket of one second's share of the minute's limit; the
    /// `others` in flight, not counted yet, are taken off at the last request's cost.
    /// What they say is left only ever lowers it: another client may share the limit, but a
    /// full minute is no promise of a full second.
    private mutating func learn(_ window: RateLimitReading.Window, _ scope: Scope, others: Double, now: Double) {
        guard var bucket = buckets[scope] else {
            var fresh = Bucket.perMinute(window.limit, level: window.remaining, at: now)
            fresh.level -= others * lastCost.of(scope.measure)
            buckets[scope] = fresh
            return
        }
        bucket.refill(now)
        if window.limit != bucket.limit {
            let resized = Bucket.perMinute(window.limit, at: now)
            (bucket.capacity, bucket.rate, bucket.limit) = (resized.capacity, resized.rate, resized.limit)
            bucket.level = min(bucket.level, bucket.capacity)
        }
        bucket.level = min(bucket.level, window.remaining)
        buckets[scope] = bucket
    }

    /// Declared per-minute limits as buckets that hold at most one second's share at once, and
    /// refill so that no minute ever sees more than the limit.
    private mutating func declare(_ limits: DeclaredLimits, model: String?) {
        for (measure, perMinute) in [(Measure.requests, limits.rpm), (.inputTokens, limits.tpm)] {
            guard let perMinute, perMinute > 0 else { continue }
            buckets[Scope(model: model, measure: measure, learned: false)] = .perMinute(perMinute, at: -Double.infinity)
        }
    }
}
