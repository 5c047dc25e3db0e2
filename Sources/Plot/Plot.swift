import CCairo

/// The Cairo plotting layer (SPEC-figures, "Plot conventions"). No Cairo type
/// leaves this module. (Work in progress: see issue "Cairo plotting layer".)
public enum PlotModule {
    /// The linked Cairo version, e.g. "1.16.0".
    public static var cairoVersion: String { String(cString: cairo_version_string()) }
}
