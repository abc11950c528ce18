/* options.c: the option-table parser and what is generated from the tables (see options.h). */
#include "options.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { HELP_COLUMN = 24, PAGE_WIDTH = 116 };

typedef struct found {
    const wp_option *opt;
    size_t offset;  /* of the value, from the start of the command's struct */
    int by_old_name;
} found;

/* The first entry (depth first through groups, in table order) named name[0..len) or with that alias: an entry
 * earlier in a table shadows a later one of the same name, which is how a command keeps an old spelling. */
static int find_long(const wp_option *t, size_t base, const char *name, size_t len, found *f)
{
    for (; t->kind != WP_OPT_END; t++) {
        if (t->kind == WP_OPT_GROUP) {
            if (find_long(t->group, base + t->offset, name, len, f))
                return 1;
            continue;
        }
        int by_name = strlen(t->name) == len && strncmp(t->name, name, len) == 0;
        int by_alias = t->alias && strlen(t->alias) == len && strncmp(t->alias, name, len) == 0;
        if (by_name || by_alias) {
            *f = (found){t, base + t->offset, by_alias && t->alias_is_old};
            return 1;
        }
    }
    return 0;
}

static int find_short(const wp_option *t, size_t base, char c, found *f)
{
    for (; t->kind != WP_OPT_END; t++) {
        if (t->kind == WP_OPT_GROUP && find_short(t->group, base + t->offset, c, f))
            return 1;
        if (t->kind != WP_OPT_GROUP && t->short_name && t->short_name == c) {
            *f = (found){t, base + t->offset, 0};
            return 1;
        }
    }
    return 0;
}

/* An entry a user can reach: not shadowed by an earlier one of the same name. */
static int reachable(const wp_option *root, const wp_option *o)
{
    found f;
    return find_long(root, 0, o->name, strlen(o->name), &f) && f.opt == o;
}

/* Calls fn for every reachable entry, groups expanded in place. */
static void each(const wp_option *root, const wp_option *t, void (*fn)(const wp_option *, void *), void *ctx)
{
    for (; t->kind != WP_OPT_END; t++) {
        if (t->kind == WP_OPT_GROUP)
            each(root, t->group, fn, ctx);
        else if (reachable(root, t))
            fn(t, ctx);
    }
}

/* "a, b, c": the words of an enum or list option. */
static void words_text(const wp_option *o, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; o->word(i) && used < cap; i++)
        used += (size_t)snprintf(buf + used, cap - used, "%s%s", i ? ", " : "", o->word(i));
}

static int find_word(const wp_option *o, const char *s, size_t len)
{
    for (int i = 0; o->word(i); i++)
        if (strlen(o->word(i)) == len && strncmp(o->word(i), s, len) == 0)
            return i;
    return -1;
}

static int parse_range(const char *s, wp_opt_range *r)
{
    char *end;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    r->lo = r->hi = strtoll(s, &end, 10);
    if (*end == '-') {
        s = end + 1;
        if (*s < '0' || *s > '9')
            return -1;
        r->hi = strtoll(s, &end, 10);
    }
    return errno || *end || r->hi < r->lo ? -1 : 0;
}

static int bad_value(const char *cmd, const char *spelled, const char *wants, const char *value)
{
    return cli_usage_error(cmd, "%s wants %s, not '%s'", spelled, wants, value);
}

/* Stores value for option o at dest; returns 0 or EXIT_USAGE after a message naming the option. */
static int store(const char *cmd, const char *spelled, const wp_option *o, char *dest, const char *value)
{
    char wants[512], *end;
    errno = 0;
    switch (o->kind) {
    case WP_OPT_STRING: {
        const char *why = o->check ? o->check(value) : NULL;
        if (why)
            return bad_value(cmd, spelled, why, value);
        *(const char **)dest = value;
        return 0;
    }
    case WP_OPT_INT: {
        long v = strtol(value, &end, 10);
        if (errno || end == value || *end || v < o->min || v > o->max) {
            snprintf(wants, sizeof(wants), "an integer from %.0f to %.0f", o->min, o->max);
            return bad_value(cmd, spelled, wants, value);
        }
        *(int *)dest = (int)v;
        return 0;
    }
    case WP_OPT_DOUBLE: {
        double v = strtod(value, &end);
        if (errno || end == value || *end || !isfinite(v) || v < o->min || v > o->max) {
            snprintf(wants, sizeof(wants), "a number from %g to %g", o->min, o->max);
            return bad_value(cmd, spelled, wants, value);
        }
        *(double *)dest = v;
        return 0;
    }
    case WP_OPT_RANGE: {
        wp_opt_range r = {0, 0, 1};
        if (parse_range(value, &r) != 0)
            return bad_value(cmd, spelled, "a step N or a range A-B (A <= B)", value);
        *(wp_opt_range *)dest = r;
        return 0;
    }
    case WP_OPT_ENUM: {
        int v = o->parse ? o->parse(value) : find_word(o, value, strlen(value));
        if (v < 0) {
            words_text(o, wants + 7, sizeof(wants) - 7);
            memcpy(wants, "one of ", 7);
            return bad_value(cmd, spelled, wants, value);
        }
        *(int *)dest = v;
        return 0;
    }
    case WP_OPT_LIST:
        for (const char *p = value; *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ',')) {
            size_t len = strcspn(p, ",");
            if (len && find_word(o, p, len) < 0) {
                words_text(o, wants, sizeof(wants));
                return cli_usage_error(cmd, "%s: unknown word '%.*s' in '%s' (a comma-separated list of %s)", spelled,
                                       (int)len, p, value, wants);
            }
        }
        *(const char **)dest = value;
        return 0;
    default:
        return cli_usage_error(cmd, "%s: unsupported option kind", spelled);
    }
}

/* Parses the option at argv[i]; returns how many argv entries it used, or -1 after a usage message. */
static int one_option(const char *cmd, const wp_option *table, char *base, int argc, char **argv, int i)
{
    const char *a = argv[i], *value = NULL;
    char spelled[128];
    found f;
    if (a[1] == '-') {
        const char *name = a + 2, *eq = strchr(name, '=');
        int len = eq ? (int)(eq - name) : (int)strlen(name);
        snprintf(spelled, sizeof(spelled), "--%.*s", len, name);
        if (!find_long(table, 0, name, (size_t)len, &f)) {
            cli_usage_error(cmd, "unknown option '%s'", spelled);
            return -1;
        }
        value = eq ? eq + 1 : NULL;
    } else {
        snprintf(spelled, sizeof(spelled), "-%c", a[1]);
        if (!find_short(table, 0, a[1], &f)) {
            cli_usage_error(cmd, "unknown option '%s'", spelled);
            return -1;
        }
        value = a[2] ? a + 2 : NULL; /* -oFILE */
    }
    if (f.by_old_name)
        fprintf(stderr, "wanprof %s: warning: %s is the old name of --%s; it still works in this release, not after\n",
                cmd, spelled, f.opt->name);
    if (f.opt->kind == WP_OPT_FLAG) {
        if (value) {
            cli_usage_error(cmd, "%s takes no value (got '%s')", spelled, value);
            return -1;
        }
        *(int *)(base + f.offset) = 1;
        return 1;
    }
    int used = 1;
    if (!value) {
        if (i + 1 >= argc) {
            cli_usage_error(cmd, "%s needs a value (%s)", spelled, f.opt->arg);
            return -1;
        }
        value = argv[i + 1];
        used = 2;
    }
    return store(cmd, spelled, f.opt, base + f.offset, value) ? -1 : used;
}

int wp_options_parse(const char *cmd, const wp_option *table, void *opts, int flags, int argc, char **argv,
                     int *nargs)
{
    int n = 0, i = 1;
    for (; i < argc; i++) {
        char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (a[0] != '-' || a[1] == '\0') { /* an operand ("-" alone too, as getopt has it) */
            argv[1 + n++] = a;
            if (flags & WP_OPTS_STOP_AT_OPERAND) {
                i++;
                break;
            }
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            cli_print_help(wp_command_find(cmd), stdout);
            return WP_OPTS_HELP;
        }
        int used = one_option(cmd, table, opts, argc, argv, i);
        if (used < 0)
            return EXIT_USAGE;
        i += used - 1;
    }
    while (i < argc) /* operands move down over the options: the write index never passes the read index */
        argv[1 + n++] = argv[i++];
    argv[1 + n] = NULL;
    *nargs = n;
    return WP_OPTS_OK;
}

/* Writes text from column col (the cursor is there), wrapping at PAGE_WIDTH to column indent. */
static void wrap(FILE *out, const char *text, int col, int indent)
{
    while (*text) {
        size_t word = strcspn(text, " \n");
        if (col > indent && col + 1 + (int)word > PAGE_WIDTH) {
            fprintf(out, "\n%*s", indent, "");
            col = indent;
        } else if (col > indent) {
            fputc(' ', out);
            col++;
        }
        fwrite(text, 1, word, out);
        col += (int)word;
        text += word;
        if (*text == '\n') {
            fprintf(out, "\n%*s", indent, "");
            col = indent;
        }
        text += *text != '\0';
    }
}

typedef struct usage_ctx {
    FILE *out;
    int col, indent;
} usage_ctx;

static void usage_token(usage_ctx *u, const char *token)
{
    if (u->col + 1 + (int)strlen(token) > PAGE_WIDTH) {
        fprintf(u->out, "\n%*s", u->indent, "");
        u->col = u->indent;
    } else {
        fputc(' ', u->out);
        u->col++;
    }
    u->col += fprintf(u->out, "%s", token);
}

static void usage_option(const wp_option *o, void *ctx)
{
    char token[160];
    if (o->short_name)
        snprintf(token, sizeof(token), "[-%c%s%s]", o->short_name, o->arg ? " " : "", o->arg ? o->arg : "");
    else
        snprintf(token, sizeof(token), "[--%s%s%s]", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
    usage_token(ctx, token);
}

void wp_options_usage(const char *cmd, const wp_option *table, const char *operands, FILE *out)
{
    usage_ctx u = {out, 0, 0};
    u.col = fprintf(out, "    wanprof %s", cmd);
    u.indent = u.col + 1;
    each(table, table, usage_option, &u);
    if (operands && *operands)
        usage_token(&u, operands);
    fputc('\n', out);
}

static void help_option(const wp_option *o, void *ctx)
{
    FILE *out = ctx;
    char text[1024], words[512];
    int col = fprintf(out, "    ");
    if (o->short_name)
        col += fprintf(out, "-%c, ", o->short_name);
    col += fprintf(out, "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
    if (col + 2 > HELP_COLUMN) {
        fprintf(out, "\n");
        col = 0;
    }
    fprintf(out, "%*s", HELP_COLUMN - col, "");
    size_t n = (size_t)snprintf(text, sizeof(text), "%s", o->help);
    if ((o->kind == WP_OPT_ENUM || o->kind == WP_OPT_LIST) && n < sizeof(text)) {
        words_text(o, words, sizeof(words));
        n += (size_t)snprintf(text + n, sizeof(text) - n, "; %s is %s %s", o->arg,
                              o->kind == WP_OPT_LIST ? "a comma-separated list of" : "one of", words);
    }
    if (o->alias && n < sizeof(text))
        snprintf(text + n, sizeof(text) - n,
                 o->alias_is_old ? "; --%s, its old name, still works in this release (with a warning), not after"
                                 : "; also --%s",
                 o->alias);
    wrap(out, text, HELP_COLUMN, HELP_COLUMN);
    fputc('\n', out);
}

void wp_options_help(const wp_option *table, FILE *out)
{
    each(table, table, help_option, out);
    fprintf(out, "    -h, --help%*sthis page\n", HELP_COLUMN - 14, "");
}

static void complete_kind(const wp_option *o, FILE *out)
{
    const char *dot = o->arg ? strchr(o->arg, '.') : NULL;
    if (o->kind == WP_OPT_FLAG) {
        fprintf(out, "flag");
    } else if (o->kind == WP_OPT_ENUM || o->kind == WP_OPT_LIST) {
        fprintf(out, "%s", o->kind == WP_OPT_ENUM ? "words" : "list");
        for (int i = 0; o->word(i); i++)
            fprintf(out, " %s", o->word(i));
    } else if (o->arg && (strncmp(o->arg, "FILE", 4) == 0 || strcmp(o->arg, "NAME") == 0)) {
        fprintf(out, "file%s%s", dot ? " " : "", dot ? dot + 1 : "");
    } else {
        fprintf(out, "value %s", o->arg);
    }
    fputc('\n', out);
}

static void complete_option(const wp_option *o, void *ctx)
{
    FILE *out = ctx;
    fprintf(out, "--%s ", o->name);
    complete_kind(o, out);
    if (o->short_name) {
        fprintf(out, "-%c ", o->short_name);
        complete_kind(o, out);
    }
    if (o->alias && !o->alias_is_old) {
        fprintf(out, "--%s ", o->alias);
        complete_kind(o, out);
    }
}

void wp_options_complete(const wp_option *table, FILE *out)
{
    each(table, table, complete_option, out);
    fprintf(out, "--help flag\n-h flag\n");
}
