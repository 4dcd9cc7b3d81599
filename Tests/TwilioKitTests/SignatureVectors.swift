import Testing
import Foundation

/// The signature vectors in `shared/testdata`, computed by Twilio's official helper library.
struct SignatureVector: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let url: String
    let token: String
    let algorithm: String
    let signatureSettingsHeader: String?
    let rawBody: String
    let signature: String
    let valid: Bool

    var testDescription: String { name }

    static let all: [SignatureVector] = {
        struct File: Decodable { let cases: [SignatureVector] }
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/testdata/twilio-signature-vectors.json")
        do {
            return try JSONDecoder().decode(File.self, from: Data(contentsOf: url)).cases
        } catch {
            fatalError("cannot read \(url.path): \(error)")
        }
    }()
}
