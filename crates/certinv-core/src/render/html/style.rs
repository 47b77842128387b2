//! The page's one style sheet. Bucket colours are custom properties set by a
//! `c-BUCKET` class, so cards, pills, legend swatches and SVG shapes share one
//! palette. Only local font families: a web font would be a URL.

use crate::model::Bucket;

/// Stacked bars start with the worst bucket at the baseline, where bars are
/// compared most easily.
pub const STACK_ORDER: [Bucket; 6] = Bucket::ALL;

pub const CSS: &str = r#"
*{box-sizing:border-box}
html{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{margin:0;background:#f3f5f8;color:#1d2733;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"DejaVu Sans",sans-serif}
.c-CRITICAL{--c:#c92a2a;--t:#fdeaea}
.c-HIGH{--c:#e8590c;--t:#fff0e6}
.c-MEDIUM{--c:#f2a60c;--t:#fff6dc;--d:#9a6100}
.c-REMOVE{--c:#7048e8;--t:#f0ebff}
.c-NOT_ISSUED{--c:#98a2ad;--t:#eef0f3;--d:#5c6670}
.c-OK{--c:#2f9e44;--t:#e7f6ea}
.wrap,main{max-width:1200px;margin:0 auto;padding:0 28px}
header{background:#13233f;color:#fff;padding:22px 0 18px}
.kicker{margin:0;color:#9fb3c8;font-size:12px;letter-spacing:.06em;text-transform:uppercase}
h1{margin:2px 0 14px;font-size:26px;font-weight:650;letter-spacing:-.01em}
.facts{display:flex;flex-wrap:wrap;gap:8px 40px;margin:0}
.facts dt{font-size:11px;text-transform:uppercase;letter-spacing:.05em;color:#9fb3c8}
.facts dd{margin:0;font-weight:600;font-variant-numeric:tabular-nums}
.gatestrip{margin-top:16px;display:flex;flex-wrap:wrap;gap:8px}
nav{background:#fff;border-bottom:1px solid #dce2e9}
nav .wrap{display:flex;flex-wrap:wrap;gap:4px 24px;padding-top:10px;padding-bottom:10px}
nav a{color:#334e68;text-decoration:none;font-size:13px;font-weight:600}
section{background:#fff;border:1px solid #dce2e9;border-radius:10px;padding:18px 22px;margin:18px 0}
section.plain{background:none;border:0;padding:0}
h2{font-size:17px;margin:0 0 4px;display:flex;align-items:center;gap:10px}
h3{font-size:14px;margin:0 0 8px}
.note{margin:0 0 12px;color:#52606d;font-size:13px}
.cards{display:grid;grid-template-columns:repeat(6,minmax(0,1fr));gap:12px}
.card{background:#fff;border:1px solid #dce2e9;border-top:4px solid var(--c);border-radius:10px;padding:12px 14px;display:flex;flex-direction:column}
.card .label{font-size:11px;font-weight:700;letter-spacing:.06em;color:var(--d,var(--c))}
.card .n{font-size:34px;line-height:1.15;font-weight:700;font-variant-numeric:tabular-nums}
.card .what{font-size:12px;color:#52606d}
.delta{margin-top:8px;padding-top:6px;border-top:1px solid #edf0f3;font-size:13px;font-weight:700}
.delta small{display:block;font-size:11px;font-weight:400;color:#7b8794;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.delta.worse{color:#c92a2a}.delta.better{color:#2f9e44}.delta.same{color:#7b8794;font-weight:500}
table{width:100%;border-collapse:collapse;font-size:13px}
th{font-size:11px;text-transform:uppercase;letter-spacing:.04em;color:#52606d;text-align:left;font-weight:600;padding:6px 8px;border-bottom:2px solid #dce2e9;white-space:nowrap}
td{padding:7px 8px;border-bottom:1px solid #edf0f3;vertical-align:top}
tbody tr:nth-child(even){background:#fafbfc}
.num{text-align:right;font-variant-numeric:tabular-nums}
.zero{color:#c5ccd4}
td small{display:block;color:#7b8794;font-size:11px;font-variant-numeric:tabular-nums}
.domain{font-weight:600;overflow-wrap:anywhere}
.nowrap{white-space:nowrap}
.strong{font-weight:700}
.muted{color:#7b8794}
.pill{display:inline-block;min-width:28px;padding:0 7px;border-radius:10px;background:var(--t);color:var(--d,var(--c));font-weight:700;text-align:center}
.count{font-size:12px;font-weight:700;padding:1px 9px;border-radius:10px;background:var(--t,#e6eaef);color:var(--d,var(--c,#334e68))}
.mix{display:flex;width:120px;height:10px;margin-top:4px;border-radius:5px;overflow:hidden;background:#edf0f3}
.mix i{background:var(--c)}
.dep{display:block;font:12px/1.5 ui-monospace,Menlo,Consolas,"DejaVu Sans Mono",monospace;overflow-wrap:anywhere}
.svc{font:600 10px/1 system-ui,sans-serif;text-transform:uppercase;letter-spacing:.03em;color:#52606d;background:#edf0f3;border-radius:4px;padding:2px 5px;margin-right:6px}
code{font:12px ui-monospace,Menlo,Consolas,"DejaVu Sans Mono",monospace;word-break:break-all;color:#334e68}
.badge{display:inline-block;font-size:11px;font-weight:700;padding:2px 8px;border-radius:4px;letter-spacing:.03em;white-space:nowrap}
.v-PASS{background:#d3f9d8;color:#237032}.v-FAIL,.v-BLOCKED{background:#ffe0e0;color:#b02525}
.v-WAIVED{background:#fff3bf;color:#7a4e00}.v-NOT_INDEPENDENT{background:#e9ecef;color:#495057}
.escalate{border-left:5px solid #c92a2a}
.alert{border-color:#f2b8b8;background:#fff6f6}
.alert ul{margin:6px 0 0;padding-left:20px}
.chart{width:100%;height:auto;display:block}
.chart text{font-size:11px;fill:#52606d}
.chart .val{font-size:10px;fill:#1d2733;font-weight:600}
.grid{stroke:#e9edf1}
.axis{stroke:#9aa5b1}
.divider{stroke:#c5ccd4;stroke-dasharray:3 3}
rect[class^="c-"],circle[class^="c-"]{fill:var(--c)}
polyline{fill:none;stroke:var(--c);stroke-width:2;stroke-linejoin:round;stroke-linecap:round}
.legend{display:flex;flex-wrap:wrap;gap:4px 16px;font-size:12px;color:#52606d;margin:0 0 4px}
.sw{display:inline-block;width:10px;height:10px;border-radius:2px;background:var(--c);margin-right:6px;vertical-align:-1px}
.sparks{display:grid;grid-template-columns:repeat(3,1fr);gap:14px 28px}
.spark{margin:0}
.spark figcaption{display:flex;align-items:baseline;gap:8px;font-size:12px}
.spark .label{font-weight:700;letter-spacing:.05em;color:var(--d,var(--c))}
.spark b{font-size:18px;font-variant-numeric:tabular-nums}
.range{color:#7b8794;margin-left:auto}
.cols{display:grid;grid-template-columns:3fr 2fr;gap:28px;margin-top:14px}
.cols>div{min-width:0}
.meter{height:8px;background:#edf0f3;border-radius:4px;overflow:hidden;margin:4px 0 10px}
.meter i{display:block;height:100%}
.meter .under{background:#2f9e44}.meter .over{background:#c92a2a}
.variance{margin:0 0 4px;display:flex;align-items:center;gap:8px}
.variance b{font-size:20px}
.empty{color:#7b8794;font-style:italic;margin:4px 0 0}
.causes,.decisions{margin:0 0 8px;padding-left:20px;font-size:13px}
footer{max-width:1200px;margin:0 auto;padding:4px 28px 32px;color:#7b8794;font-size:12px}
@page{size:A4;margin:12mm}
@media print{
body{background:#fff;font-size:11px}
nav{display:none}
header{background:#fff;color:#000;border-bottom:2px solid #13233f;padding:0 0 8px}
.kicker,.facts dt{color:#52606d}
.wrap,main,footer{max-width:none;padding-left:0;padding-right:0}
section{border:0;border-radius:0;padding:0;margin:14px 0}
.card,tr,figure,.chart,.cols>div{break-inside:avoid}
h2,h3,.note{break-after:avoid}
.cols{grid-template-columns:1fr;gap:14px}
tbody tr:nth-child(even){background:none}
table{font-size:10px}.dep,code{font-size:9px}
}
@media screen and (max-width:820px){.cards{grid-template-columns:repeat(3,1fr)}.cols,.sparks{grid-template-columns:1fr}}
"#;
