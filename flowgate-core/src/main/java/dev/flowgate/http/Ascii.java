package dev.flowgate.http;

import java.nio.charset.StandardCharsets;

/**
 * Scanning and matching HTTP/1.1 text where it lies in a read buffer, {@code bytes[from, to)}, so
 * that heads are parsed without first being copied into strings. Shared by the server's request
 * reader and the processor client's answer reader.
 */
public final class Ascii {
    private Ascii() {
    }

    /** The first index of {@code c} in {@code bytes[from, to)}, or -1. */
    public static int indexOf(byte[] bytes, char c, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == c) {
                return i;
            }
        }
        return -1;
    }

    /** The last index of {@code c} in {@code bytes[from, to)}, or -1. */
    public static int lastIndexOf(byte[] bytes, char c, int from, int to) {
        for (int i = to - 1; i >= from; i--) {
            if (bytes[i] == c) {
                return i;
            }
        }
        return -1;
    }

    /** Whether {@code bytes[from, to)} spells {@code s} exactly. */
    public static boolean equals(byte[] bytes, int from, int to, String s) {
        if (to - from != s.length()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (bytes[from + i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code bytes[from, to)} spells {@code lowerCase}, ignoring ASCII case. */
    public static boolean equalsIgnoreCase(byte[] bytes, int from, int to, String lowerCase) {
        if (to - from != lowerCase.length()) {
            return false;
        }
        for (int i = 0; i < lowerCase.length(); i++) {
            int b = bytes[from + i];
            if (b >= 'A' && b <= 'Z') {
                b += 'a' - 'A';
            }
            if (b != lowerCase.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** {@code bytes[from, to)} as a string, one char per byte (ISO-8859-1, as HTTP/1.1 heads are read). */
    public static String latin1(byte[] bytes, int from, int to) {
        return new String(bytes, from, to - from, StandardCharsets.ISO_8859_1);
    }
}
