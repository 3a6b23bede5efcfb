import Foundation
import Testing
@testable import FlowCore

/// The rate-limit headers as OpenAI and Anthropic document them, and the pacer's rules, on a
/// clock the tests pass in: nothing here waits.
@Suite struct RateLimitReadingTests {
    @Test func openAIDurationsInGoSpelling() {
        #expect(RateLimitReading.duration("12ms") == 0.012)
        #expect(RateLimitReading.duration("1s") == 1)
        #expect(RateLimitReading.duration("1.5s") == 1.5)
        #expect(RateLimitReading.duration("6m0s") == 360)
        #expect(RateLimitReading.duration("1h2m3s") == 3723)
        #expect(RateLimitReading.duration("2") == 2)
        for bad in ["", "ms", "1x", "-1s", "1s2", "9999h", "1..2s"] {
            #expect(RateLimitReading.duration(bad) == nil, "'\(bad)' is not a duration")
        }
    }

    @Test func openAIHeadersGiveRequestAndTokenWindows() {
        let reading = RateLimitReading.read([
            "x-ratelimit-limit-requests": "5000", "x-ratelimit-remaining-requests": "4999", "x-ratelimit-reset-requests": "12ms",
            "x-ratelimit-limit-tokens": "160000", "x-ratelimit-remaining-tokens": "159976", "x-ratelimit-reset-tokens": "9ms",
        ], now: Date())
        #expect(reading.requests == .init(limit: 5000, remaining: 4999, resetSeconds: 0.012))
        #expect(reading.tokens?.limit == 160_000 && reading.tokens?.remaining == 159_976)
        #expect(abs((reading.tokens?.resetSeconds ?? 0) - 0.009) < 1e-12)
        #expect(reading.inputTokens == nil && reading.outputTokens == nil)
    }

    @Test func anthropicResetIsATimeAndInputAndOutputTokensAreApart() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let time = { (seconds: Double) in ISO8601DateFormatter().string(from: now.addingTimeInterval(seconds)) }
        let reading = RateLimitReading.read([
            "anthropic-ratelimit-requests-limit": "50", "anthropic-ratelimit-requests-remaining": "40",
            "anthropic-ratelimit-requests-reset": time(12),
            "anthropic-ratelimit-input-tokens-limit": "40000", "anthropic-ratelimit-input-tokens-remaining": "39000",
            "anthropic-ratelimit-input-tokens-reset": time(1.5),
            "anthropic-ratelimit-output-tokens-limit": "8000", "anthropic-ratelimit-output-tokens-remaining": "7000",
            "anthropic-ratelimit-output-tokens-reset": time(8),
            "anthropic-ratelimit-tokens-limit": "8000", "anthropic-ratelimit-tokens-remaining": "7000",
            "anthropic-ratelimit-tokens-reset": time(8),
        ], now: now)
        #expect(reading.requests == .init(limit: 50, remaining: 40, resetSeconds: 12))
        #expect(reading.inputTokens?.limit == 40000)
        #expect(reading.inputTokens?.resetSeconds == 1)
        #expect(reading.outputTokens == .init(limit: 8000, remaining: 7000, resetSeconds: 8))
        // The combined window is the tighter of the two, already read apart.
        #expect(reading.tokens == nil)
        let combinedOnly = RateLimitReading.read(["anthropic-ratelimit-tokens-limit": "9000", "anthropic-ratelimit-tokens-remaining": "10"], now: now)
        #expect(combinedOnly.tokens?.limit == 9000)
    }

    @Test func limitsNotEnforcedOrMalformedSayNothing() {
        // Azure answers -1 for a limit it does not enforce.
        #expect(RateLimitReading.read(["x-ratelimit-limit-tokens": "-1", "x-ratelimit-remaining-tokens": "-1",
                                       "x-ratelimit-reset-tokens": "0"], now: Date()).isEmpty)
        #expect(RateLimitReading.read(["x-ratelimit-limit-requests": "lots", "x-ratelimit-remaining-requests": "1"], now: Date()).isEmpty)
        #expect(RateLimitReading.read(["x-ratelimit-limit-requests": "inf", "x-ratelimit-remaining-requests": "1"], now: Date()).isEmpty)
    }

    @Test func aRefusalSaysWhichLimitRefusedIt() {
        #expect(RateLimitReading.exhausted("Rate limit reached for gpt-4o in organization org-x on tokens per min (TPM): Limit 30000") == .tokens)
        #expect(RateLimitReading.exhausted("Rate limit reached for gpt-4o in organization org-x on requests per min (RPM): Limit 3") == .requests)
        #expect(RateLimitReading.exhausted("This request would exceed the rate limit for your organization of 20,000 input tokens per minute")
                == .inputTokens)
        #expect(RateLimitReading.exhausted("… of 8,000 output tokens per minute") == .outputTokens)
        #expect(RateLimitReading.exhausted("Too Many Requests") == nil)
    }

    @Test func aLimitThatOutlastsTheWaitIsSaid() {
        let now = Date()
        #expect(RateLimitReading.outlasting(message: "Rate limit reached for gpt-4o on requests per day (RPD): Limit 200, Used 200",
                                            retryAfter: 5, headers: [:], budget: 600, now: now)?.contains("daily") == true)
        #expect(RateLimitReading.outlasting(message: "slow down", retryAfter: 900, headers: [:], budget: 600, now: now)?
            .contains("wait 900 s") == true)
        #expect(RateLimitReading.outlasting(message: "slow down", retryAfter: nil, headers: [
            "x-ratelimit-limit-requests": "100", "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "20m0s",
        ], budget: 600, now: now)?.contains("1200 s") == true)
        // A per-minute limit lifts within the wait.
        #expect(RateLimitReading.outlasting(message: "Rate limit reached on requests per min (RPM)", retryAfter: 2, headers: [
            "x-ratelimit-limit-requests": "100", "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "600ms",
        ], budget: 600, now: now) == nil)
    }
}

@Suite struct PacerTests {
    static func headers(limit: Int, remaining: Int, reset: String) -> RateLimitReading {
        RateLimitReading.read(["x-ratelimit-limit-requests": "\(limit)", "x-ratelimit-remaining-requests": "\(remaining)",
                               "x-ratelimit-reset-requests": reset], now: Date())
    }

    @Test func withoutLimitsEveryRequestStartsAtOnce() {
        var pacer = Pacer(ceiling: 8)
        for index in 0..<100 { #expect(pacer.reserve(model: "m", tokens: 10, now: Double(index) * 0.001) == Double(index) * 0.001) }
        #expect(pacer.concurrency == 8)
    }

    @Test func learnedLimitsHoldOneSecondsShareAtTheMinutesPace() {
        var pacer = Pacer(ceiling: 32)
        // 3,000 a minute with most of it left, as a provider enforcing it 50 a second sends while
        // its second is nearly spent; 4 more of ours in flight the provider has not counted.
        pacer.answered(Self.headers(limit: 3000, remaining: 2990, reset: "200ms"), model: "m", othersInFlight: 4, now: 0)
        let starts = (0..<120).map { _ in pacer.reserve(model: "m", tokens: 0, now: 0) }
        #expect(starts.prefix(46).allSatisfy { $0 == 0 }, "one second's share (50), less those in flight, goes at once")
        #expect(starts[46] > 0, "never the minute's 2,990 at once: \(starts[40...50])")
        // Then at the minute's pace, less the burst: (3000 - 50) / 60 a second.
        let interval = starts[119] - starts[118]
        #expect(abs(interval - 60 / 2950.0) < 1e-9, "\(interval)")
        // Another model has its own limits.
        #expect(pacer.reserve(model: "other", tokens: 0, now: 0) == 0)
    }

    @Test func theProvidersLowerCountWins() {
        var pacer = Pacer(ceiling: 32)
        pacer.answered(Self.headers(limit: 6000, remaining: 5990, reset: "100ms"), model: "m", othersInFlight: 0, now: 0)
        // Someone else spent the window: the provider says nothing is left.
        pacer.answered(Self.headers(limit: 6000, remaining: 0, reset: "1s"), model: "m", othersInFlight: 0, now: 0)
        #expect(abs(pacer.reserve(model: "m", tokens: 0, now: 0) - 60 / 5900.0) < 1e-9)
    }

    @Test func aRefusalEmptiesTheBucketItNamesAndCountsAgainstIt() {
        var pacer = Pacer(ceiling: 32)
        pacer.answered(Self.headers(limit: 3000, remaining: 2999, reset: "20ms"), model: "m", othersInFlight: 0, now: 0)
        // Refused although the headers still show the minute nearly whole: the second is spent.
        pacer.limited(retryAfter: nil, reading: Self.headers(limit: 3000, remaining: 2950, reset: "1s"), exhausted: .requests, model: "m", now: 0.1)
        let next = pacer.reserve(model: "m", tokens: 0, now: 0.1)
        #expect(abs(next - (0.1 + 60 / 2950.0)) < 1e-9, "the next waits for one request's refill: \(next)")
        // A token refusal empties the token bucket, not the request bucket.
        var tokens = Pacer(ceiling: 32)
        let both = RateLimitReading.read(["x-ratelimit-limit-requests": "6000", "x-ratelimit-remaining-requests": "5999",
                                          "x-ratelimit-limit-tokens": "60000", "x-ratelimit-remaining-tokens": "59000"], now: Date())
        tokens.answered(both, model: "m", othersInFlight: 0, now: 0)
        tokens.limited(retryAfter: nil, reading: both, exhausted: .tokens, model: "m", now: 0)
        #expect(tokens.reserve(model: "m", tokens: 0, now: 0) == 0, "a request of no tokens still goes")
        #expect(tokens.reserve(model: "m", tokens: 100, outputTokens: 100, now: 0) > 0.2, "200 tokens wait for their refill")
    }

    @Test func declaredLimitsAreNeverExceededInAnyMinute() {
        var pacer = Pacer(ceiling: 64, endpoint: DeclaredLimits(rpm: 120), models: ["big": DeclaredLimits(tpm: 6000)])
        let starts = (0..<600).map { _ in pacer.reserve(model: "m", tokens: 0, now: 0) }
        for (index, start) in starts.enumerated() {
            let inWindow = starts[index...].prefix { $0 < start + 60 }.count
            #expect(inWindow <= 120, "\(inWindow) requests in the minute from \(start)")
        }
        // The burst is taken off the refill so no minute sees more: within 2% of the limit's pace.
        #expect(starts.last! < 306, "and it goes at the limit, not far below it: \(starts.last!)")
        // The model's token limit applies to it alone: 6,000 a minute holds a 100-token burst and
        // refills at (6000 - 100) / 60 a second; a request larger than the bucket waits for it to be full.
        var tokens = Pacer(ceiling: 64, models: ["big": DeclaredLimits(tpm: 6000)])
        #expect(tokens.reserve(model: "big", tokens: 100, now: 0) == 0)
        #expect(abs(tokens.reserve(model: "big", tokens: 300, now: 0) - 100 / (5900.0 / 60)) < 1e-9)
        #expect(abs(tokens.reserve(model: "big", tokens: 1, now: 0) - 301 / (5900.0 / 60)) < 1e-9, "its debt delays the next")
        #expect(tokens.reserve(model: "small", tokens: 10_000, now: 0) == 0)
    }

    @Test func aRateLimitHalvesTheAllowanceOncePerCooldownAndAnswersGrowIt() {
        var pacer = Pacer(ceiling: 32, cooldown: 1)
        pacer.limited(retryAfter: nil, reading: RateLimitReading(), model: "m", now: 10)
        #expect(pacer.concurrency == 16)
        pacer.limited(retryAfter: nil, reading: RateLimitReading(), model: "m", now: 10.2)
        #expect(pacer.concurrency == 16, "the requests already in flight meet the same limit: one cut")
        pacer.limited(retryAfter: nil, reading: RateLimitReading(), model: "m", now: 11.5)
        #expect(pacer.concurrency == 8)
        for step in 0..<8 { pacer.answered(RateLimitReading(), model: "m", othersInFlight: 0, now: 12 + Double(step) * 0.001) }
        #expect(pacer.concurrency == 8 || pacer.concurrency == 9)
        for step in 0..<200 { pacer.answered(RateLimitReading(), model: "m", othersInFlight: 0, now: 13 + Double(step) * 0.001) }
        #expect(pacer.concurrency > 16 && pacer.concurrency <= 32)
    }

    @Test func aRetryAfterHoldsEveryRequest() {
        var pacer = Pacer(ceiling: 4)
        pacer.limited(retryAfter: 2.5, reading: RateLimitReading(), model: "m", now: 1)
        #expect(pacer.reserve(model: "other", tokens: 0, now: 1.1) == 3.5)
        #expect(pacer.reserve(model: "m", tokens: 0, now: 4) == 4)
    }

    @Test func aShortRetryAfterWithoutHeadersGivesAPace() {
        var pacer = Pacer(ceiling: 32)
        // A bucket of 40 a second tells each refused request how long until its next token:
        // at most 25 ms; the longest of the second's is the pace.
        pacer.limited(retryAfter: 0.004, reading: RateLimitReading(), model: "m", now: 1.5)
        pacer.limited(retryAfter: 0.025, reading: RateLimitReading(), model: "m", now: 1.51)
        pacer.limited(retryAfter: 0.011, reading: RateLimitReading(), model: "m", now: 1.52)
        #expect(pacer.inferred == ["m"])
        // Past its small burst (a tenth of a second's worth), one request every 1/36 s: 90% of 40.
        var starts = (0..<10).map { _ in pacer.reserve(model: "m", tokens: 0, now: 1.6) }
        #expect(abs((starts[9] - starts[8]) - 1 / 36) < 1e-6, "\(starts)")
        // Answers grow it by about two a second each second.
        for index in 0..<36 { pacer.answered(RateLimitReading(), model: "m", othersInFlight: 0, now: 2 + Double(index) / 36) }
        starts = (0..<10).map { _ in pacer.reserve(model: "m", tokens: 0, now: 3) }
        #expect(abs(1 / (starts[9] - starts[8]) - 38) < 0.1, "\(starts)")
        // The next 429 cuts it by 10%, its short wait saying only that the pace is a little fast;
        // a long wait within the same second brings it down to what the wait says.
        pacer.limited(retryAfter: 0.002, reading: RateLimitReading(), model: "m", now: 3.6)
        starts = (0..<10).map { _ in pacer.reserve(model: "m", tokens: 0, now: 3.6) }
        #expect(abs(1 / (starts[9] - starts[8]) - 38 * 0.9) < 0.1, "\(starts)")
        pacer.limited(retryAfter: 0.05, reading: RateLimitReading(), model: "m", now: 3.7)
        starts = (0..<10).map { _ in pacer.reserve(model: "m", tokens: 0, now: 3.7) }
        #expect(abs(1 / (starts[9] - starts[8]) - 18) < 0.01, "\(starts)")
        // Headers outrank an inferred pace.
        pacer.answered(Self.headers(limit: 100, remaining: 99, reset: "10ms"), model: "m", othersInFlight: 0, now: 4)
        #expect(pacer.inferred.isEmpty)
    }

    @Test func aBareRateLimitPacesToWhatTheLastSecondLetThrough() {
        // 40 answers in the last second, then a 429 that says nothing: 90% of 40 a second.
        var pacer = Pacer(ceiling: 32)
        for index in 0..<40 { pacer.answered(RateLimitReading(), model: "m", othersInFlight: 0, now: 0.5 + Double(index) * 0.025) }
        pacer.limited(retryAfter: nil, reading: RateLimitReading(), model: "m", now: 1.49)
        #expect(pacer.inferred == ["m"])
        let starts = (0..<10).map { _ in pacer.reserve(model: "m", tokens: 0, now: 1.5) }
        #expect(abs(1 / (starts[9] - starts[8]) - 36) < 0.01, "\(starts)")
        // A server refusing a share of requests at random, answering 40 a second whatever the
        // pace, settles where a second's growth meets the next cut (0.1 r² = 72: about 27 a
        // second) instead of driving the pace down without end.
        var random = Pacer(ceiling: 32)
        for second in 0..<30 {
            for index in 0..<40 { random.answered(RateLimitReading(), model: "m", othersInFlight: 0, now: Double(second) + Double(index) * 0.025) }
            random.limited(retryAfter: nil, reading: RateLimitReading(), model: "m", now: Double(second) + 0.99)
        }
        let paced = (0..<10).map { _ in random.reserve(model: "m", tokens: 0, now: 31) }
        #expect(1 / (paced[9] - paced[8]) > 25, "\(paced)")
        #expect(random.concurrency > 1, "answers grow the allowance back between cuts: \(random.concurrency)")
        // A 429 before any answer, or with a wait of seconds and no answers, starts no pace.
        var slow = Pacer(ceiling: 4)
        slow.limited(retryAfter: 2, reading: RateLimitReading(), model: "m", now: 0)
        slow.limited(retryAfter: nil, reading: RateLimitReading(), model: "m", now: 0.1)
        #expect(slow.inferred.isEmpty)
    }

    @Test func theAllowanceKeepsWhatThePaceNeedsInFlight() {
        var pacer = Pacer(ceiling: 32, cooldown: 0)
        pacer.answered(Self.headers(limit: 6000, remaining: 50, reset: "1s"), model: "m", othersInFlight: 0, latency: 0.1, now: 0)
        for time in 1...10 { pacer.limited(retryAfter: nil, reading: Self.headers(limit: 6000, remaining: 0, reset: "2s"), model: "m", now: Double(time)) }
        // (6000 - 100) / 60 a second at 100 ms is about 10 in flight; doubled for jitter.
        #expect(pacer.concurrency == 20)
    }
}
