import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The elements of an XML file in document order, each with its attributes, its text and its
/// line, for reviews that look for a parameter wherever it is. External entities are never loaded.
struct XMLElements {
    struct Element {
        var name: String
        var attributes: [String: String]
        var text: String
        var line: Int
        /// The names of the enclosing elements, outermost first.
        var path: [String]
    }

    var elements: [Element] = []

    /// Nil when the file is not well-formed XML.
    init?(data: Data) {
        let parser = XMLParser(data: data)
        parser.shouldResolveExternalEntities = false
        let collector = Collector()
        parser.delegate = collector
        guard parser.parse() else { return nil }
        elements = collector.elements
    }

    private final class Collector: NSObject, XMLParserDelegate {
        var elements: [Element] = []
        var open: [Int] = []

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            let path = open.map { elements[$0].name }
            elements.append(Element(name: elementName, attributes: attributes, text: "", line: parser.lineNumber, path: path))
            open.append(elements.count - 1)
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard let current = open.last else { return }
            elements[current].text += string
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
            if let current = open.popLast() { elements[current].text = elements[current].text.trimmingCharacters(in: .whitespacesAndNewlines) }
        }
    }
}
