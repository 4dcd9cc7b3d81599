import Foundation
import Hummingbird
import Logging
import SMSBotCore
import TwilioKit
import SMSBotStorage

/// `POST /twilio/sms`: Twilio's "A message comes in" webhook (SPEC §3).
struct TwilioWebhookController: Sendable {
    let conversations: ConversationService
    let authenticator: WebhookAuthenticator
    let metrics: AppMetrics
    let environment: AppEnvironment

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.post("sms", use: receiveMessage)
        return routes
    }

    /// Checks, in order: media type, size and encoding, signature, required fields, account;
    /// then handles the message once per `MessageSid` and answers with TwiML.
    @Sendable func receiveMessage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let started = ContinuousClock.now
        defer { metrics.recordWebhookDuration(since: started) }
        do {
            let (response, outcome) = try await handle(request, context: context)
            metrics.recordInbound(outcome.isReplay ? "replayed" : "handled")
            return response
        } catch let error as WebhookError {
            metrics.recordInbound(String(error.status.code))
            throw error
        }
    }

    private func handle(_ request: Request, context: AppRequestContext) async throws -> (Response, InboundOutcome) {
        let form = try await request.twilioForm()
        try authenticator.verifySignature(of: request, parameters: form, logger: context.logger)
        let inbound = try InboundMessage(form: form)
        try authenticator.verifyAccount(inbound.accountSID)

        let message = IncomingMessage(
            from: inbound.from, text: inbound.body, mediaCount: inbound.mediaCount, receivedAt: environment.now())
        let outcome: InboundOutcome
        do {
            outcome = try await conversations.handle(message, messageSID: inbound.messageSID)
        } catch {
            context.logger.error("store unavailable for inbound message", metadata: ["error": "\(error)"])
            throw WebhookError.storeUnavailable
        }
        context.logger.info(
            "inbound message",
            metadata: [
                "from": "\(inbound.from.masked)", "sid": "\(inbound.messageSID)",
                "outcome": "\(outcome.isReplay ? "replayed" : "handled")",
            ])
        let response = Response(
            status: .ok,
            headers: [.contentType: TwiMLResponse.contentType],
            body: .init(byteBuffer: ByteBuffer(string: TwiMLResponse(messages: outcome.replies).xml)))
        return (response, outcome)
    }
}

extension InboundOutcome {
    fileprivate var isReplay: Bool {
        if case .replayed = self { return true }
        return false
    }
}
