import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Headless Chromium for the explorer's tests: loads a page from disk with
/// every request routed through a proxy that only counts connections (so a
/// page that reaches for the network is caught, not assumed innocent).
struct Chromium {
    let path: String

    /// Chromium from Debian (`make test` installs it). Missing, it fails the
    /// test, unless RE4_SKIP_BROWSER_TESTS=1 says to skip.
    static func find() throws -> Chromium {
        let env = ProcessInfo.processInfo.environment
        let candidates = [env["RE4_CHROMIUM"], "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].compactMap { $0 }
        if let p = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) { return Chromium(path: p) }
        if env["RE4_SKIP_BROWSER_TESTS"] == "1" { throw XCTSkip("no Chromium; RE4_SKIP_BROWSER_TESTS=1") }
        XCTFail("no Chromium at \(candidates.joined(separator: ", ")): `make test` installs the Debian package `chromium`")
        throw XCTSkip("no Chromium")
    }

    struct Result {
        var dom: String
        var connections: Int
        /// First line of every request the proxy saw.
        var requests: [String]
        var status: Int32
        /// The requests not made by Chromium itself: those to hosts other than its own services.
        var pageRequests: [String] { requests.filter { !Chromium.ownHosts.contains(Chromium.host(of: $0) ?? "") } }
    }

    /// Hosts the browser contacts on its own, even on about:blank and with every
    /// background feature switched off (component updates, sign-in, network
    /// time); `testTheBrowsersOwnTrafficIsKnown` checks the list on about:blank.
    static let ownHosts: Set<String> = ["update.googleapis.com", "accounts.google.com", "clients2.google.com",
                                        "clientservices.googleapis.com", "redirector.gvt1.com", "edgedl.me.gvt1.com"]

    /// The host of a proxied request line: `CONNECT host:443 …` or `GET http://host/path …`.
    static func host(of line: String) -> String? {
        let f = line.split(separator: " ")
        guard f.count >= 2 else { return nil }
        var t = Substring(f[1])
        if let r = t.range(of: "://") { t = t[r.upperBound...] }
        return t.split(separator: "/").first?.split(separator: ":").first.map(String.init)
    }

    /// Runs Chromium on `url` with `mode` (["--dump-dom"] or ["--screenshot=…"]).
    func run(_ url: String, mode: [String], window: (Int, Int) = (1400, 860), timeout: TimeInterval = 90) throws -> Result {
        let proxy = try CountingProxy()
        defer { proxy.close() }
        let profile = NSTemporaryDirectory() + "re4-chromium-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: profile) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = ["--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--mute-audio",
                       "--disable-background-networking", "--disable-component-update", "--disable-sync",
                       "--disable-default-apps", "--disable-extensions", "--no-first-run", "--no-default-browser-check",
                       "--proxy-server=http://127.0.0.1:\(proxy.port)", "--proxy-bypass-list=<-loopback>",
                       "--user-data-dir=\(profile)", "--window-size=\(window.0),\(window.1)",
                       "--virtual-time-budget=15000"] + mode + [url]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try p.run()
        let deadline = DispatchTime.now() + timeout
        DispatchQueue.global().asyncAfter(deadline: deadline) { if p.isRunning { p.terminate() } }
        let dom = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(dom: String(decoding: dom, as: UTF8.self), connections: proxy.connections, requests: proxy.requestLines, status: p.terminationStatus)
    }

    /// The JSON the page's self-test leaves in `<pre id="selftest-result">`.
    static func selfTest(_ dom: String) throws -> [String: Any] {
        guard let a = dom.range(of: "<pre id=\"selftest-result\">"), let b = dom.range(of: "</pre>", range: a.upperBound..<dom.endIndex) else {
            // Chromium gave nothing back (it could not run here): skipped. It gave the page back
            // without the result: the page's script stopped — a failure of the page, not of the machine.
            if dom.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw XCTSkip("Chromium returned no DOM") }
            throw PageError(message: "the page loaded but its self-test left no result (a script error stopped it); DOM begins: \(dom.prefix(300))")
        }
        let text = String(dom[a.upperBound..<b.lowerBound]).replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
        return try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
    }
}

/// A TCP listener on 127.0.0.1 that accepts, counts and closes every connection.
final class CountingProxy: @unchecked Sendable {
    let fd: Int32
    let port: Int
    private let lock = NSLock()
    private var count = 0
    private var requests: [String] = []
    private var closed = false

    init() throws {
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(s, 64) == 0 else { throw XCTSkip("cannot listen on 127.0.0.1") }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(s, $0, &len) } }
        fd = s
        port = Int(UInt16(bigEndian: addr.sin_port))
        let listener = fd
        Thread.detachNewThread { [self] in
            while true {
                let c = accept(listener, nil, nil)
                if c < 0 { return }
                var buf = [UInt8](repeating: 0, count: 512)
                var tv = timeval(tv_sec: 1, tv_usec: 0)
                setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
                let got = recv(c, &buf, buf.count, 0)
                let line = String(decoding: buf.prefix(max(0, got)), as: UTF8.self).split(separator: "\r\n").first.map(String.init) ?? "(nothing sent)"
                lock.lock(); count += 1; requests.append(line); lock.unlock()
                Glibc.close(c)
            }
        }
    }

    var connections: Int { lock.lock(); defer { lock.unlock() }; return count }
    /// The first line of each connection's request (`CONNECT host:443 HTTP/1.1`, `GET http://… HTTP/1.1`).
    var requestLines: [String] { lock.lock(); defer { lock.unlock() }; return requests }

    func close() {
        lock.lock(); defer { lock.unlock() }
        if !closed { closed = true; shutdown(fd, Int32(SHUT_RDWR)); Glibc.close(fd) }
    }
}

/// A page that loaded in the browser but whose script did not finish.
struct PageError: Error, CustomStringConvertible { var message: String; var description: String { message } }
