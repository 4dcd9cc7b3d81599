public import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Creates messages through Twilio's Messages REST API:
/// `POST {apiBaseURL}/2010-04-01/Accounts/{AccountSid}/Messages.json`, HTTP Basic auth.
public struct TwilioMessagesClient: Sendable {
    /// Who the API call authenticates as: the account (SID and auth token) or an API key (SID and secret).
    public struct Credentials: Sendable {
        let username: String
        let password: String

        /// Account SID and auth token, or API key SID and secret.
        public init(username: String, password: String) {
            self.username = username
            self.password = password
        }
    }

    /// Where a message is sent from.
    public enum Sender: Sendable, Equatable {
        case phoneNumber(String)
        case messagingService(sid: String)
    }

    /// One message to create.
    public struct MessageRequest: Sendable, Equatable {
        public var to: String
        public var sender: Sender
        public var body: String
        public var statusCallback: String?
        /// Seconds Twilio may keep trying to deliver it (an OTP's remaining lifetime).
        public var validityPeriod: Int?

        /// Creates a request.
        public init(to: String, sender: Sender, body: String, statusCallback: String? = nil, validityPeriod: Int? = nil) {
            self.to = to
            self.sender = sender
            self.body = body
            self.statusCallback = statusCallback
            self.validityPeriod = validityPeriod
        }

        var form: FormParameters {
            var pairs: [(name: String, value: String)] = [("To", to)]
            switch sender {
            case .phoneNumber(let number): pairs.append(("From", number))
            case .messagingService(let sid): pairs.append(("MessagingServiceSid", sid))
            }
            pairs.append(("Body", body))
            if let statusCallback { pairs.append(("StatusCallback", statusCallback)) }
            if let validityPeriod { pairs.append(("ValidityPeriod", String(validityPeriod))) }
            return FormParameters(pairs)
        }
    }

    /// The created message, as far as smsbot needs it.
    public struct Message: Decodable, Sendable, Equatable {
        public let sid: String
        public let status: String
    }

    let httpClient: HTTPClient
    let apiBaseURL: String
    let accountSID: String
    let credentials: Credentials
    let timeout: TimeAmount

    /// Creates a client for `accountSID`; `timeout` bounds each call from connect to last byte.
    public init(
        httpClient: HTTPClient = .shared, apiBaseURL: String, accountSID: String, credentials: Credentials,
        timeout: Duration = .seconds(10)
    ) {
        self.httpClient = httpClient
        self.apiBaseURL = apiBaseURL.hasSuffix("/") ? String(apiBaseURL.dropLast()) : apiBaseURL
        self.accountSID = accountSID
        self.credentials = credentials
        self.timeout = .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000)
    }

    /// Creates a message.
    /// - Throws: ``TwilioAPIError`` saying whether Twilio may have processed the request.
    public func createMessage(_ message: MessageRequest) async throws(TwilioAPIError) -> Message {
        var request = HTTPClientRequest(url: "\(apiBaseURL)/2010-04-01/Accounts/\(accountSID)/Messages.json")
        request.method = .POST
        let basic = Data("\(credentials.username):\(credentials.password)".utf8).base64EncodedString()
        request.headers.add(name: "Authorization", value: "Basic \(basic)")
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded; charset=utf-8")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(string: message.form.urlEncoded))

        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await httpClient.execute(request, timeout: timeout)
            body = try await response.body.collect(upTo: 1 << 20)
        } catch {
            throw Self.transportError(error)
        }
        let status = Int(response.status.code)
        guard (200..<300).contains(status) else {
            let details = try? JSONDecoder().decode(ErrorBody.self, from: Data(body.readableBytesView))
            let retryAfter = response.headers.first(name: "Retry-After").flatMap(Double.init)
            throw TwilioAPIError(
                kind: TwilioAPIError.kind(httpStatus: status, code: details?.code), httpStatus: status, code: details?.code,
                message: details?.message ?? "HTTP \(status)", retryAfter: retryAfter)
        }
        do {
            return try JSONDecoder().decode(Message.self, from: Data(body.readableBytesView))
        } catch {
            // Twilio said yes but the answer is unreadable: the message may well exist.
            throw TwilioAPIError(kind: .ambiguous, httpStatus: status, message: "unreadable success response")
        }
    }

    /// Twilio's error body: `{"code": 21610, "message": "…", "more_info": "…", "status": 400}`.
    struct ErrorBody: Decodable {
        let code: Int?
        let message: String?
    }

    /// A failure without a response: surely not sent when the connection was never made.
    static func transportError(_ error: any Error) -> TwilioAPIError {
        let notConnected: Bool
        if let error = error as? HTTPClientError {
            notConnected = [.connectTimeout, .tlsHandshakeTimeout, .getConnectionFromPoolTimeout].contains(error)
        } else {
            let text = "\(type(of: error)) \(error)"
            notConnected = text.contains("NIOConnectionError") || text.contains("Connection refused") || text.contains("ECONNREFUSED")
        }
        return TwilioAPIError(
            kind: notConnected ? .notProcessed : .ambiguous,
            message: notConnected ? "could not connect" : "no complete response (\(type(of: error)))")
    }
}
