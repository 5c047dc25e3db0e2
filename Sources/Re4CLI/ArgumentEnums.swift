import ArgumentParser
import Re4Core
import TSNE

// The library's option enums, spelled on the command line by their raw values.
extension EncoderKind: ExpressibleByArgument {}
extension ItemOrder: ExpressibleByArgument {}
extension ExampleSampling: ExpressibleByArgument {}
extension Export.Format: ExpressibleByArgument {}
extension GradientMethod: ExpressibleByArgument {}
extension TSNEMetric: ExpressibleByArgument {}
extension TSNEOptions.Initialization: ExpressibleByArgument {}
extension TSNEOptions.BHCell: ExpressibleByArgument {}

extension SplitPart: ExpressibleByArgument {
    public init?(argument: String) {
        guard let p = SplitPart.allCases.first(where: { $0.name == argument }) else { return nil }
        self = p
    }
    public var defaultValueDescription: String { name }
    public static var allValueStrings: [String] { allCases.map(\.name) }
}
extension SampledSoftmax.Sampler: ExpressibleByArgument {}
