import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// JSON responses of the REST API: ISO 8601 times, sorted keys, errors as
/// `{"error": {"status": 403, "message": "…", "field": "…"}}`.
enum JSONAnswer {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func body(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        do {
            let data = try encoder.encode(value)
            return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        } catch {
            return Self.error(ConsoleError(.internalServerError, "the answer could not be encoded"))
        }
    }

    struct ErrorBody: Encodable {
        struct Detail: Encodable {
            var status: Int
            var message: String
            var field: String?
        }
        var error: Detail
    }

    static func error(_ error: ConsoleError) -> Response {
        var response = body(ErrorBody(error: .init(status: error.status.code, message: error.message, field: error.field)), status: error.status)
        if error.status == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer realm=\"tollgate\"" }
        return response
    }
}
