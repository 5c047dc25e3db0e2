import ArgumentParser
import Foundation
import Re4CLI
import Re4Core
import Re4Viz

struct DistinctCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distinct",
        abstract: "How distinct are the interests? Statistics per checkpoint with 95% bootstrap intervals.",
        discussion: """
            Over the test users (or a seeded sample): pairwise cosine of interests (U and Z), attention \
            entropy and top share, Re4 positives, retrieved-list overlap, interest usage on held-out items, \
            item coherence, and genre purity/diversity where the data has genres. With two or more \
            checkpoints, differences against the first and whether the intervals overlap.

            With --interests U.npy --item-embeddings E.npy (any model's arrays, docs/interop.md) instead of \
            checkpoints, the statistics that apply: those needing attention need --attention and \
            --histories, usage needs held-out items (--data), genre purity needs genres. What is skipped is \
            said on stderr.

            Examples:
              re4-viz distinct runs/base/best.safetensors runs/re4/best.safetensors
              re4-viz distinct runs/re4/best.safetensors --format markdown --users 300
              re4-viz distinct --interests U.npy --item-embeddings E.npy --padding-row \\
                  --data ml-1m --row-users users.txt
            """)
    @Argument(help: "Models: checkpoints, run folders, .pt/.pth state dicts or interest bundle folders.") var checkpoints: [String] = []
    @Option(help: "Column names, comma-separated, one per model (default: run folder, bundle or file names).") var labels: String?
    @Option(help: "Also draw the statistics of every model to this figure (.png, .svg or .pdf).") var figure: String?
    @OptionGroup var data: DataOptions
    @OptionGroup var arrays: ArrayInputOptions
    @Option(help: "Sample this many test users (default: all).") var users: Int?
    @Option(help: "Seed for the user sample and the bootstrap.") var seed: UInt64 = 42
    @Option(help: "table, json, csv or markdown.") var format: Distinctness.Format = .table
    @Option(help: "Write the output to this file as well.") var out: String?
    @Option(help: "Every user's values to CSV, one file per checkpoint (comma-separated), for re4-viz compare.") var perUser: String?
    @OptionGroup var threads: ThreadsOption

    func validate() throws {
        try ModelArguments.check(models: checkpoints, labels: labels, arrays: arrays)
        if let f = figure, !["png", "svg", "pdf"].contains(URL(fileURLWithPath: f).pathExtension.lowercased()) {
            throw ValidationError("--figure must end in .png, .svg or .pdf, got '\(f)'")
        }
        if let n = users, n < 2 { throw ValidationError("--users must be ≥ 2, got \(n)") }
        let files = perUserFiles, models = arrays.given ? 1 : checkpoints.count
        if !files.isEmpty, files.count != models { throw ValidationError("--per-user names \(files.count) file(s) for \(models) model(s); give one per checkpoint") }
    }

    func run() throws {
        let outputs = try OutputSet(outputs: (out.map { [$0] } ?? []) + perUserFiles + (figure.map { [$0] } ?? []),
                                    inputs: ModelArguments.inputPaths(checkpoints, labels: labels, data: data, arrays: arrays))
        let opened = try ModelArguments.open(checkpoints, labels: labels, data: data, arrays: arrays)
        let ds = opened.dataset
        let m = Distinctness.run(panels: opened.panels, dataset: ds, sample: users,
                                       context: AnalysisContext(threads: threads.count, seed: seed))
        let reports = m.reports, chosen = m.users
        for (i, per) in m.perUser.enumerated() where !perUserFiles.isEmpty {
            try outputs.stage(perUserFiles[i], data: Data(Distinctness.perUserCSV(per, dataset: ds, users: chosen).utf8))
        }
        for r in reports { for s in r.skipped { printError("note: \(r.checkpoint): skipped \(s)") } }
        let text = Distinctness.format(reports, as: format, seed: seed)
        print(text)
        if let out { try outputs.stage(out, data: Data((text + "\n").utf8)) }
        if let figure {
            let fig = Distinctness.figure(reports, title: "\(ds.name): distinctness of interests (\(chosen.count) users; whiskers: 95 % bootstrap)", dpi: 150)
            try outputs.stage(figure) { try fig.render(as: figure, into: $0) }
        }
        try outputs.commit()
    }

    var perUserFiles: [String] { perUser.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? [] }
}
