package dev.millrace.streaming.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Handling of stream keys and other secrets: redaction for logs, constant-time comparison. */
public final class Secrets {

    private Secrets() {
    }

    /**
     * A form of {@code value} safe to log: at most its first two characters, then {@code ***} and the length, so
     * operators can tell keys apart without learning them. {@code null} stays {@code "null"}.
     */
    public static String redact(String value) {
        if (value == null) {
            return "null";
        }
        int shown = value.length() >= 12 ? 2 : 0;
        return value.substring(0, shown) + "***(" + value.length() + ")";
    }

    /**
     * Compares two secrets in time that depends only on their lengths, never on where they first differ.
     * {@code null} equals nothing.
     */
    public static boolean constantTimeEquals(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
