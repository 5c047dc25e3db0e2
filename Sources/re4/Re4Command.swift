import ArgumentParser
import Foundation
import Re4Core

@main
struct Re4: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "re4",
        abstract: "Train and evaluate multi-interest recommenders (ComiRec + Re4).",
        discussion: """
            Examples:
              re4 data stats ml-latest-small
              re4 data fetch ml-1m && re4 data stats ml-1m
              re4 train --data ml-latest-small --epochs 5 --out runs/re4
              re4 evaluate --checkpoint runs/re4/best.safetensors --data ml-latest-small
            """,
        subcommands: [DataCommand.self, TrainCommand.self, EvaluateCommand.self, ExportCommand.self, BenchCommand.self])

    /// Runs a command; any error becomes one line on stderr and exit code 1.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let e as DataError {
            fail(e.localizedDescription)
        } catch let e as IOError {
            fail(e.localizedDescription)
        } catch let e as SafeTensorsError {
            fail(e.localizedDescription)
        } catch let e as NpyError {
            fail(e.localizedDescription)
        } catch let e as TrainingError {
            fail(e.localizedDescription)
        } catch let e as CheckpointError {
            fail(e.localizedDescription)
        } catch let e as LogError {
            fail(e.localizedDescription)
        } catch {
            // Help and version exit normally; every other parsing error is one line.
            if exitCode(for: error) == .success { exit(withError: error) }
            let first = message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid arguments"
            fail(first.replacingOccurrences(of: "Error: ", with: "") + " (see --help)")
        }
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        Foundation.exit(1)
    }
}
