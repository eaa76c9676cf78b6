/*
 * reports/html_css.c - the embedded style sheet of the HTML report
 * (html_css.h). It holds no data from a scan: nothing here is escaped, and
 * nothing may be added here at run time.
 *
 * Classes used by report_html.c: v-pass, v-fail, v-warn, v-inconclusive,
 * v-waived, v-na (verdict and state badges), sev-* (severity), mono (codes
 * and fingerprints), muted, banner (partial scan), target (one per target,
 * a page of its own in print).
 */
#include "reports/html_css.h"

const char html_css[] =
    ":root{--fg:#1b1f24;--muted:#5b6470;--line:#d0d7de;--head:#f3f5f7;--pass:#1a7f37;"
    "--fail:#c62828;--warn:#9a6700;--inc:#8250df;--waived:#57606a}\n"
    "*{box-sizing:border-box}\n"
    "body{font:14px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,\"DejaVu Sans\",sans-serif;"
    "color:var(--fg);margin:0 auto;max-width:1200px;padding:16px 24px}\n"
    "h1{font-size:1.7em;margin:.2em 0}\n"
    "h2{font-size:1.35em;border-bottom:2px solid "
    "var(--line);padding-bottom:.2em;margin-top:1.8em}\n"
    "h3{font-size:1.15em;margin-top:1.4em}\n"
    "h4{font-size:1em;margin:1.1em 0 .4em}\n"
    "table{border-collapse:collapse;width:100%;margin:.4em 0 1em;font-size:.92em}\n"
    "th,td{border:1px solid var(--line);padding:3px 6px;text-align:left;vertical-align:top;"
    "overflow-wrap:break-word}\n"
    "thead th{background:var(--head)}\n"
    "table.kv th{width:14em;background:var(--head);font-weight:600}\n"
    ".mono,code{font-family:\"DejaVu Sans Mono\",Menlo,Consolas,monospace;font-size:.92em;"
    "overflow-wrap:anywhere}\n"
    ".muted{color:var(--muted)}\n"
    ".num{text-align:right;white-space:nowrap}\n"
    "td.rule{min-width:15em}\n"
    "td.ref{min-width:10em}\n"
    ".nowrap{white-space:nowrap}\n"
    ".badge{display:inline-block;padding:0 .45em;border-radius:3px;font-weight:600;"
    "font-size:.85em;border:1px solid currentColor;white-space:nowrap}\n"
    ".v-pass{color:var(--pass)}\n"
    ".v-fail{color:var(--fail)}\n"
    ".v-warn{color:var(--warn)}\n"
    ".v-inconclusive{color:var(--inc)}\n"
    ".v-waived,.v-na{color:var(--waived)}\n"
    ".sev-critical,.sev-high{color:var(--fail);font-weight:600}\n"
    ".sev-medium{color:var(--warn);font-weight:600}\n"
    ".sev-low,.sev-info{color:var(--muted)}\n"
    ".banner{border:2px solid var(--warn);padding:.5em .8em;margin:1em 0;font-weight:600}\n"
    "nav ol{columns:2;margin:.3em 0}\n"
    "ul.plain{list-style:none;padding-left:0;margin:0}\n"
    "article.target{border-top:3px solid var(--fg);margin-top:2.2em}\n"
    "article.target>h3{margin-top:.6em}\n"
    "footer{margin-top:3em;color:var(--muted);font-size:.85em}\n"
    "@media print{\n"
    "  @page{size:A4;margin:14mm}\n"
    "  body{max-width:none;padding:0;font-size:9.5pt}\n"
    "  nav{display:none}\n"
    "  *{background:transparent!important}\n"
    "  article.target{break-before:page;border-top:none}\n"
    "  section>h2+article.target{break-before:auto}\n"
    "  section{break-before:page}\n"
    "  section#summary{break-before:auto}\n"
    "  tr,.badge{break-inside:avoid}\n"
    "  thead{display:table-header-group}\n"
    "  h2,h3,h4{break-after:avoid}\n"
    "}\n";
