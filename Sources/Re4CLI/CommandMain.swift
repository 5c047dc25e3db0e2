import ArgumentParser
import Foundation
import Re4Core

/// Writes one line to standard error.
public func printError(_ s: String, newline: Bool = true) {
    FileHandle.standardError.write(Data((s + (newline ? "\n" : "")).utf8))
}

extension ParsableCommand {
    /// Parses and runs the command. Help and version exit normally; any other
    /// error, from parsing or from the work, becomes one line on stderr and
    /// exit code 1.
    public static func mainWithOneLineErrors() -> Never {
        // Before anything else: OpenBLAS may have loaded its SSE-era fallback kernels (BLASKernel).
        BLASKernel.restartWithBestKernelIfNeeded()
        var command: ParsableCommand
        do { command = try parseAsRoot() } catch {
            if exitCode(for: error) == .success { exit(withError: error) }
            let first = message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid arguments"
            fail(first.replacingOccurrences(of: "Error: ", with: "") + " (see --help)")
        }
        // ArgumentParser keeps the last of a repeated option: refuse instead of measuring one model of two.
        if let r = RepeatedOptions.firstRepeat(Array(CommandLine.arguments.dropFirst()), singleValued: RepeatedOptions.singleValued(in: command)) {
            let shown = r.values.filter { !$0.isEmpty }.map { "'\($0)'" }.joined(separator: ", ")
            fail("\(r.name) is given \(r.values.count) times\(shown.isEmpty ? "" : " (\(shown))"), but it takes one value and only the last would be used; give it once (see --help)")
        }
        if let (name, v) = FiniteOptions.firstNonFinite(in: command) {
            fail("\(name) is \(v.isNaN ? "nan" : v > 0 ? "inf" : "-inf"), which is not a number it can use; give a finite value (see --help)")
        }
        do {
            try withTSNEProgress { try withReadProgress { try command.run() } }
        } catch let code as ExitCode {
            // A command's own exit code (e.g. `re4 status --require-finished`): no message.
            Foundation.exit(code.rawValue)
        } catch let e as LocalizedError where e.errorDescription != nil {
            fail(e.errorDescription!)
        } catch {
            if exitCode(for: error) == .success { exit(withError: error) }
            fail(message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)")
        }
        Foundation.exit(0)
    }

    static func fail(_ message: String) -> Never {
        printError("error: " + message.replacingOccurrences(of: "\n", with: " "))
        Foundation.exit(1)
    }
}

/// Runs a library range check from a command's `validate()`, so a refusal is
/// reported as a usage error (with "see --help") in the library's words.
public func validating(_ check: () throws -> Void) throws {
    do { try check() } catch let e as LocalizedError { throw ValidationError(e.errorDescription ?? "\(e)") }
}
