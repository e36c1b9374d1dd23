import Foundation
import TollgateFraud
import TollgateTestSupport

/// A generated month of an office's outbound calls, of one of several shapes, with frauds of each
/// kind injected in its last ten days; written as Asterisk's Master.csv or FreeSWITCH's CSV (rows in
/// end order, times in UTC). Deterministic for a seed.
///
/// Shapes:
/// - `quiet`: twelve desks (200–211), weekdays 9:00–17:00, a few national and mobile calls each a
///   day; two of them call Germany or France now and then; Fridays are lighter and one Monday is a
///   holiday with no calls.
/// - `sales`: ten sales people (300–309), weekdays 8:00–18:00, thirty to forty-five calls a day each,
///   half of them abroad to eight European and North American countries: busier abroad than the
///   default warning levels allow, under their critical levels.
/// - `nightDesk`: six support agents (400–405), every night 22:00–06:00, national and mobile calls;
///   one of them calls the United States every night.
struct OfficeMonth {
    enum Shape: String, CaseIterable {
        case quiet, sales, nightDesk
    }

    struct Call {
        var account: String
        var dialled: String
        var start: Date
        var ring: TimeInterval
        /// nil: not answered.
        var talk: TimeInterval?

        var answer: Date? { talk.map { _ in start.addingTimeInterval(ring) } }
        var end: Date { start.addingTimeInterval(ring + (talk ?? 0)) }
    }

    /// A fraud put into the month: its kind, the accounts it uses (`*` for a global one) and when.
    struct Fraud {
        var kind: String
        var accounts: [String]
        var from: Date
        var to: Date
    }

    /// 2026-01-05, a Monday, 00:00 UTC.
    static let monthStart = Date(timeIntervalSince1970: 1_767_571_200)
    static let days = 35

    var shape: Shape
    var calls: [Call] = []
    var frauds: [Fraud] = []
    private var random: SeededGenerator

    init(shape: Shape, seed: UInt64) {
        self.shape = shape
        random = SeededGenerator(seed: seed)
        switch shape {
        case .quiet: quietOffice()
        case .sales: salesTeam()
        case .nightDesk: nightDesk()
        }
        calls.sort { $0.end < $1.end }
    }

    static func at(day: Int, hour: Int, minute: Int = 0, second: Int = 0) -> Date {
        monthStart.addingTimeInterval(Double(day * 86_400 + hour * 3_600 + minute * 60 + second))
    }

    // MARK: - Numbers

    private mutating func digits(_ count: Int) -> String {
        String((0..<count).map { _ in Character(String(Int.random(in: 0...9, using: &random))) })
    }

    private mutating func national() -> String {
        Bool.random(using: &random) ? "01632960" + digits(3) : "07700900" + digits(3)
    }

    /// A number in one of `countries`, outside their premium-rate ranges (which start with 8 or 9).
    private mutating func abroad(_ countries: [String]) -> String {
        "00" + countries[Int.random(in: 0..<countries.count, using: &random)] + String(Int.random(in: 1...7, using: &random)) + digits(7)
    }

    /// `count` ordinary calls of one person, one after the other, spread over the hours from `from`
    /// (on `day`) for `hours` hours; `dialled` picks each number.
    private mutating func workday(_ account: String, day: Int, from: Int, hours: Int, count: Int, talk: ClosedRange<Int> = 20...600,
                                  dialled: (inout OfficeMonth) -> String) {
        guard count > 0 else { return }
        let end = Self.at(day: day, hour: from).addingTimeInterval(Double(hours * 3_600))
        var cursor = Self.at(day: day, hour: from)
        let gap = Double(hours * 3_600) / Double(count)
        for _ in 0..<count {
            cursor.addTimeInterval(Double.random(in: 0...(gap * 0.6), using: &random))
            guard cursor < end else { return }
            let number = dialled(&self)
            let answered = Int.random(in: 0..<10, using: &random) < 8
            let call = Call(account: account, dialled: number, start: cursor, ring: Double(Int.random(in: 3...20, using: &random)),
                            talk: answered ? Double(Int.random(in: talk, using: &random)) : nil)
            calls.append(call)
            cursor = call.end.addingTimeInterval(Double.random(in: 10...(gap * 0.4 + 10), using: &random))
        }
    }

    // MARK: - Shapes

    private mutating func quietOffice() {
        let accounts = (200...211).map(String.init)
        for day in 0..<Self.days where day % 7 < 5 && day != 14 {  // weekdays; day 14 is a holiday
            for account in accounts {
                let count = Int.random(in: day % 7 == 4 ? 1...3 : 2...6, using: &random)
                let callsAbroad = account == "201" || account == "202"
                workday(account, day: day, from: 9, hours: 8, count: count) { office in
                    callsAbroad && Int.random(in: 0..<6, using: &office.random) == 0 ? office.abroad(["49", "33"]) : office.national()
                }
            }
        }
        // A night burst to a satellite range from a desk that never calls abroad.
        burst("203", day: 24, hour: 2, count: 25, spacing: 200, kind: "night burst") { $0.abroad(["882"]) }
        // Probing: short calls to a high-risk range, then a long call there.
        var probeStart = Self.at(day: 27, hour: 11, minute: 5)
        for _ in 0..<6 {
            calls.append(Call(account: "205", dialled: abroad(["3719"]), start: probeStart, ring: 4, talk: 4))
            probeStart.addTimeInterval(150)
        }
        calls.append(Call(account: "205", dialled: abroad(["3719"]), start: probeStart, ring: 5, talk: 7_200))
        frauds.append(Fraud(kind: "probing then a long call", accounts: ["205"], from: Self.at(day: 27, hour: 11), to: probeStart.addingTimeInterval(7_205)))
        // A concurrency spike: ten calls abroad at once.
        let spike = Self.at(day: 29, hour: 14, minute: 10)
        for index in 0..<10 {
            calls.append(Call(account: "207", dialled: abroad(["49", "1212"]), start: spike.addingTimeInterval(Double(index) * 5), ring: 5,
                              talk: 1_800))
        }
        frauds.append(Fraud(kind: "concurrency spike", accounts: ["207"], from: spike, to: spike.addingTimeInterval(1_900)))
        // Low and slow: a UK premium-rate call every two hours for three days.
        let slow = Self.at(day: 30, hour: 0, minute: 17)
        for index in 0..<36 {
            calls.append(Call(account: "209", dialled: "0909879" + digits(4), start: slow.addingTimeInterval(Double(index) * 7_200), ring: 6, talk: 240))
        }
        frauds.append(Fraud(kind: "low and slow premium", accounts: ["209"], from: slow, to: slow.addingTimeInterval(36 * 7_200)))
    }

    private mutating func salesTeam() {
        let accounts = (300...309).map(String.init)
        let countries = ["49", "33", "34", "39", "31", "1212", "353", "48"]
        for day in 0..<Self.days where day % 7 < 5 {
            for account in accounts {
                workday(account, day: day, from: 8, hours: 10, count: Int.random(in: 30...45, using: &random), talk: 20...300) { office in
                    Int.random(in: 0..<10, using: &office.random) < 5 ? office.abroad(countries) : office.national()
                }
            }
        }
        // A compromised trunk fanning out: in one hour at night, every sales line calls satellite
        // and high-risk numbers, seven each: under each line's hourly levels, far over all calls'.
        let fan = Self.at(day: 26, hour: 1, minute: 2)
        for (index, account) in accounts.enumerated() {
            for call in 0..<7 {
                calls.append(Call(account: account, dialled: abroad(["881", "252", "1876"]),
                                  start: fan.addingTimeInterval(Double(call * 480 + index * 13)), ring: 4, talk: 900))
            }
        }
        frauds.append(Fraud(kind: "compromised trunk fanning out", accounts: accounts + ["*"], from: fan, to: fan.addingTimeInterval(4_400)))
    }

    private mutating func nightDesk() {
        let accounts = (400...405).map(String.init)
        for day in 0..<Self.days {
            for account in accounts {
                let callsUS = account == "401"
                workday(account, day: day, from: 22, hours: 8, count: Int.random(in: 6...12, using: &random)) { office in
                    callsUS && Int.random(in: 0..<5, using: &office.random) == 0 ? office.abroad(["1212", "1415"]) : office.national()
                }
            }
        }
        // A first-ever call to a high-risk country, at night (the desk's own hours) from an agent
        // who never called abroad.
        let call = Self.at(day: 31, hour: 3, minute: 12)
        calls.append(Call(account: "402", dialled: abroad(["252"]), start: call, ring: 8, talk: 1_500))
        frauds.append(Fraud(kind: "first-ever high-risk call at night", accounts: ["402"], from: call, to: call.addingTimeInterval(1_508)))
    }

    /// `count` calls from `account` starting at `hour` on `day`, `spacing` seconds apart.
    private mutating func burst(_ account: String, day: Int, hour: Int, count: Int, spacing: Int, kind: String,
                                numbers: (inout OfficeMonth) -> String) {
        let start = Self.at(day: day, hour: hour)
        for index in 0..<count {
            let number = numbers(&self)
            let talk = Double(Int.random(in: 60...150, using: &random))
            calls.append(Call(account: account, dialled: number, start: start.addingTimeInterval(Double(index * spacing)), ring: 5, talk: talk))
        }
        frauds.append(Fraud(kind: kind, accounts: [account], from: start, to: start.addingTimeInterval(Double(count * spacing + 400))))
    }

    // MARK: - Files

    private static func stamp(_ date: Date?) -> String {
        guard let date else { return "" }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d", parts.year!, parts.month!, parts.day!, parts.hour!, parts.minute!, parts.second!)
    }

    private static func quoted(_ fields: [String]) -> String {
        fields.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ",")
    }

    /// Asterisk's Master.csv (cdr_csv).
    var asterisk: String {
        calls.enumerated().map { serial, call in
            let duration = Int(call.end.timeIntervalSince(call.start))
            let billsec = call.answer.map { Int(call.end.timeIntervalSince($0)) } ?? 0
            return Self.quoted([
                "", call.account, call.dialled, "from-internal", "\"Desk \(call.account)\" <\(call.account)>",
                "PJSIP/\(call.account)-\(String(format: "%08x", serial))", call.answer == nil ? "" : "PJSIP/trunk-\(String(format: "%08x", serial + 1))",
                "Dial", "PJSIP/\(call.dialled)@trunk,60", Self.stamp(call.start), Self.stamp(call.answer), Self.stamp(call.end),
                String(duration), String(billsec), call.answer == nil ? "NO ANSWER" : "ANSWERED", "DOCUMENTATION",
                "\(Int(call.start.timeIntervalSince1970)).\(serial)",
            ])
        }.joined(separator: "\n") + "\n"
    }

    /// FreeSWITCH's mod_cdr_csv default template.
    var freeswitch: String {
        calls.enumerated().map { serial, call in
            let duration = Int(call.end.timeIntervalSince(call.start))
            let billsec = call.answer.map { Int(call.end.timeIntervalSince($0)) } ?? 0
            return Self.quoted([
                "Desk \(call.account)", call.account, call.dialled, "default", Self.stamp(call.start), Self.stamp(call.answer),
                Self.stamp(call.end), String(duration), String(billsec), call.answer == nil ? "NO_ANSWER" : "NORMAL_CLEARING",
                String(format: "%08x-0000-4000-8000-%012x", serial, serial * 7_919), "", "", "PCMA", "PCMA",
            ])
        }.joined(separator: "\n") + "\n"
    }

    /// The file in `format`.
    func text(_ format: CDRFormat) -> String {
        format == .freeswitch ? freeswitch : asterisk
    }
}
