/*
 * reports/html_css.h - the style sheet embedded in every HTML report
 * (reports/report_html.c), so the file needs nothing from outside: the
 * report's Content-Security-Policy allows inline styles and nothing else.
 *
 * Static, read-only text; nothing to free.
 */
#ifndef TLSAUDIT_REPORTS_HTML_CSS_H
#define TLSAUDIT_REPORTS_HTML_CSS_H

/* html_css is the CSS of the report: screen layout, then the print rules
 * (a page break before each target, no backgrounds, no navigation). */
extern const char html_css[];

#endif
