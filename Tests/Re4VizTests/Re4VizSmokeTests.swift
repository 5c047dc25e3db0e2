import XCTest
@testable import Re4Viz

final class Re4VizSmokeTests: XCTestCase {
    func testModuleLinks() {
        XCTAssertFalse(String(describing: Re4VizModule.self).isEmpty)
    }
}
