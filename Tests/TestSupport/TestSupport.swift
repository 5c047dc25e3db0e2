import Foundation
import XCTest

/// A fresh temporary folder for one test.
public func makeTempDir(_ name: String = #function) -> String {
    let p = NSTemporaryDirectory() + "re4-tests-\(getpid())-\(name.filter { $0.isLetter || $0.isNumber })-\(UInt32.random(in: 0...UInt32.max))"
    try! FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
    return p
}

/// Writes `text` to `path`, replacing it.
public func write(_ text: String, _ path: String) { try! Data(text.utf8).write(to: URL(fileURLWithPath: path)) }

/// Asserts that `body` throws an error whose one-line message contains every fragment.
public func assertThrowsMessage<T>(_ fragments: [String], file: StaticString = #filePath, line: UInt = #line,
                                   _ body: () throws -> T) {
    do {
        _ = try body()
        XCTFail("expected an error containing \(fragments)", file: file, line: line)
    } catch {
        let m = (error as? LocalizedError)?.errorDescription ?? "\(error)"
        for f in fragments where !m.contains(f) {
            XCTFail("error '\(m)' does not contain '\(f)'", file: file, line: line)
        }
        XCTAssertFalse(m.contains("\n"), "error message must be one line: \(m)", file: file, line: line)
    }
}

/// Runs python3 with a script; returns (exit status, stdout+stderr).
@discardableResult
public func runPython(_ script: String, args: [String] = []) -> (Int32, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", "-c", script] + args
    let pipe = Pipe()
    p.standardOutput = pipe; p.standardError = pipe
    do { try p.run() } catch { return (-1, "cannot run python3: \(error)") }
    let out = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: out, as: UTF8.self))
}

/// Runs an executable; returns its exit status, stdout and stderr.
public func runExecutable(_ path: String, _ args: [String], environment: [String: String]? = nil) throws
    -> (status: Int32, out: String, err: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = args
    if let environment { p.environment = environment }
    let o = Pipe(), e = Pipe()
    p.standardOutput = o; p.standardError = e
    try p.run()
    let od = o.fileHandleForReading.readDataToEndOfFile(), ed = e.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: od, as: UTF8.self), String(decoding: ed, as: UTF8.self))
}

/// The one way tests find an executable (`re4`, `re4-viz`): beside the test
/// bundle, where `swift build` puts it. Skips the test when it is missing,
/// and fails it under CI.
public func builtExecutable(_ name: String) throws -> String {
    let path = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name).path
    guard FileManager.default.isExecutableFile(atPath: path) else {
        if ProcessInfo.processInfo.environment["CI"] != nil { XCTFail("\(name) is not built at \(path)") }
        throw XCTSkip("\(name) is not built at \(path) (make test builds it)")
    }
    return path
}

/// The repository's top folder (for committed fixtures and data).
public let repositoryRoot: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().path

/// Lines a job reports (an `AnalysisContext`'s progress), collected for a test.
public final class LineLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    public init() {}
    public func append(_ line: String) { lock.lock(); stored.append(line); lock.unlock() }
    public var lines: [String] { lock.lock(); defer { lock.unlock() }; return stored }
}
