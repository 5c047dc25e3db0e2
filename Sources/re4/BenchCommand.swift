import Foundation
import ArgumentParser
import Re4CLI
import Re4Core

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time training steps per objective (Base, each flow, Re4) and the machine's sgemm rate.",
        discussion: """
            Example:
              re4 bench --data ml-1m --steps 20 --threads 2
            """)
    @Option(help: "Data set name or path.") var data: String?
    @Option(help: "Time only full-gallery top-50 retrieval on an `re4 export` folder (items.npy, interests.npy).")
    var retrieval: String?
    @Option(help: "Repeats for --retrieval (best is reported).") var repeats: Int = 5
    @OptionGroup var reading: DataReadingOptions
    @OptionGroup var model: ModelOptions
    @Option(help: "Batch size.") var batchSize: Int = 1024
    @Option(help: "Negatives per batch.") var negatives: Int = 5000
    @Option(help: "Timed steps per variant.") var steps: Int = 20
    @Option(help: "Time only these objectives, comma-separated: base, base+att, base+ct, base+cs, re4 (default: all).")
    var variants: String?
    @OptionGroup var threads: ThreadsOption
    @Flag(help: "Print JSON.") var json = false
    @Flag(help: "Only print which OpenBLAS kernel runs the products, and the strongest this CPU allows.") var kernel = false

    func validate() throws {
        guard steps >= 1, batchSize >= 1, negatives >= 1, repeats >= 1 else {
            throw ValidationError("--steps, --batch-size, --negatives and --repeats must be ≥ 1")
        }
        if let v = variantSet, v.isEmpty || v.contains(where: { !StepBenchmark.variantNames.contains($0) }) {
            let bad = v.first(where: { !StepBenchmark.variantNames.contains($0) }).map { "unknown objective '\($0)'" } ?? "no objective given"
            throw ValidationError("--variants: \(bad); use \(StepBenchmark.variantNames.joined(separator: ", "))")
        }
        guard data != nil || retrieval != nil || kernel else { throw ValidationError("give --data (training steps) or --retrieval (an export folder)") }
    }

    var variantSet: Set<String>? { variants.map { Set($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) } }

    func run() throws {
        if kernel {
            print("OpenBLAS kernel \(BLASKernel.current); strongest for this CPU: \(BLASKernel.best(flags: BLASKernel.cpuFlags()) ?? "none named")")
            return
        }
        let t = threads.count
        if let dir = retrieval {
            let r = try StepBenchmark.retrieval(folder: dir, repeats: repeats, threads: t)
            print("{\"impl\":\"re4\",\"users\":\(r.users),\"K\":\(r.interests),\"items\":\(r.items),\"seconds\":\(r.seconds),\"users_per_s\":\(Double(r.users) / r.seconds),\"checksum\":\(r.checksum)}")
            return
        }
        let ds = try reading.source(data!).load()
        let cfg = model.config
        let r = StepBenchmark.run(dataset: ds, base: cfg, batchSize: batchSize, negatives: .uniform(count: negatives), steps: steps, threads: t,
                                    only: variantSet)
        let peak = StepBenchmark.sgemmRate(m: 1024, n: 1024, k: 1024, threads: t)
        let skinny = StepBenchmark.sgemmRate(m: batchSize, n: min(ds.itemCount, negatives), k: cfg.dim, threads: t)
        if json {
            let parts = r.map { "{\"variant\":\"\($0.name)\",\"seconds_per_step\":\($0.secondsPerStep),\"examples_per_s\":\($0.examplesPerSecond)}" }
            print("{\"threads\":\(t),\"sgemm_gflops_1024\":\(peak),\"sgemm_gflops_scoring\":\(skinny),\"variants\":[\(parts.joined(separator: ","))]}")
            return
        }
        print("\(ds.name), batch \(batchSize), K = \(cfg.interests), d = \(cfg.dim), L = \(cfg.maxLength), threads: \(t)")
        for x in r { print(x.name.padding(toLength: 18, withPad: " ", startingAt: 0) + String(format: "%8.1f ms/step  %9.0f ex/s", x.secondsPerStep * 1000, x.examplesPerSecond)) }
        print(String(format: "sgemm rate: %.1f GFLOP/s (1024³), %.1f GFLOP/s (%d×%d×%d scoring shape), OpenBLAS kernel %@", peak, skinny, batchSize, min(ds.itemCount, negatives), cfg.dim, BLASKernel.current))
    }
}
