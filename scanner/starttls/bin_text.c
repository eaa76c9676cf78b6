/*
 * scanner/starttls/bin_text.c - server text made safe for a failure reason
 * (binary.h): what the binary dialogues quote of a server's words.
 */
#include "scanner/starttls/binary.h"

void starttls_bin_text(char *dst, size_t dst_size, const unsigned char *src, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (o + 1 >= dst_size) {
            if (dst_size >= 4) {
                dst[dst_size - 4] = '.';
                dst[dst_size - 3] = '.';
                dst[dst_size - 2] = '.';
                o = dst_size - 1;
            }
            break;
        }
        unsigned char c = src[i];
        dst[o++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    dst[o] = '\0';
}
