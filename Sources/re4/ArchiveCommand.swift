import ArgumentParser
import Foundation
import Re4CLI
import Re4Core

struct ArchiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive",
        abstract: "Keep finished runs small: config, log, the best epoch's per-user metrics (and with --checkpoint its model).",
        discussion: """
            Writes ARCHIVE/<run folder name>/ with config.json, log.jsonl and per-user/epoch-NNN.csv of the \
            best validation epoch (copied from re4 train --per-user-log, else the best checkpoint evaluated \
            on the test users). re4-viz figures --archive ARCHIVE builds the tables, paired comparisons, \
            Figure 3 and the ablation figure from such runs (docs/run-folder.md § Archived runs); with \
            --checkpoint, best.safetensors is kept too, and Figure 4, the item map and distinctness come \
            from the archive as well. A run that has not finished is refused; an existing archive of it \
            is never replaced, except that --checkpoint adds the model to an archive of the same run (the \
            same config apart from its sessions, the same metrics apart from timing) kept without one.

            Examples:
              re4 archive runs/movielens-base-s1 --into figures/runs
              re4 archive runs/movielens-re4-s1 --into figures/runs --checkpoint
            """)
    @Argument(help: "Finished run folders (re4 train --out).") var folders: [String]
    @Option(help: "The archive folder (must exist).") var into: String
    @Flag(help: "Keep the best epoch's checkpoint too (best.safetensors, about 1.4 MB on ML-1M).") var checkpoint = false
    @OptionGroup var data: DataOptions
    @OptionGroup var threads: ThreadsOption

    func run() throws {
        for f in folders {
            let dest = try RunArchive.keep(run: f, into: into, checkpoint: checkpoint, request: data.request, threads: threads.count) { print($0) }
            print("archived \(f) as \(dest)")
        }
    }
}
