import XCTest
@testable import Plot

final class PlotSmokeTests: XCTestCase {
    func testCairoIsLinked() {
        XCTAssertTrue(PlotModule.cairoVersion.hasPrefix("1."), PlotModule.cairoVersion)
    }
}
