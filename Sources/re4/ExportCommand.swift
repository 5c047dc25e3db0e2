import ArgumentParser
import Re4CLI
import Re4Core

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export item embeddings and a split's interests, attention, histories and top-N to .npy.",
        discussion: """
            Writes into --out: items.npy ((n+1)×d, row 0 = padding), interests_U.npy and interests_Z.npy
            (users×K×d), attention.npy (users×K×L), histories.npy (users×L item numbers that attention.npy
            weighs, 0 = padding), top.npy (users×K×N: each interest's top-N items), users.csv (row, user id,
            split) and items.tsv (item number, raw id, title).

            Example:
              re4 export --checkpoint runs/re4/best.safetensors --out exports/re4
            """)
    @Option(help: "Checkpoint (.safetensors, or a PyTorch .pt/.pth state dict).") var checkpoint: String
    @OptionGroup var data: DataOptions
    @Option(help: "Split whose users are exported: test, valid or train.") var split: SplitPart = .test
    @Option(help: "Items per interest in top.npy.") var top: Int = 50
    @Option(help: "Output folder (created if missing).") var out: String
    @OptionGroup var threads: ThreadsOption

    func validate() throws {
        guard top >= 1 else { throw ValidationError("--top must be ≥ 1, got \(top)") }
    }

    func run() throws {
        let r = try data.open([checkpoint])
        let n = try Export.write(model: r.models[0], dataset: r.dataset, part: split, top: top, to: out, threads: threads.count,
                                inputs: [checkpoint, r.source.data])
        print("exported \(n) \(split.name) users and \(r.dataset.itemCount) items to \(out)")
    }
}
