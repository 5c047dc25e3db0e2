import ArgumentParser
import Foundation
import Re4Core

/// The positional MODEL… of every command that looks at models: checkpoints,
/// run folders, PyTorch state dicts and interest bundles, resolved by
/// `ModelInput` (docs/bundle.md). Labels are checked before anything is read.
public enum ModelArguments {
    /// The help text of the positional argument.
    public static let help = ArgumentHelp("Models: checkpoints (.safetensors), run folders, PyTorch state dicts (.pt/.pth) or interest bundle folders.")

    /// `--labels a,b` split and trimmed; nil when not given.
    public static func labels(_ s: String?) -> [String]? {
        s.map { $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } }
    }

    /// Counts that can be checked from the command line alone (for `validate()`).
    public static func check(models: [String], labels: String?, arrays: ArrayInputOptions? = nil, allowed: ClosedRange<Int>? = nil) throws {
        let given = arrays?.given ?? false
        guard models.isEmpty == given else {
            throw ValidationError(given ? "give the models as arguments or as --interests arrays, not both"
                                        : "give one or more models: checkpoints, run folders, .pt/.pth state dicts or interest bundles")
        }
        let count = given ? 1 : models.count
        if let allowed, !allowed.contains(count) {
            throw ValidationError("this command takes \(allowed.lowerBound == allowed.upperBound ? "\(allowed.lowerBound)" : "\(allowed.lowerBound) to \(allowed.upperBound)") model\(allowed.upperBound == 1 ? "" : "s"), got \(count)")
        }
        if let l = self.labels(labels) {
            guard l.count == count else { throw ValidationError("--labels has \(l.count) name\(l.count == 1 ? "" : "s") for \(count) model\(count == 1 ? "" : "s"); give one per model") }
            guard !l.contains(where: \.isEmpty) else { throw ValidationError("--labels has an empty name; give one name per model") }
        }
    }

    /// Every file or folder the models and their data are read from, known before
    /// anything is loaded (for `OutputSet`: no output may replace one of them).
    public static func inputPaths(_ models: [String], labels: String?, data: DataOptions, arrays: ArrayInputOptions? = nil) throws -> [String] {
        if let arrays, arrays.given { return arrays.inputs + (data.data.map { data.reading.source($0).inputPaths } ?? []) }
        let inputs = try ModelInput.resolve(models, labels: self.labels(labels))
        var paths = inputs.flatMap(\.inputFiles)
        if let name = data.data {
            paths += data.reading.source(name).inputPaths
        } else {
            for i in inputs { if let f = i.runFolder, let c = try? RunFolder(f).readConfig() { paths += c.data.inputPaths } }
        }
        return paths
    }

    /// Resolves and opens the models with their data; prints warnings on stderr.
    public static func open(_ models: [String], labels: String?, data: DataOptions, arrays: ArrayInputOptions? = nil) throws -> OpenedModels {
        if let arrays, arrays.given {
            let (m, d) = try arrays.open(data: data)
            let label = self.labels(labels)?.first ?? URL(fileURLWithPath: arrays.interests!).deletingPathExtension().lastPathComponent
            let input = ModelInput(given: arrays.interests!, path: arrays.interests!, kind: .arrays, runFolder: nil, label: label)
            return OpenedModels(dataset: d, models: [m], inputs: [input], source: data.data.map { data.reading.source($0) })
        }
        let inputs = try ModelInput.resolve(models, labels: self.labels(labels))
        let r = try OpenedModels.open(inputs, request: data.request, allowMismatch: data.allowMismatch, fallback: data.fallback(),
                                      maxLength: data.maxLength ?? 20)
        for w in r.warnings { printError("warning: " + w) }
        return r
    }
}
