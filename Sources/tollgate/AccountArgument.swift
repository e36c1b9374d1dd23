import ArgumentParser
import Foundation

/// An account given on the command line (an extension, a remote phone's user, a trunk), as the
/// gateway names it; an empty name, one with control characters or one longer than 256 characters
/// is printed as an error and ends the command with status 2.
func accountArgumentOrExit(_ text: String, option: String? = nil) throws -> String {
    let label = option.map { "\($0): " } ?? ""
    if text.trimmingCharacters(in: .whitespaces).isEmpty {
        printError("\(label)the account name is empty")
        throw ExitCode(2)
    }
    if text.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) {
        printError("\(label)'\(TextTable.printable(text))' is not an account name: it holds control characters")
        throw ExitCode(2)
    }
    if text.count > 256 {
        printError("\(label)the account name is longer than 256 characters")
        throw ExitCode(2)
    }
    return text
}
