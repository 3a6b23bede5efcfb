/// The report as one self-contained HTML page: its style, its script and its data inline, no
/// server, no network, no external script or font, so it opens from `file://` and as a CI
/// artifact. Rows render in pages of 100 as they scroll into view, so thousands of cases open
/// at once. Every text is set as text (never parsed as HTML), and the whole page passes through
/// `Redaction`, so no key reaches it. Pure.
public enum HTMLReport {
    /// The page for `data`, the JSON text `ReportData.json` makes.
    /// With `openFirst`, the first cell's transcript is open from the start (one run's page).
    public static func page(_ data: String, title: String, openFirst: Bool = false) -> String {
        // Inside <script>, "</" would end the element: JSON's \u escape keeps the data inert.
        let payload = data.replacingOccurrences(of: "<", with: "\\u003c")
        let page = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(TestReports.escape(title))</title>
            <style>\(style)</style>
            </head>
            <body\(openFirst ? " data-open=\"0\"" : "")>
            <header id="head"></header>
            <nav id="controls">
              <div class="filters" role="group" aria-label="Show">
                <button type="button" data-filter="all" class="on">All</button>
                <button type="button" data-filter="failed">Failed</button>
                <button type="button" data-filter="passed">Passed</button>
                <button type="button" data-filter="changed">Changed vs baseline</button>
              </div>
              <input id="search" type="search" placeholder="Search cases, failures, prompts, answers" aria-label="Search">
              <span id="count"></span>
            </nav>
            <main>
              <div id="matrix-wrap"><table id="matrix"><thead></thead><tbody></tbody></table>
              <div id="more"></div></div>
              <section id="detail" hidden></section>
            </main>
            <script type="application/json" id="data">\(payload)</script>
            <script>\(script)</script>
            </body>
            </html>

            """
        return Redaction.text(page)
    }

    static let style = """
        :root{--fg:#1d2330;--muted:#5d6678;--line:#dde1e8;--bg:#f6f7f9;--pass:#1a7f37;--fail:#c62828;--err:#b26a00;--accent:#2457c5}
        *{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
        header{padding:16px 20px;background:#fff;border-bottom:1px solid var(--line)}
        h1{font-size:20px;margin:0 0 6px}.meta{color:var(--muted);font-size:12px;word-break:break-all}
        .stats{display:flex;flex-wrap:wrap;gap:8px 20px;margin-top:10px}.stat b{font-size:18px;display:block}
        .stat{color:var(--muted);font-size:12px}.stat.fail b{color:var(--fail)}.stat.pass b{color:var(--pass)}
        nav{display:flex;flex-wrap:wrap;gap:8px;align-items:center;padding:10px 20px;position:sticky;top:0;background:var(--bg);border-bottom:1px solid var(--line);z-index:2}
        .filters button{font:inherit;padding:4px 10px;border:1px solid var(--line);background:#fff;border-radius:14px;cursor:pointer}
        .filters button.on{background:var(--accent);border-color:var(--accent);color:#fff}
        #search{font:inherit;padding:4px 8px;border:1px solid var(--line);border-radius:6px;min-width:220px;flex:1;max-width:360px}
        #count{color:var(--muted);font-size:12px}
        main{padding:12px 20px;display:grid;grid-template-columns:minmax(0,1fr);gap:16px}
        @media(min-width:1100px){main.open{grid-template-columns:minmax(0,1.5fr) minmax(0,1fr)}}
        #matrix-wrap{overflow-x:auto}table{border-collapse:collapse;background:#fff;width:100%}
        th,td{border:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}
        th{background:#eef0f4;font-weight:600}td.case{min-width:160px}
        td.case small{display:block;color:var(--muted)}tr.group td{background:#f2f4f8;font-size:12px;border-top:2px solid #c9cfdb}
        tr.group td.wf{font-weight:600;word-break:break-all}tr.group td.vt b{display:block}
        td.pad{background:#fafbfc}details.meta summary{cursor:pointer}
        td.cell{cursor:pointer;white-space:nowrap;font-size:12px}td.cell small{display:block;color:var(--muted);margin-top:2px}
        .verdict{color:var(--muted);font-size:12px;margin-left:1.2em}td.cell:hover{outline:2px solid var(--accent)}
        td.cell.sel{outline:2px solid var(--accent);background:#eef3ff}
        .badge{display:inline-block;font-weight:700;font-size:11px;padding:1px 6px;border-radius:8px;color:#fff;margin-right:6px}
        .pass .badge{background:var(--pass)}.fail .badge{background:var(--fail)}.error .badge{background:var(--err)}
        .chg{display:inline-block;font-size:11px;margin-left:4px;padding:0 4px;border-radius:4px;background:#fdecea;color:var(--fail)}
        .chg.improved{background:#e6f4ea;color:var(--pass)}.chg.noise,.chg.added{background:#eef0f4;color:var(--muted)}
        #more{padding:8px;color:var(--muted);text-align:center}
        #detail{background:#fff;border:1px solid var(--line);border-radius:8px;padding:14px;align-self:start}
        #detail h2{font-size:16px;margin:0 0 4px}#detail h3{font-size:13px;margin:14px 0 6px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
        .checks li{margin:3px 0}.checks .ok::before{content:"✓ ";color:var(--pass)}.checks .no::before{content:"✗ ";color:var(--fail)}
        .msg{color:var(--fail);white-space:pre-wrap}.ev{border-left:3px solid var(--line);padding:4px 10px;margin:8px 0}
        .ev.request{border-color:#8aa4e0}.ev.response{border-color:var(--pass)}.ev.branch{border-color:#b0b6c3}.ev.error{border-color:var(--fail)}
        .role{font-size:11px;font-weight:700;color:var(--muted);text-transform:uppercase}
        pre{white-space:pre-wrap;word-break:break-word;margin:2px 0 6px;font:12px/1.4 ui-monospace,Menlo,Consolas,monospace;background:#f8f9fb;padding:6px;border-radius:4px}
        .kv{font-size:12px;color:var(--muted)}del{background:#fdecea;color:var(--fail)}ins{background:#e6f4ea;color:var(--pass);text-decoration:none}.empty{color:var(--muted);padding:20px;text-align:center}
        """

    static let script = """
        (function(){
        "use strict";
        var D=JSON.parse(document.getElementById("data").textContent);
        var S=D.strings||[];
        function s(v){return v&&typeof v==="object"&&"$" in v?S[v.$]:v}
        function el(tag,cls,text){var e=document.createElement(tag);if(cls)e.className=cls;if(text!==undefined&&text!==null)e.textContent=String(text);return e}
        var PAGE=100,filter="all",query="",shown=0,order=[],selected=null;
        function cells(r){return r.cells.map(function(i){return i===null?null:D.cells[i]})}
        // Asked for every row on every filter and in the sort: worked out once per row.
        function failing(r){if(r.f===undefined)r.f=cells(r).some(function(c){return c&&c.status!=="pass"});return r.f}
        function changed(r){return cells(r).some(function(c){return c&&c.change})}
        var haystack=[];
        function text(ri){
          if(haystack[ri]!==undefined)return haystack[ri];
          var r=D.rows[ri],parts=[r.name,s(D.workflows[D.groups[r.g].w].path)];
          cells(r).forEach(function(c){if(!c)return;(c.failures||[]).forEach(function(f){parts.push(s(f.message))});
            if(c.error)parts.push(s(c.error));
            (c.trace||[]).forEach(function(e){if(e.type==="response")parts.push(s(e.content));
              if(e.type==="request")(e.messages||[]).forEach(function(m){if(s(m.role)!=="system")parts.push(s(m.content))})})});
          return haystack[ri]=parts.join("\\n").toLowerCase();
        }
        function head(){
          var h=document.getElementById("head");
          h.appendChild(el("h1",null,D.title));
          var meta=[D.date];if(D.commit)meta.push("commit "+D.commit);
          h.appendChild(el("div","meta",meta.join(" · ")));
          var det=el("details","meta");det.appendChild(el("summary",null,D.workflows.length+" workflow"+(D.workflows.length===1?"":"s")+" (path and sha256)"));
          D.workflows.forEach(function(w){det.appendChild(el("div",null,s(w.path)+(w.sha256?"  sha256 "+s(w.sha256):"")))});
          h.appendChild(det);
          var st=el("div","stats"),sm=D.summary;
          function stat(label,value,cls){var d=el("div","stat "+(cls||""));d.appendChild(el("b",null,value));d.appendChild(document.createTextNode(label));st.appendChild(d)}
          stat("cases",sm.cases);stat("passed",sm.passed,"pass");stat("failed",sm.failed,sm.failed?"fail":"");
          stat("pass rate",sm.cases?Math.round(100*sm.passed/sm.cases)+"%":"–");stat("spent",sm.spent);stat("at list price",sm.list_cost);stat("tokens",sm.tokens);
          if(D.baseline){stat("regressed vs baseline",D.baseline.regressed,D.baseline.regressed?"fail":"");stat("improved",D.baseline.improved,"pass")}
          h.appendChild(st);
        }
        var COLS=Math.max.apply(null,[1].concat(D.groups.map(function(g){return g.variants.length})));
        function thead(){
          var tr=el("tr");tr.appendChild(el("th",null,"case"));
          var one=D.groups.length===1?D.groups[0].variants:null;
          for(var i=0;i<COLS;i++)tr.appendChild(el("th",null,one?one[i]:(i===0?"result by variant (named above each workflow's cases)":"")));
          document.querySelector("#matrix thead").appendChild(tr);
        }
        function groupRow(gi){
          var g=D.groups[gi],tr=el("tr","group"),td=el("td","wf",s(D.workflows[g.w].path));tr.appendChild(td);
          for(var i=0;i<COLS;i++){var t=g.totals[i],c=el("td","vt");
            if(t){c.appendChild(el("b",null,g.variants[i]));c.appendChild(el("span",null," "+t.passed+"/"+t.cases+" passed · "+t.cost+" · "+t.tokens+" tokens · "+t.seconds+"s"))}
            tr.appendChild(c)}
          return tr;
        }
        function row(ri){
          var r=D.rows[ri],tr=el("tr");tr.dataset.row=ri;
          var td=el("td","case",r.name);td.appendChild(el("small",null,s(D.workflows[D.groups[r.g].w].path)+":"+r.line));tr.appendChild(td);
          r.cells.forEach(function(ci){
            if(ci===null){tr.appendChild(el("td","none","–"));return}
            var c=D.cells[ci],cell=el("td","cell "+c.status);cell.dataset.cell=ci;
            cell.appendChild(el("span","badge",c.status==="pass"?"pass":c.status==="fail"?"FAIL":"error"));
            cell.appendChild(document.createTextNode(c.cost+(c.runs!=="1/1"?" · "+c.runs:"")));
            cell.appendChild(el("small",null,c.tokens+" tokens · "+c.seconds+" s"));
            if(c.change)cell.appendChild(el("span","chg "+c.change.kind,c.change.kind));
            cell.addEventListener("click",function(){show(ci,r,cell)});
            tr.appendChild(cell);
          });
          for(var k=r.cells.length;k<COLS;k++)tr.appendChild(el("td","pad"));
          return tr;
        }
        function apply(){
          order=[];
          var q=query.toLowerCase();
          // Failures first: workflows with a failing cell, then within each, failing cases.
          var bad=D.groups.map(function(){return false});D.rows.forEach(function(r){if(failing(r))bad[r.g]=true});
          var first=D.rows.map(function(_,i){return i}).sort(function(a,b){var ra=D.rows[a],rb=D.rows[b];
            return (bad[rb.g]-bad[ra.g])||(ra.g-rb.g)||(failing(rb)-failing(ra))||(a-b)});
          first.forEach(function(i){var r=D.rows[i];
            if(filter==="failed"&&!failing(r))return;if(filter==="passed"&&failing(r))return;if(filter==="changed"&&!changed(r))return;
            if(q&&text(i).indexOf(q)<0)return;order.push(i)});
          var body=document.querySelector("#matrix tbody");body.textContent="";shown=0;more();
          if(!order.length){var tr=el("tr"),td=el("td","empty",D.rows.length?"No case matches.":"No cases.");td.colSpan=COLS+1;tr.appendChild(td);body.appendChild(tr)}
        }
        function more(){
          var body=document.querySelector("#matrix tbody"),end=Math.min(order.length,shown+PAGE);
          for(;shown<end;shown++){var g=D.rows[order[shown]].g;
            if(shown===0||D.rows[order[shown-1]].g!==g)body.appendChild(groupRow(g));
            body.appendChild(row(order[shown]))}
          document.getElementById("count").textContent="showing "+shown+" of "+order.length+" cases";
          document.getElementById("more").textContent=shown<order.length?"scroll for more":"";
        }
        function show(ci,r,cell){
          var c=D.cells[ci],d=document.getElementById("detail");d.textContent="";d.hidden=false;
          document.querySelector("main").classList.add("open");
          if(selected)selected.classList.remove("sel");selected=cell;cell.classList.add("sel");
          d.appendChild(el("h2",null,r.name+(c.variant?" ["+c.variant+"]":"")));
          d.appendChild(el("div","kv",c.status+" · runs "+c.runs+" · "+c.mode+" · list price "+c.cost+" · spent "+c.spent+" · "+c.tokens+" tokens · "+c.seconds+" s"));
          if(c.change)d.appendChild(el("div","kv","vs baseline: "+c.change.kind+(c.change.before?" ("+c.change.before+" → "+c.change.after+")":"")));
          if(c.error){d.appendChild(el("h3",null,"provider error"));d.appendChild(el("div","msg",s(c.error)))}
          if(c.before_answer!==undefined){d.appendChild(el("h3",null,"answer against the baseline"));d.appendChild(diff(s(c.before_answer),answerOf(c)))}
          d.appendChild(el("h3",null,"expectations"));
          var ul=el("ul","checks");
          // Each judge's verdict beside its check: the judges' answers, in the order they were asked.
          var verdicts=(c.trace||[]).filter(function(e){return e.type==="response"&&s(e.step)==="judge"}).map(function(e){
            try{var v=JSON.parse(s(e.content));return "score "+v.score+": "+v.reason}catch(x){return s(e.content)}});
          (c.checks||[]).forEach(function(k){var li=el("li",k.passed?"ok":"no",s(k.text));
            if(/^(step [^:]*: )?(not )?judge /.test(s(k.text))&&verdicts.length)li.appendChild(el("div","verdict",verdicts.shift()));
            ul.appendChild(li)});
          d.appendChild(ul);
          (c.failures||[]).forEach(function(f){d.appendChild(el("div","msg",s(f.at)+": "+s(f.message)))});
          d.appendChild(el("h3",null,"transcript"));
          if(!c.trace){d.appendChild(el("div","kv","No transcript in these results (flow test --json --traces keeps them)."));return}
          c.trace.forEach(function(e){d.appendChild(event(e))});
          // Below the table (narrow windows): bring it into view; beside it, the page stays put.
          if(d.getBoundingClientRect().top>window.innerHeight)d.scrollIntoView({block:"start"});
        }
        function event(e){
          var box=el("div","ev "+e.type);
          // A called workflow's events sit under its call, a mapped item's name its number.
          var title=e.type+(e.step?" · "+(e.call?s(e.call)+"/":"")+s(e.step):"")+(typeof e.item==="number"?" · item "+(e.item+1):"");
          if(e.call)box.style.marginLeft=(s(e.call).split("/").length*18)+"px";
          if(e.type==="call_start")title+=" · calls "+s(e.workflow);
          if(e.type==="map_start")title+=" · "+e.items+" items of "+s(e.over);
          if(e.type==="request")title+=" · "+s(e.provider)+"/"+s(e.model);
          box.appendChild(el("div","role",title));
          if(e.type==="run_start"&&e.inputs){box.appendChild(el("div","kv","inputs"));box.appendChild(el("pre",null,JSON.stringify(resolve(e.inputs),null,1)))}
          (e.messages||[]).forEach(function(m){box.appendChild(el("div","role",s(m.role)));box.appendChild(el("pre",null,s(m.content)))});
          if(e.prefill){box.appendChild(el("div","role","prefill ("+s(e.prefill_mode)+")"));box.appendChild(el("pre",null,s(e.prefill)))}
          if(e.type==="request"&&e.params)box.appendChild(el("div","kv","params "+JSON.stringify(resolve(e.params))));
          if(e.type==="response"){
            box.appendChild(el("div","role","answer"));box.appendChild(el("pre",null,s(e.content)));
            var u=e.usage||{};
            box.appendChild(el("div","kv","finish_reason "+s(e.finish_reason)+" (raw "+s(e.finish_reason_raw)+") · "+(u.input_tokens||0)+" in / "+(u.output_tokens||0)+" out tokens · "+e.latency_ms+" ms · "+(e.mode||"")+" · cost $"+(e.recorded_cost_usd!==undefined?e.recorded_cost_usd:e.cost_usd)));
          }
          if(e.type==="branch")box.appendChild(el("div","kv",s(e.finish_reason)+" → "+s(e.action)));
          if(e.type==="call_end")box.appendChild(el("div","kv",s(e.status)+(e.error?" · "+s(e.error):"")));
          if(e.type==="error"||e.type==="warning")box.appendChild(el("div","msg",s(e.message)));
          if(e.type==="run_end")box.appendChild(el("div","kv",s(e.status)+(e.path?" · path "+resolve(e.path).map(function(p){return p.step+":"+p.finish_reason+"→"+p.action}).join(" "):"")));
          return box;
        }
        function answerOf(c){var a="";(c.trace||[]).forEach(function(e){if(e.type==="response"&&s(e.step)!=="judge")a=s(e.content)});return a}
        // A word diff (longest common subsequence): what the baseline said and this run does not is struck out.
        function diff(a,b){
          var x=a.split(/(\\s+)/),y=b.split(/(\\s+)/),n=x.length,m=y.length,pre=el("pre","diff");
          if(n*m>4000000){pre.appendChild(el("del",null,a));pre.appendChild(document.createTextNode("\\n"));pre.appendChild(el("ins",null,b));return pre}
          var L=[];for(var i=0;i<=n;i++){L.push(new Uint32Array(m+1))}
          for(i=n-1;i>=0;i--)for(var j=m-1;j>=0;j--)L[i][j]=x[i]===y[j]?L[i+1][j+1]+1:Math.max(L[i+1][j],L[i][j+1]);
          i=0;j=0;
          while(i<n||j<m){
            if(i<n&&j<m&&x[i]===y[j]){pre.appendChild(document.createTextNode(x[i]));i++;j++}
            else if(i<n&&(j>=m||L[i+1][j]>=L[i][j+1])){pre.appendChild(el("del",null,x[i]));i++}
            else{pre.appendChild(el("ins",null,y[j]));j++}
          }
          return pre;
        }
        function resolve(v){if(Array.isArray(v))return v.map(resolve);if(v&&typeof v==="object"){if("$" in v)return S[v.$];var o={};for(var k in v)o[k]=resolve(v[k]);return o}return v}
        head();thead();
        document.querySelectorAll(".filters button").forEach(function(b){b.addEventListener("click",function(){
          document.querySelectorAll(".filters button").forEach(function(x){x.classList.toggle("on",x===b)});filter=b.dataset.filter;apply()})});
        var timer;document.getElementById("search").addEventListener("input",function(ev){clearTimeout(timer);timer=setTimeout(function(){query=ev.target.value;apply()},120)});
        apply();
        if("IntersectionObserver" in window)new IntersectionObserver(function(es){if(es[0].isIntersecting&&shown<order.length)more()}).observe(document.getElementById("more"));
        // #click=failed clicks that filter's button, #open=N opens the Nth shown cell: how a link
        // (or a headless browser in the tests) lands on a view.
        var h=new URLSearchParams(location.hash.slice(1));
        if(h.get("search")){document.getElementById("search").value=h.get("search");query=h.get("search");apply()}
        if(h.get("click")){var b=document.querySelector('.filters button[data-filter="'+h.get("click")+'"]');if(b)b.click()}
        var open=h.get("open")!==null?h.get("open"):document.body.dataset.open;
        if(open!==undefined&&open!==null){var c=document.querySelectorAll("#matrix td.cell")[+open];if(c)c.click()}
        })();
        """
}
