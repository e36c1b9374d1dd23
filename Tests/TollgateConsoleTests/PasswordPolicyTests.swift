import Testing

@testable import TollgateConsole

@Suite("Console passwords and enrolment tokens")
struct PasswordPolicyTests {
    let policy: PasswordPolicy

    init() throws {
        policy = try PasswordPolicy.bundled()
    }

    @Test("at least 12 characters, at most 128, not common, not the user's name")
    func rules() {
        #expect(policy.listSize > 100)
        #expect(throws: PasswordPolicy.Refusal.tooShort) { try policy.check("Sh0rt!pass", user: "ana") }
        #expect(throws: PasswordPolicy.Refusal.tooLong) { try policy.check(String(repeating: "x", count: 129), user: "ana") }
        #expect(throws: PasswordPolicy.Refusal.common) { try policy.check("Password1234", user: "ana") }
        #expect(throws: PasswordPolicy.Refusal.common) { try policy.check("WELCOME2026!", user: "ana") }
        #expect(throws: PasswordPolicy.Refusal.sameAsName) { try policy.check("ana.lopez.admin", user: "ana.lopez.admin") }
        #expect(throws: Never.self) { try policy.check("plum-harbor-lantern-7", user: "ana") }
    }

    @Test("enrolment tokens: random, shown once, stored as SHA-256")
    func tokens() {
        let first = EnrolmentToken(), second = EnrolmentToken()
        #expect(first.text != second.text && first.text.count == 43)
        #expect(first.hash.count == 64 && first.hash == EnrolmentToken.hash(first.text) && first.hash != first.text)
    }

    @Test("user names", arguments: [("ana", true), ("ana.lopez", true), ("noc-2", true), ("", false), ("Ana", false), ("2ana", false),
                                     ("ana lopez", false), ("ana<script>", false), (String(repeating: "a", count: 33), false)])
    func names(name: String, valid: Bool) {
        #expect(EnrolmentToken.isValidUserName(name) == valid)
    }
}
