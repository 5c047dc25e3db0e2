import Crypto
import Foundation

extension Dataset {
    /// Separate hashes of what the fingerprint covers, so a mismatch can say
    /// which part differs (16 hex digits each).
    public struct FingerprintParts: Codable, Sendable, Equatable {
        /// The item map (raw ids in number order).
        public var items: String
        /// The users' time-sorted sequences.
        public var interactions: String
        /// The train/valid/test assignment of every user.
        public var split: String
    }

    /// A content fingerprint: SHA-256 over the item map, the sequences and the
    /// split, first 16 hex digits. Checkpoints carry it so that tools can tell
    /// whether a model was trained on this data. (The byte layout is that of
    /// version 1; checkpoints written since then carry the same value.)
    public var fingerprint: String {
        var h = SHA256()
        hashItems(into: &h)
        for (u, s) in sequences.enumerated() {
            h.update(data: [split[u].rawValue])
            hashSequence(s, into: &h)
        }
        return Digest.hex(h.finalize(), bytes: 8)
    }

    public var fingerprintParts: FingerprintParts {
        var items = SHA256(), inter = SHA256(), parts = SHA256()
        hashItems(into: &items)
        for s in sequences { hashSequence(s, into: &inter) }
        parts.update(data: split.map(\.rawValue))
        return FingerprintParts(items: Digest.hex(items.finalize(), bytes: 8), interactions: Digest.hex(inter.finalize(), bytes: 8),
                                split: Digest.hex(parts.finalize(), bytes: 8))
    }

    private func hashItems(into h: inout SHA256) {
        h.update(data: Array("re4-dataset-v1 \(itemIDs.count)\n".utf8))
        for id in itemIDs { h.update(data: Array(id.utf8)); h.update(data: [0x0A]) }
    }

    private func hashSequence(_ s: [Int32], into h: inout SHA256) {
        var n = UInt32(s.count).littleEndian
        withUnsafeBytes(of: &n) { h.update(bufferPointer: $0) }
        s.withUnsafeBytes { h.update(bufferPointer: $0) }
    }
}
