/// Limits of calls that several gateways hold together (the fraud control's critical levels as
/// whole numbers of calls: one more than the limit is refused); `nil` is no limit.
public struct SharedCallLimits: Sendable, Hashable {
    /// Calls in progress at once.
    public var concurrent: Int?
    /// Calls begun in the last 60 seconds.
    public var perMinute: Int?
    /// Calls begun since the day began.
    public var perDay: Int?

    public init(concurrent: Int? = nil, perMinute: Int? = nil, perDay: Int? = nil) {
        self.concurrent = concurrent
        self.perMinute = perMinute
        self.perDay = perDay
    }

    /// Whether there is any limit at all.
    public var isEmpty: Bool { concurrent == nil && perMinute == nil && perDay == nil }
}
