import Foundation

/// A case of `Fixtures/twilio-signature-vectors.json`, computed by Twilio's official helper library.
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

    /// Every case, from the fixture compiled into this module.
    public static let all: [SignatureVector] = decodeCases(PackageResources.twilio_signature_vectors_json)

    /// The vector's URL split into a server's public URL and the path (with query) it is posted to.
    public var publicURLAndPath: (publicURL: String, path: String) {
        guard let afterScheme = url.range(of: "://")?.upperBound,
            let pathStart = url[afterScheme...].firstIndex(of: "/")
        else { return (url, "/") }
        return (String(url[..<pathStart]), String(url[pathStart...]))
    }
}

/// A case of `Fixtures/twilio-library-signature-vectors.json`: an expected signature taken
/// from the tests of Twilio's official Python, Node, Go or Java library (named in `source`).
public struct LibrarySignatureVector: Decodable, Sendable, CustomStringConvertible {
    public let name: String
    public let source: String
    public let url: String
    public let token: String
    /// Form parameters in the order posted; a name may repeat.
    public let params: [[String]]
    public let signature: String
    public let valid: Bool

    public var description: String { name }

    /// The parameters as name-value pairs.
    public var pairs: [(name: String, value: String)] {
        params.map { ($0[0], $0.count > 1 ? $0[1] : "") }
    }

    /// Every case, from the fixture compiled into this module.
    public static let all: [LibrarySignatureVector] = decodeCases(PackageResources.twilio_library_signature_vectors_json)
}

/// The `cases` of a vector file.
private struct VectorFile<Case: Decodable>: Decodable {
    let cases: [Case]
}

private func decodeCases<Case: Decodable>(_ bytes: [UInt8]) -> [Case] {
    do {
        return try JSONDecoder().decode(VectorFile<Case>.self, from: Data(bytes)).cases
    } catch {
        fatalError("the signature fixture does not decode: \(error)")
    }
}
