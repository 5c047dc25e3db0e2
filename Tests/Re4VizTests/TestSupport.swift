import Foundation

/// A new, empty temporary folder for one test.
func makeTempDir(_ prefix: String = "re4viz") -> String {
    let p = NSTemporaryDirectory() + "\(prefix)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    try! FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
    return p
}
