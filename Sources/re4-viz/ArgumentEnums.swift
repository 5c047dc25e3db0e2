import ArgumentParser
import Plot
import Re4Viz

// Re4Viz's option enums, spelled on the command line by their raw values.
extension InterestMap.Kind: ExpressibleByArgument {}
extension InterestProjection.Layout: ExpressibleByArgument {}
extension UserInterests.Space: ExpressibleByArgument {}
extension Distinctness.Format: ExpressibleByArgument {}
extension Comparison.Format: ExpressibleByArgument {}
extension Palette: ExpressibleByArgument {}
extension InterestProjection.PlaceBy: ExpressibleByArgument {}
extension InterestProjection.ItemChoice: ExpressibleByArgument {}

import Re4Core
extension LogTable.PerEpoch: ExpressibleByArgument {}
