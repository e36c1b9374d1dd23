import Foundation
import Hummingbird
import NIOCore

/// A request as a console handler sees it: the request, its query, and its body read once (a form
/// as fields, or JSON as bytes), so that the CSRF check and the handler read the same thing.
public struct ConsoleInput: Sendable {
    public let request: Request
    public let query: [String: String]
    /// Form fields (`application/x-www-form-urlencoded`); empty for other bodies.
    public let form: [String: String]
    /// The raw body, for JSON.
    public let body: ByteBuffer

    static func read(_ request: Request, limit: Int) async throws -> ConsoleInput {
        var query: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
        guard request.method != .get, request.method != .head else {
            return ConsoleInput(request: request, query: query, form: [:], body: ByteBuffer())
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: limit)
        } catch {
            throw ConsoleError(.contentTooLarge, "the request body is larger than \(limit) bytes")
        }
        var form: [String: String] = [:]
        if request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true {
            form = Self.formFields(String(buffer: body))
        }
        return ConsoleInput(request: request, query: query, form: form, body: body)
    }

    /// `a=1&b=x+y%21` → `["a": "1", "b": "x y!"]`; the first of repeated fields wins.
    static func formFields(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0]), fields[name] == nil else { continue }
            fields[name] = parts.count > 1 ? decode(parts[1]) ?? "" : ""
        }
        return fields
    }

    private static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }

    /// The JSON body decoded as `T`; a body that does not decode is a 400 naming what is wrong.
    public func json<T: Decodable>(_ type: T.Type) throws(ConsoleError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer: body))
        } catch let DecodingError.keyNotFound(key, _) {
            throw ConsoleError(.badRequest, "'\(key.stringValue)' is required", field: key.stringValue)
        } catch let DecodingError.typeMismatch(_, context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw ConsoleError(.badRequest, "'\(field)' has the wrong type", field: field)
        } catch {
            throw ConsoleError(.badRequest, "the body is not the JSON object expected")
        }
    }

    /// A field from the form, or (for API calls) the query.
    public subscript(field: String) -> String? { form[field] ?? query[field] }
}
