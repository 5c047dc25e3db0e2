import Foundation

/// What the PyTorch reader (`TorchCheckpoint`, `Unpickler`) refuses, in one line each.
public enum TorchCheckpointError: LocalizedError, Equatable {
    case malformed(file: String, what: String)
    case forbiddenGlobal(file: String, name: String)
    case notAStateDict(file: String, found: String)

    public var errorDescription: String? {
        switch self {
        case .malformed(let f, let w): return "\(f): not a readable PyTorch checkpoint: \(w)"
        case .forbiddenGlobal(let f, let n):
            return "\(f): the pickle asks for '\(n)', which a state dict never needs; refused and nothing was run (only tensors, storages and OrderedDict are read)"
        case .notAStateDict(let f, let w): return "\(f): not a state dict of tensors: found \(w)"
        }
    }
}
