import Testing
import TestSupport
import TwilioKit

@Suite struct WebhookSignatureTests {
    @Test func thereAreVectorsOfEveryKind() {
        #expect(SignatureVector.all.count >= 12)
        #expect(SignatureVector.all.contains { !$0.valid })
        #expect(SignatureVector.all.contains { $0.algorithm == "HMAC_SHA256" })
    }

    @Test(arguments: SignatureVector.all)
    func acceptsExactlyTheValidVectors(vector: SignatureVector) throws {
        let parameters = try FormParameters(decoding: Array(vector.rawBody.utf8))
        let algorithm = try #require(SignatureAlgorithm(rawValue: vector.algorithm))
        let accepted = WebhookSignature.isValid(
            vector.signature, url: vector.url, parameters: parameters, key: vector.token, algorithm: algorithm)
        #expect(accepted == vector.valid)
    }

    @Test func thereAreAllTwentyOneLibraryCases() {
        #expect(LibrarySignatureVector.all.count == 21)
        #expect(LibrarySignatureVector.all.filter { !$0.valid }.map(\.name) == ["go wrong sort order is refused"])
        #expect(Set(LibrarySignatureVector.all.map(\.name)).count == 21)
    }

    /// Cases from the tests of Twilio's own libraries: default ports added or not, other ports,
    /// repeated and duplicated values, special characters, an international URL, names that
    /// differ only in case, and a signature made over a wrong sort order that must be refused.
    @Test(arguments: LibrarySignatureVector.all)
    func acceptsExactlyTheValidLibraryCases(vector: LibrarySignatureVector) {
        let accepted = WebhookSignature.isValid(
            vector.signature, url: vector.url, parameters: FormParameters(vector.pairs), key: vector.token, algorithm: .hmacSHA1)
        #expect(accepted == vector.valid, "\(vector.source)")
    }

    @Test(arguments: LibrarySignatureVector.all.filter(\.valid))
    func aTamperedLibraryCaseIsRefused(vector: LibrarySignatureVector) {
        let tampered = FormParameters(vector.pairs + [("Injected", "1")])
        #expect(!WebhookSignature.isValid(vector.signature, url: vector.url, parameters: tampered, key: vector.token, algorithm: .hmacSHA1))
        #expect(!WebhookSignature.isValid(vector.signature, url: vector.url + "x", parameters: FormParameters(vector.pairs), key: vector.token, algorithm: .hmacSHA1))
    }

    @Test func computeReproducesTwiliosSignature() throws {
        let vector = try #require(SignatureVector.all.first { $0.name == "basic-https" })
        let parameters = try FormParameters(decoding: Array(vector.rawBody.utf8))
        #expect(WebhookSignature.compute(url: vector.url, parameters: parameters, key: vector.token, algorithm: .hmacSHA1) == vector.signature)
    }

    @Test func garbageSignaturesAreRejected() throws {
        let parameters = FormParameters([("A", "1")])
        for signature in ["", "not base64!", "AAAA", String(repeating: "A", count: 400)] {
            #expect(!WebhookSignature.isValid(signature, url: "https://x.test/a", parameters: parameters, key: "k", algorithm: .hmacSHA1))
        }
    }

    @Test func theAlgorithmComesFromTheSettingsHeader() {
        #expect(SignatureAlgorithm(settingsHeader: "key=webhooks_sharedkey_abc123,algorithm=HMAC_SHA256") == .hmacSHA256)
        #expect(SignatureAlgorithm(settingsHeader: "algorithm = hmac_sha1 , key=x") == .hmacSHA1)
        #expect(SignatureAlgorithm(settingsHeader: "key=x,algorithm=HMAC_MD5") == nil)
        #expect(SignatureAlgorithm(settingsHeader: "key=x") == nil)
    }
}
