import ArgumentParser
import Foundation
import Plot
import Re4CLI
import Re4Core
import Re4Viz

struct GalleryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gallery",
        abstract: "Does Re4's gain over Base grow with the item gallery? Paired tests per gallery, a figure and a table.",
        discussion: """
            One run prefix per gallery, each with <prefix>-base-sN and <prefix>-re4-sN runs on the same seeds \
            (`make gallery` trains them). Per gallery: the best checkpoints' per-user test metrics, Re4 − Base \
            paired over users and seeds with a 95 % bootstrap interval and Holm-adjusted Wilcoxon p; the figure \
            draws Δ against the gallery's item count.

            Example:
              re4-viz gallery --runs ../runs \\
                  --prefixes gallery-2k,gallery-20k,gallery-200k \\
                  --out figures/gallery-gain.png --md figures/gallery-gain.md
            """)
    @Option(help: "The folder that holds the runs.") var runs: String
    @Option(help: "Run prefixes, one per gallery, comma-separated.") var prefixes: String
    @Option(help: "Output figure (.png, .svg or .pdf).") var out: String
    @Option(help: "Also write the table to this Markdown file.") var md: String?
    @Option(help: "Figure title.") var title: String = "Re4 − Base against the gallery size (planted data)"
    @Option(help: "Resolution of PNG output.") var dpi: Double = 150
    @OptionGroup var style: FigureStyleOptions
    @Option(help: "Seed of the bootstrap.") var seed: UInt64 = 42
    @Flag(help: "Keep runs still training (neither their last epoch nor their patience reached).") var includeUnfinished = false
    @OptionGroup var threads: ThreadsOption

    func validate() throws { try style.checkResolution(dpi: dpi) }

    func run() throws {
        let list = prefixes.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let outputs = try OutputSet(outputs: [out] + (md.map { [$0] } ?? []), inputs: [])
        let g = try GalleryStudy.run(runs: runs, prefixes: list, includeUnfinished: includeUnfinished,
                                     context: AnalysisContext(threads: threads.count, seed: seed, progress: { print($0) }))
        let fig = GalleryStudy.figure(g, title: title, dpi: dpi).styled(try style.style())
        try outputs.stage(out) { try fig.render(as: out, into: $0) }
        let table = GalleryStudy.markdown(g, title: title)
        if let md { try outputs.stage(md, data: Data(table.utf8)) }
        try outputs.commit()
        print(table, terminator: "")
    }
}
