/// Gives each distinct byte string a dense number in order of first appearance,
/// without making a `String` per occurrence: an open-addressing table over the
/// keys' bytes, kept in one arena. Reading a log of a million rows makes a
/// `String` only for each distinct user and item (docs/protocol.md § Reading).
struct ByteInterner {
    /// Arena of every distinct key's bytes, and where each starts (count + 1 entries).
    private(set) var bytes: [UInt8] = []
    private(set) var starts: [Int] = [0]
    /// One cache line holds four slots; a slot carries what the probe needs:
    /// the key itself when it fits in 8 bytes (numeric ids do), else its hash,
    /// so a lookup touches the arena only for long keys.
    struct Slot { var tag: UInt64 = 0; var key: UInt32 = 0; var len: UInt32 = 0 }   // key = number + 1, 0 = empty
    private var slots: [Slot]
    private var mask: Int
    /// Canonical decimal keys ("0", "17", "368000"; no sign, no leading zero)
    /// below `directLimit` are numbered through this array indexed by their
    /// value (number + 1, 0 = not seen) instead of the hash table: numeric ids
    /// are the common case, and a lookup is then one access into an array the
    /// size of the largest id, not a probe into a table scattered over memory
    /// (on an 8.9 M-row log with 368k random items that probe was the reader's
    /// largest cost). The limit is fixed, so a key always takes the same path.
    private var direct: [Int32] = []
    static let directLimit = 1 << 22
    /// The last key seen: logs list a user's rows together, so most lookups repeat it.
    private var lastKey: Int32 = -1
    private var lastTag: UInt64 = 0, lastLen = -1

    init(capacity: Int = 1024) {
        var n = 16
        while n < capacity * 2 { n <<= 1 }
        slots = [Slot](repeating: Slot(), count: n); mask = n - 1
    }

    var count: Int { starts.count - 1 }

    @inline(__always)
    static func hash(_ p: UnsafeRawPointer, _ n: Int) -> UInt64 {
        // FNV-1a over 8-byte words, then a final mix: fast and well spread for ids.
        var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ UInt64(n)
        var i = 0
        while i + 8 <= n {
            h = (h ^ p.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x100_0000_01B3
            i += 8
        }
        h = (h ^ tail(p + i, n - i)) &* 0x100_0000_01B3
        h ^= h >> 33; h &*= 0xFF51_AFD7_ED55_8CCD; h ^= h >> 33
        return h
    }

    /// Up to 8 bytes as a little-endian word, zero-padded.
    @inline(__always)
    static func tail(_ p: UnsafeRawPointer, _ n: Int) -> UInt64 {
        if n >= 8 { return p.loadUnaligned(as: UInt64.self) }
        var v: UInt64 = 0
        for i in 0..<n { v |= UInt64(p.load(fromByteOffset: i, as: UInt8.self)) << (8 * UInt64(i)) }
        return v
    }

    /// Byte equality, a word at a time (ids are short; memcmp's call costs more than the compare).
    @inline(__always)
    static func equal(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Bool {
        var i = 0
        while i + 8 <= n {
            if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
            i += 8
        }
        while i < n {
            if a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
            i += 1
        }
        return true
    }

    /// The value of a canonical decimal key of at most 8 digits, else nil.
    @inline(__always)
    static func canonicalDecimal(_ p: UnsafeRawPointer, _ n: Int) -> Int? {
        guard n >= 1, n <= 8 else { return nil }
        let first = p.load(as: UInt8.self)
        if first == 48 { return n == 1 ? 0 : nil }          // "0", but not "007"
        var v = 0
        for i in 0..<n {
            let c = Int(p.load(fromByteOffset: i, as: UInt8.self)) &- 48
            guard c >= 0, c <= 9 else { return nil }
            v = v * 10 + c
        }
        return v
    }

    /// The number of the key `p[0..<n]`, adding it if new.
    @inline(__always)
    mutating func intern(_ p: UnsafeRawPointer, _ n: Int) -> Int32 {
        if let v = Self.canonicalDecimal(p, n), v < Self.directLimit {
            if v < direct.count {
                let k = direct[v]
                if k != 0 { return k - 1 }
            } else {
                let size = Swift.min(Self.directLimit, Swift.max(v + 1, 2 * direct.count, 1024))
                direct.append(contentsOf: repeatElement(0, count: size - direct.count))
            }
            let new = count
            bytes.append(contentsOf: UnsafeRawBufferPointer(start: p, count: n))
            starts.append(bytes.count)
            direct[v] = Int32(new + 1)
            return Int32(new)
        }
        let short = n <= 8
        let h = short ? 0 : Self.hash(p, n)
        let tag = short ? Self.tail(p, n) : h
        if n == lastLen && tag == lastTag && (short || matches(Int(lastKey), p, n)) { return lastKey }
        var s = Int(truncatingIfNeeded: short ? Self.mix(tag ^ UInt64(n)) : h) & mask
        let k: Int32 = slots.withUnsafeBufferPointer { sl in
            while true {
                let v = sl[s]
                if v.key == 0 { return -1 }
                if v.tag == tag && Int(v.len) == n && (short || matches(Int(v.key) - 1, p, n)) { return Int32(v.key) - 1 }
                s = (s + 1) & mask
            }
        }
        if k >= 0 { lastKey = k; lastTag = tag; lastLen = n; return k }
        let new = count
        bytes.append(contentsOf: UnsafeRawBufferPointer(start: p, count: n))
        starts.append(bytes.count)
        slots[s] = Slot(tag: tag, key: UInt32(new + 1), len: UInt32(n))
        if count * 2 > slots.count { grow() }
        lastKey = Int32(new); lastTag = tag; lastLen = n
        return Int32(new)
    }

    @inline(__always) static func mix(_ x: UInt64) -> UInt64 {
        var h = x &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 32; h &*= 0xD6E8_FEB8_6659_FD93; h ^= h >> 32
        return h
    }

    @inline(__always)
    private func matches(_ k: Int, _ p: UnsafeRawPointer, _ n: Int) -> Bool {
        let a = starts[k]
        guard starts[k + 1] - a == n else { return false }
        return n == 0 || bytes.withUnsafeBufferPointer { Self.equal(UnsafeRawPointer($0.baseAddress!) + a, p, n) }
    }

    private mutating func grow() {
        let n = slots.count * 2
        var fresh = [Slot](repeating: Slot(), count: n)
        let m = n - 1
        for v in slots where v.key != 0 {
            let short = v.len <= 8
            var s = Int(truncatingIfNeeded: short ? Self.mix(v.tag ^ UInt64(v.len)) : v.tag) & m
            while fresh[s].key != 0 { s = (s + 1) & m }
            fresh[s] = v
        }
        slots = fresh; mask = m
    }

    func string(_ k: Int) -> String {
        bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[starts[k]..<starts[k + 1]]), as: UTF8.self) }
    }

    var strings: [String] { (0..<count).map(string) }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
