/* options.h: one table of options per command, in the style of perf's parse-options. The parser, the usage line and
 * OPTIONS section of the help page, and the bash completion's word lists (`wanprof __complete CMD`) all read the same
 * table, so a new option is one entry. Values are stored at an offset into the command's own options struct; a group
 * entry includes another table (the analysis options every analysing command takes) at the offset of its struct. */
#ifndef WP_OPTIONS_H
#define WP_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

typedef enum wp_opt_kind {
    WP_OPT_END = 0, /* ends a table */
    WP_OPT_FLAG,    /* int, set to 1 */
    WP_OPT_STRING,  /* const char *, the value as given; check may refuse it */
    WP_OPT_INT,     /* int in [min, max] */
    WP_OPT_DOUBLE,  /* finite double in [min, max] */
    WP_OPT_RANGE,   /* wp_opt_range: "N" or "A-B" */
    WP_OPT_ENUM,    /* int: parse(word), or the word's index when parse is NULL */
    WP_OPT_LIST,    /* const char *: comma-separated words, each one of word(i) */
    WP_OPT_GROUP,   /* the entries of group, their offsets counted from this entry's offset */
} wp_opt_kind;

typedef struct wp_opt_range {
    long long lo, hi; /* inclusive; lo == hi for a single N */
    int given;        /* 0: the option was not on the command line */
} wp_opt_range;

typedef struct wp_option wp_option;
struct wp_option {
    wp_opt_kind kind;
    const char *name;         /* long name without "--" */
    char short_name;          /* 'o' for -o; 0 for none */
    size_t offset;            /* of the value in the command's options struct */
    const char *arg;          /* the value's name in usage and help ("N", "RE"); FILE, NAME, FILE.ext complete files */
    const char *help;         /* for the OPTIONS section; '\n' starts a new line */
    double min, max;          /* WP_OPT_INT, WP_OPT_DOUBLE: the accepted values */
    const char *(*word)(int i);     /* WP_OPT_ENUM, WP_OPT_LIST: the i-th accepted word; NULL past the last */
    int (*parse)(const char *word); /* WP_OPT_ENUM: the value to store for word, -1 to refuse; NULL: word's index */
    const char *(*check)(const char *value); /* WP_OPT_STRING: NULL when value is fine, else what it should be */
    const char *alias;        /* another accepted long name, documented on the help page */
    int alias_is_old;         /* 1: alias is a renamed option's old name, kept for one release: using it warns */
    const wp_option *group;   /* WP_OPT_GROUP: the included table */
};

enum {
    WP_OPTS_STOP_AT_OPERAND = 1, /* the first operand ends the options (run: the rest is the program's) */
};

/* What wp_options_parse returns besides an exit status of a usage error. */
enum { WP_OPTS_OK = 0, WP_OPTS_HELP = -1 };

/* Parses argv[1..argc) of command cmd (argv[0] is its name) against table, storing values into opts. Options and
 * operands may come in any order; "--" ends the options. Moves the operands, in order, to argv[1..*nargs] and sets
 * argv[*nargs + 1] = NULL. Returns WP_OPTS_OK; WP_OPTS_HELP after printing the help page for -h/--help; or
 * EXIT_USAGE after printing a message naming the option (unknown option, missing or bad value). */
int wp_options_parse(const char *cmd, const wp_option *table, void *opts, int flags, int argc, char **argv,
                     int *nargs);

/* The usage line: "    wanprof CMD [--opt ARG]... OPERANDS", wrapped. */
void wp_options_usage(const char *cmd, const wp_option *table, const char *operands, FILE *out);
/* The OPTIONS section's entries: names, value, help (with enum words, aliases), and -h, --help. */
void wp_options_help(const wp_option *table, FILE *out);
/* For bash completion and the tests, one line per spelling: "NAME flag", "NAME value ARG", "NAME file [EXT]",
 * "NAME words W...", "NAME list W..." (comma-separated words). Old names are left out. */
void wp_options_complete(const wp_option *table, FILE *out);

#endif
