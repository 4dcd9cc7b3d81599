public import Foundation

/// A case of `shared/testdata/twilio-signature-vectors.json`, computed by Twilio's official helper library.
public struct SignatureVector: Decodable, Sendable, CustomStringConvertible {
    public let name: String
    public let url: String
    public let token: String
    public let algorithm: String
    public let signatureSettingsHeader: String?
    public let rawBody: String
    public let signature: String
    public let valid: Bool

    public var description: String { name }

    /// Every case, read from the `shared/` folder beside the checkout.
    public static let all: [SignatureVector] = {
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

    /// The vector's URL split into a server's public URL and the path (with query) it is posted to.
    public var publicURLAndPath: (publicURL: String, path: String) {
        guard let afterScheme = url.range(of: "://")?.upperBound,
            let pathStart = url[afterScheme...].firstIndex(of: "/")
        else { return (url, "/") }
        return (String(url[..<pathStart]), String(url[pathStart...]))
    }
}
