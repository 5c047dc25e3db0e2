import ArgumentParser
import XCTest
@testable import re4
@testable import re4_viz

/// Help text wraps once: each prose paragraph of a command's discussion is one
/// source line (ArgumentParser wraps it to the terminal), and each example is a
/// line of at most 78 columns (continued with `\` when longer), so an 80-column
/// terminal shows it unbroken and it copies and pastes as it is.
final class HelpTextTests: XCTestCase {
    func commands(_ c: ParsableCommand.Type) -> [ParsableCommand.Type] {
        [c] + c.configuration.subcommands.flatMap { commands($0) }
    }

    func testEveryCommandsHelpWrapsOnceAndKeepsExamplesWhole() {
        for root in [Re4.self, Re4VizCommand.self] as [ParsableCommand.Type] {
            for c in commands(root) {
                let name = c.configuration.commandName ?? "\(c)"
                let lines = c.configuration.discussion.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                for (i, l) in lines.enumerated() {
                    if l.hasPrefix("  ") {
                        XCTAssertLessThanOrEqual(l.count, 78, "\(name): example longer than 78 columns: \(l)")
                    } else if !l.isEmpty, i + 1 < lines.count, !lines[i + 1].isEmpty, !lines[i + 1].hasPrefix("  "), !l.hasSuffix(":") {
                        XCTFail("\(name): a paragraph broken over source lines (join them with \\): \(l)")
                    }
                }
                let help = root.helpMessage(for: c, columns: 80)
                let shown = Set(help.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) })
                for l in lines where l.hasPrefix("  ") {
                    XCTAssertTrue(shown.contains(l.trimmingCharacters(in: .whitespaces)), "\(name): example not shown whole at 80 columns: \(l)")
                }
            }
        }
    }
}
