import Foundation
import TestSupport
@testable import Re4Core

/// A seeded `user,item,time` CSV: `users` users with 20 + [0, extra) interactions
/// each over `items` items, written to `path`.
func writeSyntheticInteractions(_ path: String, users: Int, extra: Int, items: Int, seed: UInt64) {
    var rng = SeededRandom(seed: seed)
    var rows = ""
    for u in 0..<users { for t in 0..<(20 + rng.below(extra)) { rows += "u\(u),i\(rng.below(items)),\(t)\n" } }
    write(rows, path)
}
