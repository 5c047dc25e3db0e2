import ArgumentParser
import Foundation
import Plot
import Re4CLI
import Re4Core
import Re4Viz
import TSNE

struct TSNECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tsne",
        abstract: "t-SNE of users' interests and their items (the paper's Figure 4), or of any matrix.",
        discussion: """
            With checkpoints: samples test users (seeded), takes each user's K interests and the items that \
            correspond to them (--items attended: history items with attention > 1/length; or retrieved: \
            each interest's top items), embeds interests and items jointly with the pure-Swift t-SNE \
            (cosine), and draws ★ for interests and ● for items in the interest's colour. The data opens as \
            each checkpoint's run recorded it.

            With --interests U.npy --item-embeddings E.npy (any model's arrays, docs/interop.md): the same \
            figure for a model this toolkit did not train; add --histories H.npy and --attention A.npy for \
            --items attended, --row-users for which user each row is, and --data or --item-titles.

            With --points (deprecated: use `re4-viz embed`): embeds a float32/float64 .npy (N × D) or numeric CSV; --out .npy/.csv writes N × \
            2 coordinates, --out .png/.svg/.pdf draws them.

            Examples:
              re4-viz tsne runs/base/best.safetensors runs/re4/best.safetensors \\
                  --labels Base,Re4 --users 6 --out fig4.png --coords-out fig4.csv
              re4-viz tsne --interests U.npy --item-embeddings E.npy --padding-row \\
                  --histories H.npy --attention A.npy --item-titles items.csv \\
                  --out fig4.png
              re4-viz tsne --points X.npy --out Y.npy --report
              re4-viz tsne --points X.csv --out Y.png --method bh --metric cosine --seed 1
              re4-viz tsne --points REF.npy --out Y.npy --place NEW.npy \\
                  --placed-out Ynew.npy
            """)
    @Argument(help: "Models (one panel each), e.g. Base then Re4: checkpoints, run folders, .pt/.pth state dicts or interest bundle folders.") var checkpoints: [String] = []
    @Option(help: "Embed this matrix (.npy or .csv) instead of checkpoints.") var points: String?
    @OptionGroup var extra: PointsOutputOptions
    @Option(help: "Output: a figure (.png/.svg/.pdf) for checkpoints; coordinates (.npy/.csv) or a figure for --points.") var out: String
    @OptionGroup var data: DataOptions
    @OptionGroup var arrays: ArrayInputOptions
    @Option(help: "Number of sampled test users.") var users: Int = 6
    @Option(help: "Comma-separated user ids instead of a sample (test users unless --split says otherwise).") var userIds: String?
    // Optional: ArgumentParser would print the default as its raw value ("2").
    @Option(name: .customLong("split"), help: "The split --user-ids must come from (default: test).") var splitGiven: SplitPart?
    var split: SplitPart { splitGiven ?? .test }
    @Option(help: "Items per interest: attended or retrieved (default: attended; retrieved for models given without their attention, e.g. a bundle with no attention.npy).") var items: InterestProjection.ItemChoice?
    @Option(help: "With --items retrieved: items per interest.") var top: Int = 10
    @Option(help: "Interest space: u (used for matching) or z (raw).") var space: UserInterests.Space = .u
    @Option(help: "panels (one per user and checkpoint), family (one per checkpoint, a hue family per user) or map (interests placed on the gallery's t-SNE).") var layout: InterestProjection.Layout = .panels
    @Option(help: "With --layout map: place interests by embedding (cosine neighbours) or retrieval (softmax of their scores).") var placeBy: InterestProjection.PlaceBy = .embedding
    @Option(help: "Panel titles, comma-separated (default: the checkpoints' folder names).") var labels: String?
    @Option(help: "users (Figure 4) or items (the whole gallery by genre, interests overlaid).") var map: InterestMap.Kind = .users
    @Option(help: "With --map items: embed a seeded sample of this many items.") var gallerySample: Int?
    @Option(help: "Write every plotted point to this CSV.") var coordsOut: String?
    @Option(help: "Figure title.") var title: String?
    @Option(help: "Resolution of PNG output.") var dpi: Double = 100
    @OptionGroup var style: FigureStyleOptions
    @OptionGroup var tsne: TSNEOptionGroup
    @Flag(help: "Print exact KL, kNN preservation (k = 10) and trustworthiness T(10).") var report = false
    @Flag(help: "Print progress every 50 iterations on stderr.") var verbose = false

    func validate() throws {
        let sources = [!checkpoints.isEmpty, points != nil, arrays.given].filter { $0 }.count
        guard sources == 1 else { throw ValidationError("give one or more checkpoints, --interests U.npy with --item-embeddings E.npy, or --points MATRIX (one of them)") }
        if extra.place != nil && points == nil { throw ValidationError("--place needs --points (the reference matrix)") }
        // What only the matrix path writes or prints is refused with models, not silently ignored.
        if points == nil, let flag = extra.neighborsOut != nil ? "--neighbors-out" : report ? "--report" : nil {
            throw ValidationError("\(flag) applies to --points (re4-viz embed); Figure 4 of models writes no neighbour graph or quality report")
        }
        guard users >= 1 else { throw ValidationError("--users must be ≥ 1, got \(users)") }
        guard top >= 1 else { throw ValidationError("--top must be ≥ 1, got \(top)") }
        if let g = gallerySample, g < 4 { throw ValidationError("--gallery-sample must be ≥ 4, got \(g)") }
        try style.checkResolution(dpi: dpi)
        if points == nil { try ModelArguments.check(models: checkpoints, labels: labels, arrays: arrays) }
    }

    func run() throws {
        if let points {
            try EmbedCommand.embed(points: points, out: out, extra: extra, tsne: tsne, report: report, dpi: dpi, style: style, verbose: verbose)
            // After the work, so a refusal stays one line.
            printError("note: re4-viz tsne --points is now re4-viz embed POINTS (the same options); this spelling is kept for one release")
            return
        }
        let context = tsne.context(verbose: verbose)
        let outputs = try OutputSet(outputs: [out] + (coordsOut.map { [$0] } ?? []), inputs: ModelArguments.inputPaths(checkpoints, labels: labels, data: data, arrays: arrays))
        let opened = try ModelArguments.open(checkpoints, labels: labels, data: data, arrays: arrays)
        let ds = opened.dataset, panels = opened.panels
        let chosen = try chooseUsers(ids: userIds, split: split, count: users, seed: context.seed, in: ds)
        if let pre = panels.first?.model.precomputed, let missing = chosen.first(where: { pre.rows[$0] == nil }) {
            throw ValidationError("user \(ds.userIDs[missing]) has no row in \(arrays.interests!); choose users from --row-users (they are the test users)")
        }
        var req = InterestMap.Request(users: chosen)
        req.kind = map; req.layout = layout
        req.map = MapSettings(tsne: tsne.options(defaultMetric: .cosine))
        req.map.space = space; req.map.placeBy = placeBy; req.map.sample = gallerySample
        // Attended items need the attention; a model without it shows its retrieved items, said on stderr.
        let noAttention = panels.filter { $0.model.precomputed != nil && $0.model.precomputed?.A == nil }.map(\.label)
        let choice = items ?? (noAttention.isEmpty ? .attended : .retrieved)
        if items == nil, !noAttention.isEmpty {
            printError("note: \(noAttention.joined(separator: ", ")) \(noAttention.count == 1 ? "has" : "have") no attention; "
                       + "each interest's items are its top \(top) retrieved (--items retrieved; give attention.npy for --items attended)")
        }
        req.selection = choice.selection(top: top)
        req.title = title; req.dpi = dpi; req.style = try style.style()
        let drawing = try InterestMap.run(panels: panels, dataset: ds, request: req, context: context)
        try drawing.publish(figure: out, coordinates: coordsOut, in: outputs)
        for n in drawing.notes { printError(n) }
        print("wrote \(out): \(drawing.summary)")
    }
}
