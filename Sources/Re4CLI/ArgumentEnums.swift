import ArgumentParser
import Re4Core
import TSNE

// The library's option enums, spelled on the command line by their raw values.
extension EncoderKind: ExpressibleByArgument {
    /// `--encoder` is `re4 train`'s: only the encoders it trains are offered (the
    /// PyTorch port's are read from checkpoints, and refused with a reason if named).
    public static var allValueStrings: [String] { trainable.map(\.rawValue) }
}
extension ItemOrder: ExpressibleByArgument {}
extension ExampleSampling: ExpressibleByArgument {}
extension Export.Format: ExpressibleByArgument {}
extension GradientMethod: ExpressibleByArgument {}
extension TSNEMetric: ExpressibleByArgument {}
extension TSNEOptions.Initialization: ExpressibleByArgument {}
extension TSNEOptions.NeighborSearch: ExpressibleByArgument {}
extension TSNEOptions.BHCell: ExpressibleByArgument {}

extension SplitPart: ExpressibleByArgument {
    public init?(argument: String) {
        guard let p = SplitPart.allCases.first(where: { $0.name == argument }) else { return nil }
        self = p
    }
    public var defaultValueDescription: String { name }
    public static var allValueStrings: [String] { allCases.map(\.name) }
    public static var allValueDescriptions: [String: String] {
        ["train": "the training users", "valid": "the validation users", "test": "the test users"]
    }
}
extension SampledSoftmax.Sampler: ExpressibleByArgument {}
