package dev.millrace.streaming.rtmp.handshake;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The HMAC-SHA256 digests of the "complex" RTMP handshake that Flash Player and Flash Media Server introduced on
 * top of RTMP 1.0 section 5.2. The RTMP 1.0 specification does not describe them; the layout below is the one
 * every peer in the field uses (FFmpeg {@code rtmpproto.c}, nginx-rtmp {@code ngx_rtmp_handshake.c}, librtmp
 * {@code handshake.h}).
 *
 * <p>A complex C1 or S1 is {@code time(4) + version(4, non-zero) + 1528 bytes} with a 32-byte digest somewhere in
 * the 1528 bytes. Where it sits depends on the scheme:
 * <ul>
 *   <li>scheme 0: offset = (b[8] + b[9] + b[10] + b[11]) mod 728 + 12</li>
 *   <li>scheme 1: offset = (b[772] + b[773] + b[774] + b[775]) mod 728 + 776</li>
 * </ul>
 * The digest is HMAC-SHA256 over the 1536 bytes without the 32 digest bytes, keyed with the first 30 bytes of the
 * Flash Player key (C1) or the first 36 bytes of the Flash Media Server key (S1). A complex S2 (or C2) is 1504
 * bytes followed by HMAC-SHA256(key = HMAC-SHA256(full peer key, peer's C1/S1 digest), those 1504 bytes).
 *
 * <p>These keys are public constants, not secrets: the digests only prove that a peer knows the convention.
 * All methods are static and thread-safe (one {@link Mac} per thread).
 */
final class HandshakeDigest {

    /** Length of C1, S1, C2 and S2 (RTMP 1.0 section 5.2.3 and 5.2.4). */
    static final int PACKET_BYTES = 1536;

    /** Length of an HMAC-SHA256 digest. */
    static final int DIGEST_BYTES = 32;

    /** {@link #validateC1} result: C1 carries no digest we recognise. */
    static final int NO_SCHEME = -1;

    /** Bytes of S2 (or C2) before its signature. */
    private static final int SIGNED_PART_BYTES = PACKET_BYTES - DIGEST_BYTES;

    /** The 32 bytes that follow the ASCII part of both keys. */
    private static final byte[] KEY_TAIL = {
            (byte) 0xF0, (byte) 0xEE, (byte) 0xC2, (byte) 0x4A, (byte) 0x80, (byte) 0x68, (byte) 0xBE, (byte) 0xE8,
            (byte) 0x2E, (byte) 0x00, (byte) 0xD0, (byte) 0xD1, (byte) 0x02, (byte) 0x9E, (byte) 0x7E, (byte) 0x57,
            (byte) 0x6E, (byte) 0xEC, (byte) 0x5D, (byte) 0x2D, (byte) 0x29, (byte) 0x80, (byte) 0x6F, (byte) 0xAB,
            (byte) 0x93, (byte) 0xB8, (byte) 0xE6, (byte) 0x36, (byte) 0xCF, (byte) 0xEB, (byte) 0x31, (byte) 0xAE};

    /** "Genuine Adobe Flash Player 001" + {@link #KEY_TAIL}: 62 bytes; its first 30 bytes sign C1. */
    private static final byte[] FP_KEY = key("Genuine Adobe Flash Player 001");

    /** "Genuine Adobe Flash Media Server 001" + {@link #KEY_TAIL}: 68 bytes; its first 36 bytes sign S1. */
    private static final byte[] FMS_KEY = key("Genuine Adobe Flash Media Server 001");

    /** The part of {@link #FP_KEY} that signs C1: its ASCII text. */
    private static final int FP_KEY_PARTIAL_BYTES = 30;

    /** The part of {@link #FMS_KEY} that signs S1: its ASCII text. */
    private static final int FMS_KEY_PARTIAL_BYTES = 36;

    private static final String HMAC_SHA256 = "HmacSHA256";

    private static final ThreadLocal<Mac> MAC = ThreadLocal.withInitial(HandshakeDigest::newMac);

    private HandshakeDigest() {
    }

    /**
     * Where the digest of a complex C1/S1 sits for the given scheme.
     *
     * @param packet borrowed; a 1536-byte C1 or S1
     * @param scheme 0 or 1
     * @return the offset of the 32 digest bytes: 12..739 for scheme 0, 776..1503 for scheme 1
     */
    static int digestOffset(byte[] packet, int scheme) {
        int base = scheme == 0 ? 8 : 772;
        int sum = (packet[base] & 0xFF) + (packet[base + 1] & 0xFF) + (packet[base + 2] & 0xFF)
                + (packet[base + 3] & 0xFF);
        return sum % 728 + base + 4;
    }

    /**
     * Finds the scheme of a complex C1: scheme 1 is tried first, then scheme 0, each with the 30-byte Flash Player
     * key (nginx-rtmp's order).
     *
     * @param c1 borrowed; the 1536 bytes of C1 (C0 not included)
     * @return 0 or 1, or {@link #NO_SCHEME} when neither digest matches
     */
    static int validateC1(byte[] c1) {
        checkPacket(c1);
        byte[] digest = new byte[DIGEST_BYTES];
        for (int scheme = 1; scheme >= 0; scheme--) {
            int offset = digestOffset(c1, scheme);
            packetDigest(c1, offset, FP_KEY, FP_KEY_PARTIAL_BYTES, digest, 0);
            if (Arrays.equals(digest, 0, DIGEST_BYTES, c1, offset, offset + DIGEST_BYTES)) {
                return scheme;
            }
        }
        return NO_SCHEME;
    }

    /**
     * Writes the scheme-0 digest of S1 into S1, keyed with the 36-byte Flash Media Server key. Bytes 8..11 choose
     * the offset, so they must be final before this call.
     *
     * @param s1 borrowed, modified in place; the 1536 bytes of S1 with its time, version and random bytes set
     * @return the offset the digest was written at
     */
    static int signS1(byte[] s1) {
        checkPacket(s1);
        int offset = digestOffset(s1, 0);
        packetDigest(s1, offset, FMS_KEY, FMS_KEY_PARTIAL_BYTES, s1, offset);
        return offset;
    }

    /**
     * Writes the signature of a complex S2 into its last 32 bytes: HMAC-SHA256 of {@code s2[0..1504)} keyed with
     * HMAC-SHA256(68-byte Flash Media Server key, the C1 digest).
     *
     * @param s2 borrowed, modified in place; 1536 bytes whose first 1504 are already set
     * @param c1 borrowed; the client's C1
     * @param c1Scheme the scheme {@link #validateC1} found in {@code c1}, 0 or 1
     */
    static void signS2(byte[] s2, byte[] c1, int c1Scheme) {
        checkPacket(s2);
        checkPacket(c1);
        if (c1Scheme != 0 && c1Scheme != 1) {
            throw new IllegalArgumentException("scheme must be 0 or 1: " + c1Scheme);
        }
        int c1DigestOffset = digestOffset(c1, c1Scheme);
        Mac mac = MAC.get();
        try {
            mac.init(new SecretKeySpec(FMS_KEY, HMAC_SHA256));
            mac.update(c1, c1DigestOffset, DIGEST_BYTES);
            byte[] signingKey = mac.doFinal();
            mac.init(new SecretKeySpec(signingKey, HMAC_SHA256));
            mac.update(s2, 0, SIGNED_PART_BYTES);
            mac.doFinal(s2, SIGNED_PART_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 failed", e);
        }
    }

    /**
     * Writes to {@code out[outOffset..outOffset+32)} the HMAC-SHA256, keyed with {@code key[0..keyLength)}, of the
     * packet without its 32 digest bytes at {@code offset}. {@code out} may be the packet itself: the digest is
     * written after all input was read.
     */
    private static void packetDigest(byte[] packet, int offset, byte[] key, int keyLength, byte[] out,
            int outOffset) {
        Mac mac = MAC.get();
        try {
            mac.init(new SecretKeySpec(key, 0, keyLength, HMAC_SHA256));
            mac.update(packet, 0, offset);
            mac.update(packet, offset + DIGEST_BYTES, PACKET_BYTES - offset - DIGEST_BYTES);
            mac.doFinal(out, outOffset);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 failed", e);
        }
    }

    private static void checkPacket(byte[] packet) {
        if (packet.length != PACKET_BYTES) {
            throw new IllegalArgumentException("handshake packets are 1536 bytes: " + packet.length);
        }
    }

    private static byte[] key(String ascii) {
        byte[] text = ascii.getBytes(StandardCharsets.US_ASCII);
        byte[] key = Arrays.copyOf(text, text.length + KEY_TAIL.length);
        System.arraycopy(KEY_TAIL, 0, key, text.length, KEY_TAIL.length);
        return key;
    }

    private static Mac newMac() {
        try {
            return Mac.getInstance(HMAC_SHA256);
        } catch (GeneralSecurityException e) {
            // Every Java SE implementation must provide HmacSHA256 (javax.crypto.Mac Javadoc).
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
