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

            With --grid FILE --runs DIR it reports every run a grid file of scripts/train-grid.sh names \
            (one run per line: its folder name, then its re4 train options), including the ones not started yet; \
            with --archive DIR too, a run archived there (re4 archive) and not in DIR is reported from the archive.

            Examples:
              re4 status runs/movielens-*-s?
              re4 status --grid scripts/grid-movielens.txt --runs runs
            """)
    @Argument(help: "Run folders (re4 train --out).") var folders: [String] = []
    @Option(help: "A grid file (scripts/grid-*.txt): report each run it names, under --runs.") var grid: String?
    @Option(help: "The folder holding the grid's runs (with --grid).") var runs: String?
    @Option(help: "With --grid: a folder of archived runs (re4 archive); a grid's run kept there and not in --runs is reported from it.")
    var archive: String?
    @Flag(help: "Exit with code 3 when any run is not finished.") var requireFinished = false

    func validate() throws {
        guard (grid == nil) == (runs == nil) else { throw ValidationError("give --grid and --runs together") }
        guard archive == nil || grid != nil else { throw ValidationError("--archive goes with --grid FILE --runs DIR") }
        guard !folders.isEmpty || grid != nil else { throw ValidationError("give at least one run folder, or --grid FILE --runs DIR") }
    }

    func run() throws {
        var open = 0, unreadable = 0
        var folders = self.folders
        if let grid, let runs {
            folders += try RunProgress.gridRunNames(file: grid).map { name in
                // A run kept in the archive and absent from --runs is reported from the archive.
                let kept = archive.map { $0 + "/" + name }
                if let kept, !FileManager.default.fileExists(atPath: runs + "/" + name), FileManager.default.fileExists(atPath: kept) { return kept }
                return runs + "/" + name
            }
        }
        for f in folders {
            // A grid's run that has no folder yet is waiting its turn.
            if grid != nil && !self.folders.contains(f) && !FileManager.default.fileExists(atPath: f) {
                print("\(f): not started"); open += 1; continue
            }
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
