import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SMSBotApp
import SMSBotStorage
import TestSupport
import Testing
import SMSBotCore

/// Every vector computed by Twilio's official library, posted through the real HTTP route.
@Suite(.timeLimit(.minutes(3))) struct SignatureVectorHTTPTests {
    @Test(arguments: SignatureVector.all)
    func theWebhookAcceptsExactlyTheValidVectors(vector: SignatureVector) async throws {
        let (publicURL, path) = vector.publicURLAndPath
        var configuration = AppConfiguration.test()
        configuration.publicURL = publicURL
        if vector.signatureSettingsHeader != nil {
            configuration.twilio.webhookSigningKey = Secret(vector.token)
        } else {
            configuration.twilio.authToken = Secret(vector.token)
        }
        let extraHeaders: HTTPFields = vector.signatureSettingsHeader.map {
            [HTTPField.Name("X-Twilio-Webhooks-Signature-Settings")!: $0]
        } ?? [:]
        let app = try await buildApplication(configuration)
        try await app.test(.live) { client in
            let response = try await client.post(
                rawBody: vector.rawBody, path: path, signature: vector.signature, extraHeaders: extraHeaders)
            #expect(response.status == (vector.valid ? .ok : .forbidden), "\(response.text)")
            if vector.valid {
                #expect(response.headers[.contentType] == "text/xml; charset=utf-8")
                #expect(response.text.contains("<Response><Message>"))
            }
        }
    }

    @Test func aSharedKeySignatureIsRefusedWhenNoSigningKeyIsConfigured() async throws {
        let vector = try #require(SignatureVector.all.first { $0.signatureSettingsHeader != nil })
        let (publicURL, path) = vector.publicURLAndPath
        var configuration = AppConfiguration.test()
        configuration.publicURL = publicURL
        configuration.twilio.authToken = Secret(vector.token)  // the right secret, but not configured as the signing key
        let app = try await buildApplication(configuration)
        try await app.test(.live) { client in
            let response = try await client.post(
                rawBody: vector.rawBody, path: path, signature: vector.signature,
                extraHeaders: [HTTPField.Name("X-Twilio-Webhooks-Signature-Settings")!: vector.signatureSettingsHeader!])
            #expect(response.status == .forbidden)
        }
    }
}
