public import Foundation

/// Files and folders only their owner may use (SPEC §5): a data folder of mode 0700 and files
/// of mode 0600 that never exist with wider rights, even briefly, whatever the umask.
public enum PrivateFiles {
    /// Creates `path` as a folder of mode 0700 when it is missing (its parents as usual).
    public static func createFolder(_ path: String) throws {
        guard !FileManager.default.fileExists(atPath: path) else { return }
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        guard mkdir(path, 0o700) == 0 || errno == EEXIST else {
            throw PrivateFileError(path: path, reason: "cannot be created (errno \(errno))")
        }
    }

    /// Creates the file `path` with mode 0600 holding `contents`; `false` when it exists already.
    @discardableResult
    public static func createFile(_ path: String, contents: Data = Data()) throws -> Bool {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            if errno == EEXIST { return false }
            throw PrivateFileError(path: path, reason: "cannot be created (errno \(errno))")
        }
        defer { close(descriptor) }
        let written = contents.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == contents.count, fsync(descriptor) == 0 else {
            throw PrivateFileError(path: path, reason: "cannot be written")
        }
        return true
    }
}

/// A private file or folder that could not be made.
public struct PrivateFileError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String

    public var description: String { "\(path) \(reason)" }
}
