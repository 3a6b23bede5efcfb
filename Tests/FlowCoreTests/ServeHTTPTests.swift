import Testing
@testable import FlowCore

/// `flow serve`'s HTTP parsing and access rules, with no socket.
@Suite struct ServeHTTPTests {
    let limits = ServeLimits(maxHeaderBytes: 256, maxBodyBytes: 32)

    func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func aRequestArrivingInPiecesIsReadWhenWholeAndPipelinedOnesOneByOne() {
        let whole = "POST /v1/workflows/a/runs?x=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"
        for cut in [10, whole.utf8.count - 1] {
            #expect(ServeHTTP.parse(Array(bytes(whole).prefix(cut)), limits: limits) == .needMore)
        }
        guard case .request(let request, let consumed) = ServeHTTP.parse(bytes(whole + "GET /healthz HTTP/1.1\r\n\r\n"), limits: limits) else {
            Issue.record("no request"); return
        }
        #expect(request.method == "POST" && request.path == "/v1/workflows/a/runs" && request.query == "x=1")
        #expect(request.body == bytes("hello") && !request.keepAlive && request.headers["host"] == "h")
        guard case .request(let next, _) = ServeHTTP.parse(Array(bytes(whole + "GET /healthz HTTP/1.1\r\n\r\n").dropFirst(consumed)), limits: limits) else {
            Issue.record("no second request"); return
        }
        #expect(next.path == "/healthz" && next.keepAlive)
    }

    @Test func limitsAreAnsweredBeforeTheBodyIsRead() {
        #expect(ServeHTTP.parse(bytes("POST / HTTP/1.1\r\nContent-Length: 33\r\n\r\n"), limits: limits) == .refuse(status: 413, message: "the body is 33 bytes, over the limit of 32"))
        #expect(ServeHTTP.parse(bytes("GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 300)), limits: limits) == .refuse(status: 431, message: "the request's headers are over 256 bytes"))
        #expect(ServeHTTP.parse(bytes("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"), limits: limits)
                == .refuse(status: 411, message: "send the body with Content-Length (chunked bodies are not read)"))
        #expect(ServeHTTP.parse(bytes("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"), limits: limits) == .refuse(status: 400, message: "Content-Length is not a number"))
        #expect(ServeHTTP.parse(bytes("HELLO\r\n\r\n"), limits: limits) == .refuse(status: 400, message: "not an HTTP/1.1 request line"))
    }

    @Test func tokensAndPerClientPlaces() {
        let open = ServeAccess(tokens: [])
        #expect(open.identity(authorization: nil, peer: "127.0.0.1") == "peer 127.0.0.1")
        let closed = ServeAccess(tokens: ["alpha-token", " beta-token "])
        #expect(closed.identity(authorization: nil, peer: "p") == nil)
        #expect(closed.identity(authorization: "Bearer alpha-toke", peer: "p") == nil)
        #expect(closed.identity(authorization: "Bearer alpha-tokenx", peer: "p") == nil)
        #expect(closed.identity(authorization: "bearer beta-token", peer: "p") != nil)
        #expect(ServeAccess.tokens(environment: "a,b", file: "# comment\nc\n\nd\r\n") == ["a", "b", "c", "d"])
        let places = ServeConcurrency(perClient: 2)
        #expect(places.enter("x") && places.enter("x") && !places.enter("x") && places.enter("y"))
        places.leave("x")
        #expect(places.enter("x") && places.inFlight == 3)
    }

    @Test func aTraceparentIsReadAsTheW3CSaysOrNotAtAll() {
        #expect(TraceParent(header: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01") == TraceParent(traceID: "0af7651916cd43dd8448eb211c80319c", spanID: "b7ad6b7169203331"))
        for bad in ["", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331", "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                    "00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01", "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01"] {
            #expect(TraceParent(header: bad) == nil, "\(bad)")
        }
    }
}
