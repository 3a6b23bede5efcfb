/// The wire body as records and reviews show it.
extension HTTPRequest {
    /// The body as JSON with every image's and document's base64 replaced by its type, size and
    /// digest, as records keep it: what `flow render --provider` shows a reviewer.
    public func bodyWithoutMedia(of request: ChatRequest) -> JSON {
        let body = (try? JSON.parse(body)) ?? .string(String(decoding: body, as: UTF8.self))
        return Media.withoutBytes(body, media: Media.all(in: request.messages))
    }
}
