import Foundation
import Hummingbird
import Logging
import TwilioKit
import SMSBotStorage

/// `POST /twilio/status`: Twilio's StatusCallback for the SMS smsbot sent (SPEC §3).
/// Signed like the webhook; a status never moves a message backwards.
struct TwilioStatusController: Sendable {
    let store: any OutboxStore
    let authenticator: WebhookAuthenticator
    let environment: AppEnvironment

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.post("status", use: receiveStatus)
        return routes
    }

    @Sendable func receiveStatus(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await request.twilioForm()
        try authenticator.verifySignature(of: request, parameters: form, logger: context.logger)
        guard let sid = form["MessageSid"], !sid.isEmpty else { throw WebhookError.badRequest("missing required field MessageSid") }
        guard let status = form["MessageStatus"], !status.isEmpty else {
            throw WebhookError.badRequest("missing required field MessageStatus")
        }
        if let account = form["AccountSid"] { try authenticator.verifyAccount(account) }
        let known: Bool
        do {
            known = try await store.recordDeliveryStatus(providerID: sid, status: DeliveryStatus(rawValue: status), at: environment.now())
        } catch {
            context.logger.error("store unavailable for status callback", metadata: ["error": "\(error)"])
            throw WebhookError.storeUnavailable
        }
        context.logger.info(
            "delivery status", metadata: ["sid": "\(sid)", "status": "\(status)", "known": "\(known)"])
        // An unknown SID is acknowledged all the same: Twilio has nothing better to do with a 4xx.
        return Response(status: .noContent)
    }
}
