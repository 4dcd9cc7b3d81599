import ArgumentParser
import Foundation

/// Prints why smsbot cannot start (bad configuration, unusable template or database) as one
/// line on standard error and returns exit status 78 (EX_CONFIG) to throw: no usage text follows.
func startupFailure(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("smsbot: \(message)\n".utf8))
    return ExitCode(78)
}
