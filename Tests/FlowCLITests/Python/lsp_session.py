"""Drives `flow lsp` with pygls's LanguageClient (a client no one here wrote, speaking LSP as
editors do, with lsprotocol's types): reads a scenario, a JSON list of actions, from argv[2],
runs them against argv[1] (the flow binary), and prints one JSON object with each action's
result and every publishDiagnostics notification received, by URI (the latest list).

Actions: {"open": uri, "text": ...}, {"change": uri, "text": ...}, {"close": uri},
{"wait": seconds}, {"completion"|"hover"|"definition": uri, "line": n, "character": n},
{"symbols": uri}."""
import asyncio
import json
import sys

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.protocol import default_converter


async def main():
    binary, scenario = sys.argv[1], json.load(open(sys.argv[2]))
    converter = default_converter()
    client = LanguageClient("flow-tests", "1")
    diagnostics = {}
    arrived = asyncio.Event()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def published(params: types.PublishDiagnosticsParams):
        diagnostics[params.uri] = converter.unstructure(params.diagnostics)
        arrived.set()

    await client.start_io(binary, "lsp")
    init = await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities(), process_id=None, root_uri=None))
    client.initialized(types.InitializedParams())
    results = []
    version = 1
    for action in scenario:
        if "open" in action or "change" in action:
            arrived.clear()
            version += 1
            if "open" in action:
                client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
                    uri=action["open"], language_id="yaml", version=version, text=action["text"])))
            else:
                client.text_document_did_change(types.DidChangeTextDocumentParams(
                    text_document=types.VersionedTextDocumentIdentifier(uri=action["change"], version=version),
                    content_changes=[types.TextDocumentContentChangeWholeDocument(text=action["text"])]))
            await asyncio.wait_for(arrived.wait(), 10)
            await asyncio.sleep(0.05)
            results.append({"diagnostics": json.loads(json.dumps(diagnostics))})
        elif "close" in action:
            client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=action["close"])))
            await asyncio.sleep(0.2)
            results.append({"diagnostics": json.loads(json.dumps(diagnostics))})
        elif "wait" in action:
            await asyncio.sleep(action["wait"])
        else:
            kind = next(k for k in ("completion", "hover", "definition", "symbols") if k in action)
            document = types.TextDocumentIdentifier(uri=action[kind])
            position = types.Position(line=action.get("line", 0), character=action.get("character", 0))
            if kind == "completion":
                answer = await client.text_document_completion_async(types.CompletionParams(text_document=document, position=position))
            elif kind == "hover":
                answer = await client.text_document_hover_async(types.HoverParams(text_document=document, position=position))
            elif kind == "definition":
                answer = await client.text_document_definition_async(types.DefinitionParams(text_document=document, position=position))
            else:
                answer = await client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=document))
            results.append({kind: converter.unstructure(answer)})
    await client.shutdown_async(None)
    client.exit(None)
    await asyncio.sleep(0.2)
    await client.stop()
    print(json.dumps({"initialize": converter.unstructure(init), "results": results, "diagnostics": diagnostics}))


asyncio.run(main())
