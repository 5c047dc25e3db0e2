import ArgumentParser
import Foundation
import Re4CLI
import Re4Core
import Re4Viz
import TSNE

struct ExploreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explore",
        abstract: "An interactive item map of one or two checkpoints, with users' interests on it, as one offline HTML page.",
        discussion: """
            Embeds each checkpoint's item gallery (the cached item map of `tsne --layout map`; the second \
            map aligned onto the first), places the chosen test users' interests on it, and writes a single \
            self-contained page: hover an item for its title, genres and popularity; search titles; pick a \
            user to see its interests as stars, its history coloured by the interest attending to it most, \
            and each interest's top retrieved items ringed; zoom, pan, box-select. The page opens from disk \
            and requests nothing from any server (docs/explorer.md).

            Examples:
              re4-viz explore runs/base/best.safetensors runs/re4/best.safetensors \\
                  --labels Base,Re4 --out explore.html
              re4-viz explore runs/planted/best.safetensors --users 50 --sample 100000 \\
                  --out planted.html

            Interests across training (--epochs): the models are one model's checkpoints in \
            training order, or one run folder trained with --keep-every-epoch (its epoch-NNN files). The map \
            is the last checkpoint's; each earlier checkpoint's interests are placed onto it, and a slider \
            moves a user's interests through the epochs, drawing each interest's path:
              re4-viz explore runs/re4 --epochs --users 50 --out re4-epochs.html
            """)
    @Argument(help: "One or two models (one map each), e.g. Base then Re4: checkpoints, run folders, .pt/.pth state dicts or interest bundle folders.") var checkpoints: [String] = []
    @OptionGroup var arrays: ArrayInputOptions
    @Option(help: "The page to write (.html).") var out: String
    @OptionGroup var data: DataOptions
    @Option(help: "Number of sampled test users on the page.") var users: Int = 200
    @Option(help: "Comma-separated user ids instead of a sample (test users unless --split says otherwise).") var userIds: String?
    // Optional: ArgumentParser would print the default as its raw value ("2").
    @Option(name: .customLong("split"), help: "The split --user-ids must come from (default: test).") var splitGiven: SplitPart?
    var split: SplitPart { splitGiven ?? .test }
    @Option(help: "Map titles, comma-separated (default: the checkpoints' folder names).") var labels: String?
    @Option(help: "Interest space placed on the map: u or z.") var space: UserInterests.Space = .u
    @Option(help: "Place interests by embedding (cosine neighbours) or retrieval (softmax of their scores).") var placeBy: InterestProjection.PlaceBy = .embedding
    @Option(help: "Embed a seeded sample of this many items (default: every item).") var sample: Int?
    @Option(help: "Retrieved items listed and ringed per interest.") var top: Int = 10
    @Option(help: "Page title.") var title: String?
    @OptionGroup var tsne: TSNEOptionGroup
    @Flag(help: "The models are one model's checkpoints across training (or one run folder's epoch-NNN files): a slider moves the users' interests through them.") var epochs = false
    @Flag(help: "Print each stage and the t-SNE's progress on stderr.") var verbose = false

    /// At most this many checkpoints across training on one page.
    static let maxEpochs = 100

    func validate() throws {
        if epochs {
            guard !arrays.given else { throw ValidationError("--epochs takes checkpoints or a run folder, not --interests arrays") }
            guard labels == nil else { throw ValidationError("--epochs names each checkpoint by its epoch; leave out --labels") }
            try ModelArguments.check(models: checkpoints, labels: nil, allowed: 1...Self.maxEpochs)
        } else {
            try ModelArguments.check(models: checkpoints, labels: labels, arrays: arrays, allowed: 1...2)
        }
        guard out.lowercased().hasSuffix(".html") || out.lowercased().hasSuffix(".htm") else {
            throw ValidationError("--out must name an .html file, got '\(out)'")
        }
        guard users >= 0 else { throw ValidationError("--users must be ≥ 0, got \(users)") }
        guard top >= 1 else { throw ValidationError("--top must be ≥ 1, got \(top)") }
        if let s = sample, s < 4 { throw ValidationError("--sample must be ≥ 4, got \(s)") }
    }

    /// With --epochs: the checkpoints in training order (a run folder's epoch-NNN files, by number).
    func epochCheckpoints() throws -> [String] {
        guard checkpoints.count == 1 else { return checkpoints }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: checkpoints[0], isDirectory: &isDir), isDir.boolValue else { return checkpoints }
        let files = try FileManager.default.contentsOfDirectory(atPath: checkpoints[0]).compactMap { f -> (Int, String)? in
            guard f.hasPrefix("epoch-"), f.hasSuffix(".safetensors"), let e = Int(f.dropFirst(6).dropLast(12)) else { return nil }
            return (e, checkpoints[0] + "/" + f)
        }.sorted { $0.0 < $1.0 }
        guard files.count >= 2 else {
            throw ValidationError("\(checkpoints[0]) holds \(files.count) epoch-NNN.safetensors checkpoint\(files.count == 1 ? "" : "s"); --epochs needs a run trained with --keep-every-epoch, or give the checkpoints in order")
        }
        guard files.count <= Self.maxEpochs else { throw ValidationError("\(checkpoints[0]) holds \(files.count) epoch checkpoints; at most \(Self.maxEpochs) fit one page: give a selection in order") }
        return files.map(\.1)
    }

    /// "epoch 7" for an epoch-007 file, else the model's label.
    static func epochLabel(_ input: ModelInput) -> String {
        let name = URL(fileURLWithPath: input.path).lastPathComponent
        if name.hasPrefix("epoch-"), let e = Int(name.dropFirst(6).prefix { $0.isNumber }) { return "epoch \(e)" }
        return input.label
    }

    func run() throws {
        let context = tsne.context(verbose: verbose)
        let models = epochs ? try epochCheckpoints() : checkpoints
        let outputs = try OutputSet(outputs: [out], inputs: ModelArguments.inputPaths(models, labels: labels, data: data, arrays: arrays))
        let opened = try ModelArguments.open(models, labels: labels, data: data, arrays: arrays)
        var panels = opened.panels, across: [Panel] = []
        if epochs {
            // The last checkpoint makes the map; the earlier ones are placed onto it, each named by its epoch.
            for i in panels.indices { panels[i].label = Self.epochLabel(opened.inputs[i]) }
            across = Array(panels.dropLast())
            panels = [panels.last!]
        }
        let ds = opened.dataset
        let chosen = try chooseUsers(ids: userIds, split: split, count: users, seed: context.seed, in: ds)
        var req = Explorer.Request(users: chosen)
        req.map = MapSettings(tsne: tsne.options(defaultMetric: .cosine))
        req.map.space = space; req.map.placeBy = placeBy; req.map.sample = sample
        req.top = top; req.title = title ?? "\(ds.name): " + panels.map(\.label).joined(separator: " | ")
        let page = try Explorer.run(panels: panels, dataset: ds, request: req, context: context, epochs: across)
        try outputs.stage(out, data: Data(page.html.utf8))
        try outputs.commit()
        print("wrote \(out): \(page.summary)")
    }
}
