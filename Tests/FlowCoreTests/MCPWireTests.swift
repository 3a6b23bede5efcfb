import Testing
@testable import FlowCore

/// MCP's messages in the form the specification (revision 2025-06-18) gives them.
@Suite struct MCPWireTests {
    @Test func aCallResultIsItsTextPartsWithOtherPartsNamed() throws {
        let result = try JSON.parse("""
            {"content": [{"type": "text", "text": "first"}, {"type": "image", "data": "iVBORw0KGgo=", "mimeType": "image/png"},
                         {"type": "resource", "resource": {"uri": "file:///a.txt", "mimeType": "text/plain", "text": "inside"}},
                         {"type": "resource_link", "uri": "file:///b.txt", "name": "b"}],
             "isError": false}
            """)
        let (content, isError) = MCPWire.callResult(result)
        #expect(content == "first\n[image image/png, 9 bytes]\ninside\n[resource file:///b.txt]")
        #expect(!isError)
        let failed = MCPWire.callResult(try JSON.parse(#"{"content": [{"type": "text", "text": "no such zone"}], "isError": true}"#))
        #expect(failed.content == "no such zone" && failed.isError)
        let structured = MCPWire.callResult(try JSON.parse(#"{"content": [], "structuredContent": {"temperature": 22.5}}"#))
        #expect(structured.content == #"{"temperature":22.5}"#)
    }

    @Test func aToolListPageGivesItsToolsAndTheNextCursor() throws {
        let page = try JSON.parse("""
            {"tools": [{"name": "get_weather", "title": "Weather", "description": "Get the weather",
                        "inputSchema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}},
                       {"name": "untitled"}],
             "nextCursor": "page-2"}
            """)
        let (tools, next) = MCPWire.tools(page)
        #expect(tools.map(\.name) == ["get_weather", "untitled"])
        #expect(tools[0].inputSchema["required"] == .array([.string("city")]))
        #expect(tools[1].inputSchema == .object([("type", .string("object"))]), "a tool without a schema takes an object")
        #expect(next == "page-2")
        #expect(MCPWire.tools(try JSON.parse(#"{"tools": []}"#)).next == nil)
    }

    @Test func wireNamesAreWhatProvidersAccept() {
        #expect(MCPWire.wireName(server: "git", tool: "git_log") == "git__git_log")
        #expect(MCPWire.wireName(server: "docs", tool: "search.v2") == "docs__search_v2")
        #expect(MCPWire.wireName(server: "s", tool: String(repeating: "x", count: 80)).count == 64)
        let initialize = MCPWire.initialize(1)
        #expect(initialize["params"]?["protocolVersion"]?.string == "2025-06-18")
        #expect(initialize["method"]?.string == "initialize" && initialize["id"]?.int == 1)
    }
}
