import HTTPTypes

/// What the console answers with when a request cannot be served: a status, a message for the
/// person or script, and the form field at fault when there is one. Pages show it; the API returns
/// it as `{"error": {"status", "message", "field"}}`.
public struct ConsoleError: Error, Sendable, Equatable {
    public var status: HTTPResponse.Status
    public var message: String
    public var field: String?

    public init(_ status: HTTPResponse.Status, _ message: String, field: String? = nil) {
        self.status = status
        self.message = message
        self.field = field
    }

    public static let signInRequired = ConsoleError(.unauthorized, "sign in first")
    public static func forbidden(_ role: String) -> ConsoleError { ConsoleError(.forbidden, "this needs the \(role) role") }
    public static let crossSite = ConsoleError(.forbidden, "the request did not come from the console's own pages (Origin or CSRF token missing or wrong)")
    public static let notFound = ConsoleError(.notFound, "no such page")
    public static let storeUnavailable = ConsoleError(.serviceUnavailable, "the store cannot be reached; try again")
}
