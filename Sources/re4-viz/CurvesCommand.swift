import ArgumentParser
import Foundation
import Plot
import Re4CLI
import Re4Core
import Re4Viz

struct CurvesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "curves",
        abstract: "Draw metrics (or losses) against epoch from per-epoch logs: the paper's Figure 3.",
        discussion: """
            One panel per metric, one line per run; runs with the same label (several seeds) are drawn as \
            their mean with a min–max band up to the last epoch all of them reached; a run that went on \
            (patience stopped the others) continues alone as a thin dashed line. A star marks each \
            label's best epoch by validation Recall@50.

            Examples:
              re4-viz curves runs/base/log.jsonl runs/re4/log.jsonl --labels Base,Re4 \\
                  --metrics test_recall@50,test_hitrate@50 --out figures/curves.png
              re4-viz curves runs/re4-s*/log.jsonl --labels Re4,Re4,Re4 --loss \\
                  --out loss.pdf

            Other tools' logs: name the columns (docs/interop.md). A CSV with a header (PyTorch Lightning's \
            metrics.csv, empty cells skipped; TensorBoard's exported Wall time,Step,Value), JSON lines, or a \
            TensorBoard event file (tags as columns, --x step or wall_time):
              re4-viz curves lightning_logs/version_0/metrics.csv --x epoch \\
                  --y val_hr10,val_ndcg10 --out val.png
              re4-viz curves runs/tb/events.out.tfevents.* --y Loss/train,Recall/valid \\
                  --out tb.png
            """)
    @Argument(help: "Per-epoch logs (log.jsonl or log.csv, or run folders), other tools' logs with --y, or TensorBoard log folders.") var logs: [String]
    @Option(help: "Another tool's log: the x column (default epoch, else step).") var x: String?
    @Option(help: "Another tool's log: the columns (or TensorBoard tags) to draw, comma-separated.") var y: String?
    @Option(help: "Comma-separated labels, one per run (runs with equal labels are drawn as their mean and band).") var labels: String?
    @Option(help: "Rows logged more often than once per x (Lightning's *_step columns against --x epoch): draw each x's mean or last row.") var perEpoch: LogTable.PerEpoch?
    @Option(help: "TensorBoard log folders: only the runs whose name (path below the folder) matches this regular expression.") var runs: String?
    @Option(help: "Group runs into a mean and band by their label with every match of this regular expression removed (e.g. 's[0-9]+$' for seeds: re4-s1 and re4-s2 become re4; separators left at the ends are dropped).") var group: String?
    @Option(help: "Smooth each curve as TensorBoard does (debiased exponential moving average, weight 0-1, e.g. 0.6); the raw curve stays faint behind.") var smooth: Double?
    @Flag(help: "Log scale for the y axis.") var logY = false
    @Option(help: "Comma-separated metrics, e.g. test_recall@50,test_ndcg@50.") var metrics: String = "test_recall@50,test_hitrate@50"
    @Flag(help: "Draw the loss components instead of metrics.") var loss = false
    @Option(help: "Output figure (.png, .svg or .pdf).") var out: String
    @Option(help: "Figure title.") var title: String?
    @Option(help: "Resolution of PNG output.") var dpi: Double = 100
    @OptionGroup var style: FigureStyleOptions
    @Option(help: "Colours: tab10 or okabe-ito.") var palette: Palette = .tab10

    func validate() throws {
        try style.checkResolution(dpi: dpi)
        if let w = smooth, !(w >= 0 && w < 1) { throw ValidationError("--smooth \(w): give a weight from 0 up to, not including, 1 (TensorBoard's default is 0.6)") }
        for (name, pattern) in [("--runs", runs), ("--group", group)] {
            if let pattern, (try? NSRegularExpression(pattern: pattern)) == nil { throw ValidationError("\(name) '\(pattern)' is not a regular expression") }
        }
    }

    func run() throws {
        let ys = y?.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        var o = Curves.LoadOptions()
        o.labels = labels?.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        o.x = x; o.y = ys; o.perEpoch = perEpoch; o.runs = runs; o.group = group
        let (runs, notes) = try Curves.load(paths: logs, o)
        for n in notes { printError("note: " + n) }
        let ms = ys ?? (loss ? ["loss", "loss_rec", "loss_att", "loss_ct", "loss_cs"] : metrics.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) })
        let fig = try Curves.figure(runs: runs, metrics: ms, title: title, dpi: dpi, palette: palette, smooth: smooth, logY: logY).styled(try style.style())
        try OutputPaths.checkDistinct(outputs: [out], inputs: logs + runs.map(\.path))
        try fig.save(out)
        print("wrote \(out) (\(runs.count) run\(runs.count == 1 ? "" : "s"), \(ms.count) panel\(ms.count == 1 ? "" : "s"))")
    }
}
