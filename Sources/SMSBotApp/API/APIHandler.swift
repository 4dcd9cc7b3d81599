import SMSBotAPI

/// Every `/api/v1` operation of the document, as the generated `APIProtocol`: the verification
/// routes (role `verify`) and the operator routes (role `operator`; ``APIRequestMiddleware``
/// checks the role before any of them runs).
struct APIHandler: APIProtocol {
    let verifications: VerificationAPI
    let operators: OperatorAPI

    func createVerification(_ input: Operations.CreateVerification.Input) async throws -> Operations.CreateVerification.Output {
        try await verifications.createVerification(input)
    }

    func getVerification(_ input: Operations.GetVerification.Input) async throws -> Operations.GetVerification.Output {
        try await verifications.getVerification(input)
    }

    func checkVerification(_ input: Operations.CheckVerification.Input) async throws -> Operations.CheckVerification.Output {
        try await verifications.checkVerification(input)
    }

    func cancelVerification(_ input: Operations.CancelVerification.Input) async throws -> Operations.CancelVerification.Output {
        try await verifications.cancelVerification(input)
    }

    func listPolicies(_ input: Operations.ListPolicies.Input) async throws -> Operations.ListPolicies.Output {
        try await operators.listPolicies(input)
    }

    func registerPolicy(_ input: Operations.RegisterPolicy.Input) async throws -> Operations.RegisterPolicy.Output {
        try await operators.registerPolicy(input)
    }

    func getPolicy(_ input: Operations.GetPolicy.Input) async throws -> Operations.GetPolicy.Output {
        try await operators.getPolicy(input)
    }

    func replacePolicy(_ input: Operations.ReplacePolicy.Input) async throws -> Operations.ReplacePolicy.Output {
        try await operators.replacePolicy(input)
    }

    func deletePolicy(_ input: Operations.DeletePolicy.Input) async throws -> Operations.DeletePolicy.Output {
        try await operators.deletePolicy(input)
    }

    func getConversation(_ input: Operations.GetConversation.Input) async throws -> Operations.GetConversation.Output {
        try await operators.getConversation(input)
    }

    func logOutConversation(_ input: Operations.LogOutConversation.Input) async throws -> Operations.LogOutConversation.Output {
        try await operators.logOutConversation(input)
    }

    func unlockConversation(_ input: Operations.UnlockConversation.Input) async throws -> Operations.UnlockConversation.Output {
        try await operators.unlockConversation(input)
    }

    func listAuditEvents(_ input: Operations.ListAuditEvents.Input) async throws -> Operations.ListAuditEvents.Output {
        try await operators.listAuditEvents(input)
    }

    func listOutbox(_ input: Operations.ListOutbox.Input) async throws -> Operations.ListOutbox.Output {
        try await operators.listOutbox(input)
    }

    func listOptOuts(_ input: Operations.ListOptOuts.Input) async throws -> Operations.ListOptOuts.Output {
        try await operators.listOptOuts(input)
    }
}
