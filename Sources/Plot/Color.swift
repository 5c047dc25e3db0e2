/// An RGBA colour, components in 0...1.
public struct Color: Sendable, Equatable, Hashable {
    public var r: Double, g: Double, b: Double, a: Double
    public init(r: Double, g: Double, b: Double, a: Double = 1) { self.r = r; self.g = g; self.b = b; self.a = a }

    /// From a hex string "#1f77b4".
    public init(hex: String) {
        let s = hex.hasPrefix("#") ? String(hex.dropFirst()) : hex
        let v = UInt32(s, radix: 16) ?? 0
        self.init(r: Double((v >> 16) & 0xff) / 255, g: Double((v >> 8) & 0xff) / 255, b: Double(v & 0xff) / 255)
    }

    public func withAlpha(_ a: Double) -> Color { Color(r: r, g: g, b: b, a: a) }

    /// Mixed towards white by `amount` (0 = unchanged, 1 = white): a lighter shade of the same hue.
    public func lighter(_ amount: Double) -> Color {
        Color(r: r + (1 - r) * amount, g: g + (1 - g) * amount, b: b + (1 - b) * amount, a: a)
    }

    /// Mixed towards black by `amount`.
    public func darker(_ amount: Double) -> Color { Color(r: r * (1 - amount), g: g * (1 - amount), b: b * (1 - amount), a: a) }

    public static let black = Color(r: 0, g: 0, b: 0)
    public static let white = Color(r: 1, g: 1, b: 1)
    public static let gray = Color(hex: "#808080")
}

/// Colour cycles.
public enum Palette: String, Sendable, CaseIterable {
    /// matplotlib's default cycle ("tab10").
    case tab10
    /// Okabe & Ito's colour-blind-safe palette.
    case okabeIto = "okabe-ito"

    static let tab10Colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"].map(Color.init(hex:))
    static let okabeItoColors = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"].map(Color.init(hex:))

    public var colors: [Color] { self == .tab10 ? Palette.tab10Colors : Palette.okabeItoColors }

    public func color(_ i: Int) -> Color { colors[((i % colors.count) + colors.count) % colors.count] }

    /// matplotlib's "tab20": tab10's hues, each in a dark and a light shade.
    public static let tab20Colors = ["#1f77b4", "#aec7e8", "#ff7f0e", "#ffbb78", "#2ca02c", "#98df8a", "#d62728", "#ff9896",
                                     "#9467bd", "#c5b0d5", "#8c564b", "#c49c94", "#e377c2", "#f7b6d2", "#7f7f7f", "#c7c7c7",
                                     "#bcbd22", "#dbdb8d", "#17becf", "#9edae5"].map(Color.init(hex:))

    /// `count` colours that stay apart: tab10 up to 10, tab20 up to 20, and past
    /// that hues a golden angle apart at three lightness levels (no two equal).
    public static func categorical(_ count: Int) -> [Color] {
        if count <= 10 { return Array(tab10Colors.prefix(count)) }
        if count <= 20 { return Array(tab20Colors.prefix(count)) }
        return (0..<count).map { i in
            let h = (Double(i) * 137.507_764).truncatingRemainder(dividingBy: 360) / 60
            let v = [0.85, 0.6, 0.95][i % 3], s = [0.75, 0.9, 0.45][i % 3]
            let c = v * s, x = c * (1 - abs(h.truncatingRemainder(dividingBy: 2) - 1)), m = v - c
            let (r, g, b): (Double, Double, Double) = switch Int(h) {
                case 0: (c, x, 0)
                case 1: (x, c, 0)
                case 2: (0, c, x)
                case 3: (0, x, c)
                case 4: (x, 0, c)
                default: (c, 0, x)
            }
            return Color(r: r + m, g: g + m, b: b + m)
        }
    }
}
