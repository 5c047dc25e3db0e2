import Foundation

/// Titles and categories (genres) of items, keyed by raw item id.
public struct ItemSideInfo: Sendable, Equatable {
    public var titles: [String: String] = [:]
    public var categories: [String: [String]] = [:]
    public init() {}

    /// MovieLens `movies.csv`: `movieId,title,genres` with genres separated by `|`;
    /// "(no genres listed)" means none. The synthetic `items.csv`
    /// (`item,title,categories`) has the same layout.
    public static func readMovieLensMovies(path: String) throws -> ItemSideInfo {
        let data = try readFile(path)
        var info = ItemSideInfo()
        var first = true
        try data.withUnsafeBytes { raw in
            try DelimitedText(delimiter: ",", quotes: true).forEachRow(in: raw) { line, f in
                if first { first = false; if f.first == "movieId" || f.first == "item" { return } }
                guard f.count >= 3 else {
                    throw DataError.missingColumn(file: path, line: line, column: "genres", found: f.count)
                }
                let id = String(f[0])
                info.titles[id] = String(f[1])
                info.categories[id] = f[2] == "(no genres listed)" ? [] : f[2].split(separator: "|").map(String.init)
            }
        }
        if info.titles.isEmpty { throw DataError.empty(file: path) }
        return info
    }

    /// RecBole atomic `.item`: tab-separated typed header; the id column is
    /// `item_id`, the title `movie_title`, and the categories the first column
    /// named `genre` or `class` (space-separated tokens).
    public static func readRecBoleItems(path: String) throws -> ItemSideInfo {
        let data = try readFile(path)
        var info = ItemSideInfo()
        var idCol = -1, titleCol = -1, catCol = -1
        var first = true
        try data.withUnsafeBytes { raw in
            try DelimitedText(delimiter: "\t", quotes: false).forEachRow(in: raw) { line, f in
                if first {
                    first = false
                    let names = f.map { String($0.split(separator: ":").first ?? "") }
                    idCol = names.firstIndex(of: "item_id") ?? -1
                    titleCol = names.firstIndex(of: "movie_title") ?? -1
                    catCol = names.firstIndex { $0 == "genre" || $0 == "class" } ?? -1
                    if idCol < 0 { throw DataError.missingColumn(file: path, line: line, column: "item_id", found: f.count) }
                    return
                }
                guard f.count > idCol else {
                    throw DataError.missingColumn(file: path, line: line, column: "item_id", found: f.count)
                }
                let id = String(f[idCol])
                if titleCol >= 0 && f.count > titleCol { info.titles[id] = String(f[titleCol]) }
                if catCol >= 0 && f.count > catCol { info.categories[id] = f[catCol].split(separator: " ").map(String.init) }
            }
        }
        if first { throw DataError.empty(file: path) }
        return info
    }
}
