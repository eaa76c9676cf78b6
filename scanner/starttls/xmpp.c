/*
 * scanner/starttls/xmpp.c - XMPP's STARTTLS (RFC 6120 §5.4) for client
 * and server streams (binary.h).
 *
 * We open the stream (RFC 6120 §4.7), the server answers with its own
 * stream header and <stream:features>; when the features hold <starttls
 * xmlns='urn:ietf:params:xml:ns:xmpp-tls'> we send <starttls/> and the
 * server says <proceed/> (TLS starts after its '>') or <failure/>.
 *
 * Not a general XML parser: a bounded tokenizer over the few shapes these
 * exchanges have. Tags are collected whole (up to XMPP_MAX_TAG bytes, '>'
 * inside quoted attribute values allowed) and then read; text between tags
 * is skipped (non-blank text directly in the stream is an error); comments,
 * DTDs, CDATA and processing instructions other than the XML declaration
 * are refused (RFC 6120 §11.1 forbids most of them in a stream). Nesting
 * is counted, not stored, up to XMPP_MAX_DEPTH; only the name of the open
 * child of the stream is kept to match its end tag. Namespaces are checked
 * where they decide something: the stream's own (its prefix learnt from the
 * header) and the TLS one on <starttls>, <proceed> and <failure>. libexpat
 * was the alternative; it would be a new third-party adapter (and
 * allocator) for six element names, and this reader's memory is fixed by
 * its context's size.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "scanner/starttls/binary.h"

#define XMPP_MAX_TAG 1024
#define XMPP_MAX_DEPTH 16
#define XMPP_MAX_NAME 64
#define XMPP_MAX_DOMAIN 255

static const char ns_streams[] = "http://etherx.jabber.org/streams";
static const char ns_tls[] = "urn:ietf:params:xml:ns:xmpp-tls";
static const char ns_sasl[] = "urn:ietf:params:xml:ns:xmpp-sasl";
static const char starttls_cmd[] = "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>";

enum xmpp_phase {
    XMPP_WAIT_HEADER = 0, /* before the server's stream header */
    XMPP_WAIT_FEATURES,   /* in the stream, before </stream:features> */
    XMPP_WAIT_PROCEED,    /* <starttls/> sent */
};

/* Which child of the stream is open (depth >= 2). */
enum xmpp_child { CHILD_NONE = 0, CHILD_FEATURES, CHILD_ERROR, CHILD_PROCEED };

struct xmpp_ctx {
    struct starttls_seen seen; /* first: the protocol table's row says seen */
    enum xmpp_phase phase;
    size_t n_in;            /* bytes received */
    bool in_tag;            /* between '<' and '>' */
    char quote;             /* in a tag: the quote of an attribute value, or 0 */
    bool seen_any;          /* a tag was read (the XML declaration must be first) */
    size_t tag_len;         /* bytes of tag[] */
    char tag[XMPP_MAX_TAG]; /* the tag being read, without '<' and '>' */
    int depth;              /* 0 outside the stream, 1 in it, 2 in a child ... */
    enum xmpp_child child;
    char child_name[XMPP_MAX_NAME]; /* its qualified name, to match its end tag */
    char prefix[XMPP_MAX_NAME];     /* the streams namespace's prefix ("stream") */
    bool offered;                   /* <starttls/> seen in the features */
    bool required;                  /* ... with <required/> */
    bool in_starttls;               /* inside that <starttls> */
    bool in_mechanisms;             /* inside the features' SASL <mechanisms> */
    bool in_mechanism;              /* inside one <mechanism>: its text is a name */
    size_t mech_len;
    char mech[32];
    char condition[XMPP_MAX_NAME]; /* a stream error's condition */
};

/* One tag: a view of ctx->tag. */
struct xml_tag {
    const char *p;
    size_t len;
    bool end;          /* "</name>" */
    bool empty;        /* "<name .../>" */
    size_t name_len;   /* the qualified name is p[0 .. name_len) */
    size_t prefix_len; /* bytes before ':' in the name, 0 without a prefix */
};

static bool xml_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool xml_is(const char *p, size_t len, const char *s)
{
    size_t n = strlen(s); /* s is ours */
    return len == n && memcmp(p, s, n) == 0;
}

/* Splits the bytes of a start or end tag into t. False when malformed. */
static bool xml_tag_split(const char *p, size_t len, struct xml_tag *t)
{
    memset(t, 0, sizeof(*t));
    if (len > 0 && p[0] == '/') {
        t->end = true;
        p++;
        len--;
    } else if (len > 0 && p[len - 1] == '/') {
        t->empty = true;
        len--;
    }
    t->p = p;
    t->len = len;
    while (t->name_len < len && !xml_space(p[t->name_len])) {
        char c = p[t->name_len];
        if (c == '=' || c == '"' || c == '\'' || c == '/' || c == '<') {
            return false;
        }
        if (c == ':' && t->prefix_len == 0) {
            t->prefix_len = t->name_len;
        }
        t->name_len++;
    }
    if (t->end) {
        for (size_t i = t->name_len; i < len; i++) {
            if (!xml_space(p[i])) {
                return false;
            }
        }
    }
    return t->name_len > 0 && t->name_len <= XMPP_MAX_NAME - 1;
}

/* xml_attr finds attribute name in t: a view of its value in *v. Returns
 * 1 found, 0 absent, -1 the attributes are malformed. */
static int xml_attr(const struct xml_tag *t, const char *name, const char **v, size_t *v_len)
{
    size_t i = t->name_len;
    for (;;) {
        while (i < t->len && xml_space(t->p[i])) {
            i++;
        }
        if (i == t->len) {
            return 0;
        }
        size_t a = i;
        while (i < t->len && t->p[i] != '=' && !xml_space(t->p[i])) {
            i++;
        }
        size_t a_len = i - a;
        while (i < t->len && xml_space(t->p[i])) {
            i++;
        }
        if (a_len == 0 || i == t->len || t->p[i] != '=') {
            return -1;
        }
        i++;
        while (i < t->len && xml_space(t->p[i])) {
            i++;
        }
        if (i == t->len || (t->p[i] != '\'' && t->p[i] != '"')) {
            return -1;
        }
        char q = t->p[i++];
        const char *close = memchr(t->p + i, q, t->len - i);
        if (close == NULL) {
            return -1;
        }
        if (xml_is(t->p + a, a_len, name)) {
            *v = t->p + i;
            *v_len = (size_t)(close - (t->p + i));
            return 1;
        }
        i = (size_t)(close - t->p) + 1;
    }
}

/* The local name of t (after its prefix). */
static bool xml_local_is(const struct xml_tag *t, const char *local)
{
    size_t skip = t->prefix_len > 0 ? t->prefix_len + 1 : 0;
    return xml_is(t->p + skip, t->name_len - skip, local);
}

/* Whether t's element is in namespace ns: declared on the tag itself for
 * its prefix (xmlns / xmlns:P), or its prefix is the stream's. */
static bool xml_in_ns(const struct xmpp_ctx *c, const struct xml_tag *t, const char *ns)
{
    char decl[6 + XMPP_MAX_NAME] = "xmlns";
    if (t->prefix_len > 0) {
        snprintf(decl, sizeof(decl), "xmlns:%.*s", (int)t->prefix_len, t->p);
    }
    const char *v;
    size_t v_len;
    if (xml_attr(t, decl, &v, &v_len) == 1) {
        return xml_is(v, v_len, ns);
    }
    return t->prefix_len > 0 && ns == ns_streams && c->prefix[0] != '\0' &&
           xml_is(t->p, t->prefix_len, c->prefix);
}

static void xmpp_name_text(const struct xml_tag *t, char *buf, size_t size)
{
    starttls_bin_text(buf, size, (const unsigned char *)t->p, t->name_len);
}

/* The server's stream header (RFC 6120 §4.7). */
static enum net_dialogue_step xmpp_header(struct xmpp_ctx *c, const struct xml_tag *t, char *why,
                                          size_t why_len)
{
    char name[XMPP_MAX_NAME];
    xmpp_name_text(t, name, sizeof(name));
    if (t->end || !xml_local_is(t, "stream") || !xml_in_ns(c, t, ns_streams)) {
        snprintf(why, why_len, "expected the stream header, got <%s%s>", t->end ? "/" : "", name);
        return NET_DIALOGUE_FAILED;
    }
    const char *v;
    size_t v_len;
    if (xml_attr(t, "version", &v, &v_len) != 1 || v_len < 3 || v[0] < '1' || v[0] > '9') {
        snprintf(why, why_len,
                 "stream header without version='1.0' (no stream features, so "
                 "no STARTTLS)");
        return NET_DIALOGUE_FAILED;
    }
    if (t->empty) {
        snprintf(why, why_len, "the server's stream header closes the stream");
        return NET_DIALOGUE_FAILED;
    }
    snprintf(c->prefix, sizeof(c->prefix), "%.*s", (int)t->prefix_len, t->p);
    c->seen.greeted = true;
    if (xml_attr(t, "from", &v, &v_len) == 1) {
        starttls_bin_text(c->seen.banner, sizeof(c->seen.banner), (const unsigned char *)v, v_len);
    }
    c->depth = 1;
    c->phase = XMPP_WAIT_FEATURES;
    return NET_DIALOGUE_MORE;
}

/* A start tag of a child of the stream (depth 1 -> 2). */
static enum net_dialogue_step xmpp_child_start(struct xmpp_ctx *c, const struct xml_tag *t,
                                               char *why, size_t why_len)
{
    char name[XMPP_MAX_NAME];
    xmpp_name_text(t, name, sizeof(name));
    snprintf(c->child_name, sizeof(c->child_name), "%.*s", (int)t->name_len, t->p);
    if (xml_local_is(t, "error") && xml_in_ns(c, t, ns_streams)) {
        c->child = CHILD_ERROR;
    } else if (c->phase == XMPP_WAIT_FEATURES && xml_local_is(t, "features") &&
               xml_in_ns(c, t, ns_streams)) {
        c->child = CHILD_FEATURES;
    } else if (c->phase == XMPP_WAIT_PROCEED && xml_local_is(t, "proceed") &&
               xml_in_ns(c, t, ns_tls)) {
        c->child = CHILD_PROCEED;
    } else if (c->phase == XMPP_WAIT_PROCEED && xml_local_is(t, "failure") &&
               xml_in_ns(c, t, ns_tls)) {
        snprintf(why, why_len, "server refused STARTTLS (<failure/>)");
        return NET_DIALOGUE_FAILED;
    } else {
        snprintf(why, why_len, "unexpected <%s> %s", name,
                 c->phase == XMPP_WAIT_PROCEED ? "instead of <proceed/>"
                                               : "before <stream:features>");
        return NET_DIALOGUE_FAILED;
    }
    return NET_DIALOGUE_MORE;
}

/* The end of the open child of the stream (depth 2 -> 1), or an empty one. */
static enum net_dialogue_step xmpp_child_end(struct xmpp_ctx *c, struct wbuf *out, char *why,
                                             size_t why_len)
{
    switch (c->child) {
    case CHILD_FEATURES:
        /* the features are all that can be negotiated now (RFC 6120 4.3.2):
         * without SASL <mechanisms> no login is offered before TLS */
        c->seen.capabilities_read = true;
        c->seen.auth_known = true;
        if (!c->offered) {
            snprintf(why, why_len, "server does not offer STARTTLS");
            return NET_DIALOGUE_FAILED;
        }
        (void)wbuf_put_bytes(out, (const uint8_t *)starttls_cmd, sizeof(starttls_cmd) - 1);
        c->phase = XMPP_WAIT_PROCEED;
        c->child = CHILD_NONE;
        return NET_DIALOGUE_MORE;
    case CHILD_ERROR:
        snprintf(why, why_len, "stream error: %s%s",
                 c->condition[0] != '\0' ? c->condition : "(no condition)",
                 strcmp(c->condition, "host-unknown") == 0 ? " (the to= domain: --xmpp-host)" : "");
        return NET_DIALOGUE_FAILED;
    case CHILD_PROCEED:
        return NET_DIALOGUE_READY;
    case CHILD_NONE:
        break;
    }
    snprintf(why, why_len, "internal error: no child open");
    return NET_DIALOGUE_FAILED;
}

/* Appends a word of len bytes to seen.caps (space-separated; a word that
 * does not fit is left out). */
static void xmpp_cap(struct xmpp_ctx *c, const char *word, size_t len)
{
    size_t used = strlen(c->seen.caps); /* ours: always NUL-terminated */
    size_t sep = used > 0 ? 1 : 0;
    if (used + sep + len + 1 > sizeof(c->seen.caps)) {
        return;
    }
    if (sep) {
        c->seen.caps[used++] = ' ';
    }
    memcpy(c->seen.caps + used, word, len);
    c->seen.caps[used + len] = '\0';
}

/* The end of a <mechanism>: its name into the caps, PLAIN / LOGIN (the
 * password as it is, RFC 4616) as plaintext authentication. */
static void xmpp_mechanism_end(struct xmpp_ctx *c)
{
    char word[5 + sizeof(c->mech) + 1];
    int n = snprintf(word, sizeof(word), "SASL=%.*s", (int)c->mech_len, c->mech);
    if (n > 5) {
        xmpp_cap(c, word, (size_t)n);
    }
    if (xml_is(c->mech, c->mech_len, "PLAIN") || xml_is(c->mech, c->mech_len, "LOGIN")) {
        c->seen.plain_auth = true;
    }
    c->in_mechanism = false;
}

/* A start tag inside a child of the stream (depth >= 2 -> deeper). */
static void xmpp_inner_start(struct xmpp_ctx *c, const struct xml_tag *t)
{
    if (c->child == CHILD_FEATURES && c->depth == 2 && xml_local_is(t, "starttls") &&
        xml_in_ns(c, t, ns_tls)) {
        c->offered = true;
        c->seen.offered = true;
        xmpp_cap(c, "STARTTLS", 8);
        c->in_starttls = !t->empty;
    } else if (c->child == CHILD_FEATURES && c->depth == 2 && xml_local_is(t, "mechanisms") &&
               xml_in_ns(c, t, ns_sasl)) {
        c->in_mechanisms = !t->empty;
    } else if (c->child == CHILD_FEATURES && c->depth == 3 && c->in_mechanisms &&
               xml_local_is(t, "mechanism")) {
        c->in_mechanism = !t->empty;
        c->mech_len = 0;
    } else if (c->child == CHILD_FEATURES && c->depth == 3 && c->in_starttls &&
               xml_local_is(t, "required")) {
        c->required = true;
        xmpp_cap(c, "STARTTLS-REQUIRED", 17);
    } else if (c->child == CHILD_ERROR && c->depth == 2 && c->condition[0] == '\0' &&
               !xml_local_is(t, "text")) {
        size_t skip = t->prefix_len > 0 ? t->prefix_len + 1 : 0;
        starttls_bin_text(c->condition, sizeof(c->condition), (const unsigned char *)t->p + skip,
                          t->name_len - skip);
    }
}

/* One start or end tag inside the stream. */
static enum net_dialogue_step xmpp_element(struct xmpp_ctx *c, const struct xml_tag *t,
                                           struct wbuf *out, char *why, size_t why_len)
{
    enum net_dialogue_step s = NET_DIALOGUE_MORE;
    if (t->end) {
        if (c->depth == 1) {
            snprintf(why, why_len, "server closed the stream");
            return NET_DIALOGUE_FAILED;
        }
        if (c->depth == 2) {
            if (!xml_is(t->p, t->name_len, c->child_name)) {
                snprintf(why, why_len, "mismatched end tag");
                return NET_DIALOGUE_FAILED;
            }
            s = xmpp_child_end(c, out, why, why_len);
        }
        if (c->depth == 3) {
            c->in_starttls = false;
            c->in_mechanisms = false;
        }
        if (c->depth == 4 && c->in_mechanism) {
            xmpp_mechanism_end(c);
        }
        c->depth--;
        return s;
    }
    if (c->depth >= XMPP_MAX_DEPTH) {
        snprintf(why, why_len, "elements nested deeper than %d", XMPP_MAX_DEPTH);
        return NET_DIALOGUE_FAILED;
    }
    if (c->depth == 1) {
        s = xmpp_child_start(c, t, why, why_len);
        if (s != NET_DIALOGUE_MORE || !t->empty) {
            c->depth += s == NET_DIALOGUE_MORE;
            return s;
        }
        return xmpp_child_end(c, out, why, why_len);
    }
    xmpp_inner_start(c, t);
    c->depth += !t->empty;
    return NET_DIALOGUE_MORE;
}

/* One whole tag (c->tag). */
static enum net_dialogue_step xmpp_tag(struct xmpp_ctx *c, struct wbuf *out, char *why,
                                       size_t why_len)
{
    const char *p = c->tag;
    size_t len = c->tag_len;
    bool first = !c->seen_any;
    c->seen_any = true;
    if (len > 0 && p[0] == '?') {
        if (!first || len < 5 || memcmp(p, "?xml", 4) != 0 || !xml_space(p[4]) ||
            p[len - 1] != '?') {
            snprintf(why, why_len, "processing instruction other than the XML declaration");
            return NET_DIALOGUE_FAILED;
        }
        return NET_DIALOGUE_MORE;
    }
    struct xml_tag t;
    const char *v;
    size_t v_len;
    /* looking up a name no attribute has walks them all: -1 if malformed */
    if (!xml_tag_split(p, len, &t) || xml_attr(&t, "", &v, &v_len) < 0) {
        snprintf(why, why_len, "malformed tag");
        return NET_DIALOGUE_FAILED;
    }
    if (c->phase == XMPP_WAIT_HEADER) {
        return xmpp_header(c, &t, why, why_len);
    }
    return xmpp_element(c, &t, out, why, why_len);
}

/* One byte outside a tag. */
static enum net_dialogue_step xmpp_text(struct xmpp_ctx *c, uint8_t b, char *why, size_t why_len)
{
    if (b == '<') {
        c->in_tag = true;
        c->tag_len = 0;
        return NET_DIALOGUE_MORE;
    }
    if (c->in_mechanism && !xml_space((char)b)) {
        if (c->mech_len < sizeof(c->mech)) {
            c->mech[c->mech_len++] = b >= 0x21 && b < 0x7f ? (char)b : '?';
        }
        return NET_DIALOGUE_MORE;
    }
    if (c->depth <= 1 && !xml_space((char)b)) {
        snprintf(why, why_len, "text 0x%02x %s", b,
                 c->depth == 0 ? "before the stream header" : "directly in the stream");
        return NET_DIALOGUE_FAILED;
    }
    return NET_DIALOGUE_MORE;
}

static enum net_dialogue_step xmpp_byte(struct xmpp_ctx *c, uint8_t b, bool last, struct wbuf *out,
                                        char *why, size_t why_len)
{
    if (!c->in_tag) {
        return xmpp_text(c, b, why, why_len);
    }
    if (c->quote != 0) {
        c->quote = (char)b == c->quote ? 0 : c->quote;
    } else if (b == '\'' || b == '"') {
        c->quote = (char)b;
    } else if (b == '<') {
        snprintf(why, why_len, "'<' inside a tag");
        return NET_DIALOGUE_FAILED;
    } else if (b == '>') {
        c->in_tag = false;
        enum net_dialogue_step s = xmpp_tag(c, out, why, why_len);
        if (s == NET_DIALOGUE_READY && !last) {
            snprintf(why, why_len, "bytes after the server's go-ahead (<proceed/>), before TLS");
            return NET_DIALOGUE_FAILED;
        }
        return s;
    }
    if (c->tag_len == 0 && b == '!') { /* refused at once: "<!--" may hold '<' and '>' */
        snprintf(why, why_len, "XML comment, CDATA or DTD in the stream (RFC 6120 section 11.1)");
        return NET_DIALOGUE_FAILED;
    }
    if (c->tag_len == sizeof(c->tag)) {
        snprintf(why, why_len, "tag longer than %d bytes", XMPP_MAX_TAG);
        return NET_DIALOGUE_FAILED;
    }
    if (b == 0) {
        snprintf(why, why_len, "NUL byte in a tag");
        return NET_DIALOGUE_FAILED;
    }
    c->tag[c->tag_len++] = (char)b;
    return NET_DIALOGUE_MORE;
}

static enum net_dialogue_step xmpp_on_bytes(void *ctx, const void *arg, const uint8_t *in,
                                            size_t len, struct wbuf *out, char *why, size_t why_len)
{
    struct xmpp_ctx *c = ctx;
    (void)arg;
    for (size_t i = 0; i < len; i++) {
        if (++c->n_in > NET_DIALOGUE_MAX_IN) {
            snprintf(why, why_len, "more than %d bytes without <proceed/>", NET_DIALOGUE_MAX_IN);
            return NET_DIALOGUE_FAILED;
        }
        enum net_dialogue_step s = xmpp_byte(c, in[i], i + 1 == len, out, why, why_len);
        if (s != NET_DIALOGUE_MORE) {
            return s;
        }
    }
    return NET_DIALOGUE_MORE;
}

/* The domain goes into an attribute between single quotes: only the
 * characters of DNS names and IP literals. */
static bool xmpp_domain_ok(const char *d)
{
    size_t n = d != NULL ? strlen(d) : 0; /* ours, not the server's */
    if (n == 0 || n > XMPP_MAX_DOMAIN) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char ch = d[i];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '_' || ch == ':' ||
                  ch == '[' || ch == ']';
        if (!ok) {
            return false;
        }
    }
    return true;
}

static enum net_dialogue_step xmpp_start(void *ctx, const void *arg, struct wbuf *out, char *why,
                                         size_t why_len)
{
    const struct starttls_xmpp_arg *a = arg;
    (void)ctx;
    if (a == NULL || !xmpp_domain_ok(a->domain)) {
        snprintf(why, why_len, "no usable XMPP domain for the stream's to= (--xmpp-host)");
        return NET_DIALOGUE_FAILED;
    }
    char hdr[512];
    int n = snprintf(hdr, sizeof(hdr),
                     "<?xml version='1.0'?><stream:stream xmlns='jabber:%s' "
                     "xmlns:stream='%s' to='%s' version='1.0'>",
                     a->server ? "server" : "client", ns_streams, a->domain);
    if (n < 0 || (size_t)n >= sizeof(hdr) ||
        !wbuf_put_bytes(out, (const uint8_t *)hdr, (size_t)n)) {
        snprintf(why, why_len, "cannot build the stream header");
        return NET_DIALOGUE_FAILED;
    }
    return NET_DIALOGUE_MORE;
}

const struct net_dialogue_ops starttls_xmpp_ops = {
    .name = "xmpp",
    .ctx_size = sizeof(struct xmpp_ctx),
    .start = xmpp_start,
    .on_bytes = xmpp_on_bytes,
};

/* Builds the argument: one block, the domain right after the struct. */
static int xmpp_arg_new(const struct starttls_params *p, bool server, void **out, char *why,
                        size_t why_len)
{
    *out = NULL;
    const char *d = p == NULL              ? NULL
                    : p->xmpp_host != NULL ? p->xmpp_host
                    : p->sni != NULL       ? p->sni
                                           : p->host;
    if (!xmpp_domain_ok(d)) {
        snprintf(why, why_len, "not a domain for the XMPP stream's to= (--xmpp-host): %.64s",
                 d != NULL ? d : "(none)");
        return -1;
    }
    size_t n = strlen(d); /* ours: checked above */
    struct starttls_xmpp_arg *a = calloc(1, sizeof(*a) + n + 1);
    if (a == NULL) {
        snprintf(why, why_len, "out of memory");
        return -1;
    }
    char *copy = (char *)(a + 1);
    memcpy(copy, d, n + 1);
    a->domain = copy;
    a->server = server;
    *out = a;
    return 0;
}

int starttls_xmpp_arg_new(const struct starttls_params *p, void **out, char *why, size_t why_len)
{
    return xmpp_arg_new(p, false, out, why, why_len);
}

int starttls_xmpp_server_arg_new(const struct starttls_params *p, void **out, char *why,
                                 size_t why_len)
{
    return xmpp_arg_new(p, true, out, why, why_len);
}
