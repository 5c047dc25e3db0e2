import ArgumentParser
import Foundation
import Re4CLI
import Re4Core

struct DataStatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Print users, items, interactions, sequence lengths, time span and split sizes.",
        discussion: """
            DATA is a name (ml-latest-small, ml-1m, ml-100k) or a path: a MovieLens folder or \
            ratings.csv/ratings.dat (movies.csv beside it gives genres), a RecBole .inter file, ComiRec \
            NAME_train.txt, or a CSV user,item,timestamp.

            Examples:
              re4 data stats ml-latest-small
              re4 data stats ratings.csv --columns 1,2,4 --json
            """)
    @Argument(help: "Data set name or path.") var data: String
    @OptionGroup var reading: DataReadingOptions
    @Flag(help: "Print JSON instead of a table.") var json = false

    func run() throws {
        let s = DatasetStats(try reading.source(data).load())
        if json {
            let enc = JSONEncoder(); enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try enc.encode(s), as: UTF8.self))
        } else {
            print(s.text)
        }
    }
}
