public import Hummingbird
import Foundation
import OpenAPIHummingbird
import Logging
import ServiceLifecycle
import SMSBotAPI
import SMSBotCore
import SMSBotResources
import SMSBotStorage

/// Builds the application: the one place where the store, templates, controllers and
/// services are chosen and wired. `smsbot serve` and the tests both call it.
///
/// Nothing touches the database here: the store's own services (a connection pool, a WAL
/// checkpointer) run with the application, and its migrations run before the server accepts
/// requests and before any background service starts.
public func buildApplication(
    _ configuration: AppConfiguration,
    environment: AppEnvironment = .live
) async throws -> some ApplicationProtocol {
    let logger = environment.logger
    let authenticator = WebhookAuthenticator(configuration: configuration)
    if authenticator.isDevelopmentMode, !Loopback.contains(configuration.http.host) {
        // Unsigned webhooks and OTPs printed to the console must not be reachable from elsewhere.
        throw ConfigurationError(
            key: "http.host", reason: "development mode (no twilio.authToken) listens on loopback only: 127.0.0.1, ::1 or localhost")
    }
    let services = try AppServices(configuration, environment: environment)
    announce(configuration, developmentMode: authenticator.isDevelopmentMode, logger: logger)

    let router = Router(context: AppRequestContext.self)
    router.addRoutes(
        TwilioWebhookController(
            conversations: services.conversations, authenticator: authenticator, metrics: services.metrics, environment: environment)
            .endpoints,
        atPath: "/twilio")
    router.addRoutes(
        TwilioStatusController(store: services.store, authenticator: authenticator, environment: environment).endpoints,
        atPath: "/twilio")
    router.addRoutes(HealthController(store: services.store).endpoints)
    let access = AccessControl(
        keys: services.store, adminToken: configuration.adminToken, failures: FailedCredentials(),
        requestsPerMinute: configuration.api.requestsPerMinute, now: environment.now)
    router.addRoutes(MetricsController(metrics: services.metrics, access: access).endpoints)
    router.get("api/v1/openapi.json") { _, _ in
        Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: BuiltInResources.openAPIDocument)))
    }
    try services.api.registerHandlers(
        on: router.group().add(middleware: APIRequestMiddleware(access: access)), serverURL: APIRequestMiddleware.serverURL,
        configuration: APIRequestMiddleware.runtimeConfiguration)

    let portal = PortalController(
        store: services.store, access: access, pages: services.portalPages, operators: services.api.operators,
        secureCookies: configuration.publicURL?.lowercased().hasPrefix("https://") == true,
        adminTokenConfigured: configuration.adminToken != nil, now: environment.now)
    router.group("portal").add(middleware: PortalGuard(access: access)).addRoutes(portal.endpoints)

    let background: [any Service] = [services.outbox, MaintenanceService(store: services.store, now: environment.now, logger: logger)]
    var app = Application(
        router: router,
        server: .limitedHTTP1(idleTimeout: configuration.http.idleTimeout, requestTimeout: configuration.http.requestTimeout),
        configuration: .init(address: .hostname(configuration.http.host, port: configuration.http.port), serverName: nil),
        services: services.store.services + background.map { AfterPreparation(service: $0, preparation: services.preparation) },
        logger: logger)
    app.beforeServerStarts {
        try await services.prepare()
        try await DemoSignIn.prepare(
            store: services.store, configuration: configuration, developmentMode: authenticator.isDevelopmentMode, now: environment.now(),
            logger: logger)
    }
    return app
}

private func announce(_ configuration: AppConfiguration, developmentMode: Bool, logger: Logger) {
    if developmentMode {
        logger.warning(
            "DEVELOPMENT MODE: no twilio.authToken configured, webhook signatures are NOT checked and SMS go to the console")
    } else if configuration.publicURL == nil {
        logger.warning("public.url is not set: signatures are checked against the URL rebuilt from each request's Host header")
    }
    logger.info(
        "smsbot configured",
        metadata: [
            "database": "\(configuration.database.summary)", "sender": "\(configuration.sender.rawValue)",
            "address": "\(configuration.http.host):\(configuration.http.port)",
        ])
}
