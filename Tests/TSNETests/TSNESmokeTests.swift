import XCTest
@testable import TSNE

final class TSNESmokeTests: XCTestCase {
    func testModuleLinks() {
        XCTAssertFalse(String(describing: TSNEModule.self).isEmpty)
    }
}
