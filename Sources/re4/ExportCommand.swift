import ArgumentParser
import Re4CLI
import Re4Core

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export item embeddings and a split's interests, attention, histories and top-N to .npy.",
        discussion: """
            Writes into --out: items.npy ((n+1)×d, row 0 = padding), interests_U.npy and interests_Z.npy \
            (users×K×d), attention.npy (users×K×L), histories.npy (users×L item numbers that attention.npy \
            weighs, 0 = padding), top.npy (users×K×N: each interest's top-N items), users.csv (row, user id, \
            split) and items.tsv (item number, raw id, title).

            --format projector writes TensorBoard's Embedding Projector files instead: tensors.tsv (items, \
            then every user's K interests), metadata.tsv (kind, id, title, genres, user, interest) and \
            projector_config.pbtxt.

            Examples:
              re4 export --checkpoint runs/re4/best.safetensors --out exports/re4
              re4 export --checkpoint runs/re4/best.safetensors --format projector \\
                  --out exports/re4-projector
            """)
    @Option(help: "Checkpoint (.safetensors, or a PyTorch .pt/.pth state dict).") var checkpoint: String
    @OptionGroup var data: DataOptions
    @Option(help: "Split whose users are exported: test, valid or train.") var split: SplitPart = .test
    @Option(help: "Items per interest in top.npy.") var top: Int = 50
    @Option(help: "Output folder (created if missing).") var out: String
    @Option(help: "npy (arrays) or projector (TensorBoard's Embedding Projector TSVs).") var format: Export.Format = .npy
    @OptionGroup var threads: ThreadsOption

    func validate() throws {
        guard top >= 1 else { throw ValidationError("--top must be ≥ 1, got \(top)") }
    }

    func run() throws {
        let r = try data.open([checkpoint])
        let n = format == .npy
            ? try Export.write(model: r.models[0], dataset: r.dataset, part: split, top: top, to: out, threads: threads.count,
                               inputs: [checkpoint, r.source.data])
            : try Export.writeProjector(model: r.models[0], dataset: r.dataset, part: split, to: out, threads: threads.count,
                                        inputs: [checkpoint, r.source.data])
        print("exported \(n) \(split.name) users and \(r.dataset.itemCount) items to \(out)")
    }
}
