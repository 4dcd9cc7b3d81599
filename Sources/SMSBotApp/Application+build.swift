public import Hummingbird
public import Logging
import ServiceLifecycle

/// Builds the application: the one place where the store, templates, controllers and
/// services are chosen and wired. `smsbot serve` and the tests both call it.
public func buildApplication(
    _ configuration: AppConfiguration,
    environment: AppEnvironment = .live
) async throws -> some ApplicationProtocol {
    let logger = environment.logger
    let services = try await AppServices(configuration, environment: environment)
    let authenticator = WebhookAuthenticator(configuration: configuration)
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
    router.addRoutes(MetricsController(metrics: services.metrics).endpoints)

    var backgroundServices: [any Service] = [
        services.outbox, MaintenanceService(store: services.store, now: environment.now, logger: logger),
    ]
    if let sqlite = services.store as? SQLiteStore {
        backgroundServices.append(WALCheckpointService(store: sqlite, logger: logger))
    }
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.http.host, port: configuration.http.port), serverName: nil),
        services: backgroundServices,
        logger: logger)
}

/// Opens (and migrates) the store `location` names.
public func openStore(_ location: DatabaseLocation, logger: Logger = Logger(label: "smsbot")) async throws -> any SMSBotStore {
    switch location {
    case .sqliteFile(let path):
        return try SQLiteStore(path: path)
    case .sqliteInMemory:
        return try SQLiteStore()
    case .postgres(let url):
        return try await PostgresStore(url: url, logger: logger)
    }
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

extension DatabaseLocation {
    /// A description that is safe to log: no credentials.
    public var summary: String {
        switch self {
        case .sqliteFile(let path): "sqlite:\(path)"
        case .sqliteInMemory: "sqlite::memory:"
        case .postgres: "postgres"
        }
    }
}
