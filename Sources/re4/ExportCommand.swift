import ArgumentParser
import Re4CLI
import Re4Core

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export item embeddings and a split's interests, attention, histories and top-N to .npy.",
        discussion: """
            Writes an interest bundle into --out (docs/bundle.md), which every analysis command takes as a \
            model: bundle.json, interests.npy (U, users×K×d), items.npy ((n+1)×d, row 0 = padding), \
            histories.npy (users×L item numbers that attention.npy weighs, 0 = padding), attention.npy \
            (users×K×L), users.csv (row, user id, split), items.csv (id, title, genres); and beside them \
            interests_Z.npy (raw interests), top.npy (users×K×N: each interest's top-N items) and items.tsv.

            --format projector writes TensorBoard's Embedding Projector files instead: tensors.tsv (items, \
            then every user's K interests), metadata.tsv (kind, id, title, genres, user, interest) and \
            projector_config.pbtxt.

            Examples:
              re4 export runs/re4 --out exports/re4
              re4-viz distinct exports/re4 --data ml-latest-small
              re4 export runs/re4/best.safetensors --format projector \\
                  --out exports/re4-projector
            """)
    @Argument(help: "The model: a checkpoint, a run folder or a PyTorch .pt/.pth state dict.") var model: String?
    @Option(help: "The same as the argument (the older spelling).") var checkpoint: String?
    @OptionGroup var data: DataOptions
    // Optional: ArgumentParser would print the default as its raw value ("2").
    @Option(name: .customLong("split"), help: "Split whose users are exported: test, valid or train (default: test).") var splitGiven: SplitPart?
    var split: SplitPart { splitGiven ?? .test }
    @Option(help: "Items per interest in top.npy.") var top: Int = 50
    @Option(help: "Output folder (created if missing).") var out: String
    @Option(help: "npy (arrays) or projector (TensorBoard's Embedding Projector TSVs).") var format: Export.Format = .npy
    @OptionGroup var threads: ThreadsOption

    func validate() throws {
        guard top >= 1 else { throw ValidationError("--top must be ≥ 1, got \(top)") }
        guard (model == nil) != (checkpoint == nil) else { throw ValidationError("give the model once: as the argument or as --checkpoint") }
    }

    func run() throws {
        let input = try ModelInput.resolve(model ?? checkpoint!)
        guard input.kind != .bundle else { throw ValidationError("\(input.given) is an interest bundle already; nothing to export") }
        let r = try data.open([input.path])
        let n = format == .npy
            ? try Export.write(model: r.models[0], dataset: r.dataset, part: split, top: top, to: out, threads: threads.count,
                               inputs: input.inputFiles + r.source.inputPaths, name: input.label)
            : try Export.writeProjector(model: r.models[0], dataset: r.dataset, part: split, to: out, threads: threads.count,
                                        inputs: input.inputFiles + r.source.inputPaths)
        print("exported \(n) \(split.name) users and \(r.dataset.itemCount) items to \(out)")
    }
}
