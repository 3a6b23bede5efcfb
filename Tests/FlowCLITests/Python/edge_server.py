"""An MCP server written with the `mcp` Python SDK for the cases the reference servers lack:
a tool that returns an image beside text, one that fails (isError), one that is slow, and one
that kills the server mid-call. Over stdio: python3 edge_server.py; over Streamable HTTP on
loopback: python3 edge_server.py --http PORT (the endpoint is /mcp; every request must carry
`Authorization: Bearer <EDGE_TOKEN>` when that variable is set)."""
import asyncio
import base64
import os

import mcp.types as types
from mcp.server.mcpserver import Context, MCPServer

server = MCPServer("flow-edge-cases")
PNG = base64.b64encode(bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")).decode()


@server.tool(name="picture", description="Draw a one-pixel picture.")
def picture() -> list:
    return [types.TextContent(type="text", text="a red pixel"), types.ImageContent(type="image", data=PNG, mime_type="image/png")]


@server.tool(name="refuse", description="Always fails, saying why.")
def refuse(reason: str) -> str:
    raise ValueError(f"refused: {reason}")


@server.tool(name="slow", description="Answers after some seconds.")
async def slow(seconds: float) -> str:
    await asyncio.sleep(seconds)
    return "finally"


@server.tool(name="crash", description="Ends the server in the middle of the call.")
def crash() -> str:
    os._exit(3)


@server.tool(name="chatty", description="Logs and reports progress while it works.")
async def chatty(ctx: Context) -> str:
    await ctx.info("warming up")
    await ctx.report_progress(1, 2, "halfway")
    return "done talking"


@server.tool(name="whoami", description="Says which Authorization header the request carried.")
def whoami() -> str:
    return "authorized" if os.environ.get("EDGE_TOKEN") else "no token expected"


if __name__ == "__main__":
    import sys
    if len(sys.argv) > 2 and sys.argv[1] == "--http":
        import uvicorn
        app = server.streamable_http_app()
        token = os.environ.get("EDGE_TOKEN")

        async def guarded(scope, receive, send):
            if token and scope["type"] == "http":
                given = dict(scope.get("headers") or []).get(b"authorization", b"").decode()
                if given != f"Bearer {token}":
                    await send({"type": "http.response.start", "status": 401, "headers": [(b"content-type", b"text/plain")]})
                    await send({"type": "http.response.body", "body": b"unauthorized"})
                    return
            await app(scope, receive, send)

        uvicorn.run(guarded, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
    else:
        asyncio.run(server.run_stdio_async())
