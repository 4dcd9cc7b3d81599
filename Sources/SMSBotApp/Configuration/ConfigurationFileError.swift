/// Why the configuration file cannot be used, in one line that never quotes the file: a YAML
/// syntax error names the file, line and column only (the line may hold a secret).
public enum ConfigurationFileError {
    /// The one-line text for `error`, thrown while reading the configuration file `file`.
    public static func describe(_ error: any Error, file: String) -> String {
        let text = String(describing: error)
        // YAML parser errors begin "LINE:COLUMN: error: …" and go on to quote the offending line.
        let position = text.prefix { $0 != " " }.split(separator: ":", omittingEmptySubsequences: false)
        if position.count == 3, let line = Int(position[0]), let column = Int(position[1]), position[2].isEmpty {
            return "configuration file \(file):\(line):\(column): not valid YAML"
        }
        let firstLine = text.prefix { $0 != "\n" }
        return "cannot read configuration file \(file): \(firstLine)"
    }
}
