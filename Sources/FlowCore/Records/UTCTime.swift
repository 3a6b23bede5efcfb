import Foundation

/// UTC timestamps without a DateFormatter: creating one loads ICU data, a few milliseconds of
/// every run's start-up for two fixed formats.
enum UTCTime {
    /// `2026-11-24T20:39:43Z`
    static func iso8601(_ date: Date) -> String {
        let (parts, _) = components(date)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", parts.0, parts.1, parts.2, parts.3, parts.4, parts.5)
    }

    /// `20261124T203943.123Z`, for file names that sort by time.
    static func compact(_ date: Date) -> String {
        let (parts, milliseconds) = components(date)
        return String(format: "%04d%02d%02dT%02d%02d%02d.%03dZ", parts.0, parts.1, parts.2, parts.3, parts.4, parts.5, milliseconds)
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
