// The rest of this module is generated at build time from openapi.json.

extension Components.Schemas.ErrorResponse {
    /// The error body of every `/api/v1` route: a snake_case `code`, a one-line `message`, and
    /// the reason per field for validation errors.
    public init(code: String, message: String, fields: [String: String]? = nil) {
        self.init(error: .init(code: code, message: message, fields: fields.map { .init(additionalProperties: $0) }))
    }
}
