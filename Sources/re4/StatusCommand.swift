import ArgumentParser
import Foundation
import Re4CLI
import Re4Core

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Say for each run folder whether its training is over, and its best epoch.",
        discussion: """
            A run is over when its last session's --epochs is reached or its --patience ran out \
            (docs/run-folder.md); anything else is still training, or was stopped and can be continued \
            with re4 train --resume. With --require-finished the exit code is 3 when any run is not over \
            (for scripts: `re4 status --require-finished RUN… && make figures`). A path that is not a run \
            folder gets an error line and exit code 1, after the other folders are reported.

            Example:
              re4 status runs/ml1m-*-s?
            """)
    @Argument(help: "Run folders (re4 train --out).") var folders: [String]
    @Flag(help: "Exit with code 3 when any run is not finished.") var requireFinished = false

    func validate() throws { guard !folders.isEmpty else { throw ValidationError("give at least one run folder") } }

    func run() throws {
        var open = 0, unreadable = 0
        for f in folders {
            // A shell glob can catch a stray file among the runs: name it and go on with the others.
            do {
                let s = try RunProgress.statusLine(folder: f)
                print(s.line)
                if !s.finished { open += 1 }
            } catch {
                printError("error: " + ((error as? LocalizedError)?.errorDescription ?? "\(f): \(error)"))
                unreadable += 1
            }
        }
        if unreadable > 0 { throw ExitCode(1) }
        if requireFinished && open > 0 { throw ExitCode(3) }
    }
}
