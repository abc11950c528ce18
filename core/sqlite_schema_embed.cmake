# sqlite_schema_embed.cmake: turns schemas/wanprof.sql into a C source holding it as a NUL-terminated byte array, so
# the library carries its schema (run as `cmake -DIN=... -DOUT=... -P sqlite_schema_embed.cmake` at build time).
file(READ "${IN}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
file(WRITE "${OUT}.tmp"
  "/* Generated from schemas/wanprof.sql by core/sqlite_schema_embed.cmake; do not edit. */\n"
  "#include \"sqlite_format.h\"\n\n"
  "const char wp_sqlite_schema_sql[] = {\n${bytes}0x00};\n")
file(RENAME "${OUT}.tmp" "${OUT}")
