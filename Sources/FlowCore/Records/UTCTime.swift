import Foundation

/// UTC timestamps without a DateFormatter: creating one loads ICU data, a few milliseconds of
/// every run's start-up for two fixed formats.
enum UTCTime {
    /// `2026-11-24T20:39:43Z`
    static func iso8601(_ date: Date) -> String {
        let (parts, _) = components(date)
        return "\(digits(parts.0, 4))-\(digits(parts.1, 2))-\(digits(parts.2, 2))T\(digits(parts.3, 2)):\(digits(parts.4, 2)):\(digits(parts.5, 2))Z"
    }

    /// `20261124T203943.123Z`, for file names that sort by time.
    static func compact(_ date: Date) -> String {
        let (parts, milliseconds) = components(date)
        return "\(digits(parts.0, 4))\(digits(parts.1, 2))\(digits(parts.2, 2))T\(digits(parts.3, 2))\(digits(parts.4, 2))\(digits(parts.5, 2))"
            + ".\(digits(milliseconds, 3))Z"
    }

    /// `value` in decimal, zero-padded to `width` (String(format:) goes through Foundation's
    /// C varargs formatter, which showed in every run's start-up).
    static func digits(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    private static func components(_ date: Date) -> ((Int, Int, Int, Int, Int, Int), Int) {
        let interval = date.timeIntervalSince1970
        var seconds = time_t(interval.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let milliseconds = Int((interval - interval.rounded(.down)) * 1000)
        return ((Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec)),
                milliseconds)
    }
}
