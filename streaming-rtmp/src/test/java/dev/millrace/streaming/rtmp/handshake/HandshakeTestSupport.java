package dev.millrace.streaming.rtmp.handshake;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Test-side handshake arithmetic, written from the field guide (RTMP-FIELD-GUIDE.md section 3) and FFmpeg's
 * {@code rtmpproto.c} independently of {@link HandshakeDigest}, plus buffer helpers. Nothing here calls production
 * code.
 */
final class HandshakeTestSupport {

    static final int PACKET = 1536;

    /** "Genuine Adobe Flash Player 001" (30 ASCII bytes) followed by the 32 bytes shared by both keys. */
    static final byte[] FP_KEY = concat(
            "Genuine Adobe Flash Player 001".getBytes(StandardCharsets.US_ASCII),
            hex("F0EEC24A8068BEE8 2E00D0D1029E7E57 6EEC5D2D29806FAB 93B8E636CFEB31AE"));

    /** "Genuine Adobe Flash Media Server 001" (36 ASCII bytes) followed by the same 32 bytes. */
    static final byte[] FMS_KEY = concat(
            "Genuine Adobe Flash Media Server 001".getBytes(StandardCharsets.US_ASCII),
            hex("F0EEC24A8068BEE8 2E00D0D1029E7E57 6EEC5D2D29806FAB 93B8E636CFEB31AE"));

    /**
     * C0 + C1 exactly as FFmpeg 8.0.1 sends them (bytedeco ffmpeg 8.0.1-1.5.13, linux-x86_64-gpl), captured with
     * a Python socket listener that saved the first 1537 bytes it received from
     * {@code ffmpeg -hide_banner -nostdin -f lavfi -i testsrc=size=64x64:rate=5 -t 1 -c:v libx264 -f flv
     * rtmp://127.0.0.1:PORT/live/x}; {@code ffmpeg -i rtmp://127.0.0.1:PORT/live/x -f null -} sends the same
     * bytes, since FFmpeg seeds its generator with a constant (rtmpproto.c rtmp_handshake). Layout: C0 = 03,
     * time 00000000, version 09 00 7C 02 (9.0.124.2), then random bytes with a scheme-0 digest: C1 bytes 8..11
     * are F7 78 55 1E, 247 + 120 + 85 + 30 = 482, 482 mod 728 + 12 = 494, so the digest is C1[494..526).
     */
    static final byte[] FFMPEG_C0C1 = hex("""
            030000000009007c02f778551eceab8e1e362f07c5868a70b266d40220e50861
            18a22e3697d5fc2b6329c22ee7c7c9b0b5b345dfa8398fea3bc879208a106842
            5aa1174cb57258cfebe24da42ec4ff9da19c7b406f18c95bfdd04ee48b6f8332
            14a47b8bf68eb05254e25ae9a9a8b496c5496f6e9cd7c68cb6bcc84169e67f3e
            372ffe186da8513862c5afdeb5a1218a860baccdd869b253dbab8a0efb59a48c
            442099875e55b74fd07a1b69af303e099873cb77e2d9e2c4741eb1f506a7f0b2
            962af91f5051c890a320994f4c8b36a01fa9c0f15f4b7cf7b6c3817da6091861
            1d3b02ff7cc94038937537d3382e416bd57577834df9caf748352150ce92d0db
            b40e871fc364e18b7e3569e39876c1ae0cb79ff6d7ab32f9f011869c8da4191e
            f46d3c1bc6b72d83812f2243d1752a412632d66a2075f5d302f45cdf2b98b802
            b79805dc4837d84eded1cc42cba7eec3137bf86dd0b2d7f624d521a3ff655bcf
            0df4101341d230e94651628e45a7abf8183101ce981e5e86a6faec5c79aa7ec7
            181ea459ed966e0c932a6f9e4bf554ab7b1c905cde054ed40d2fb89bbfc65752
            e58cfde4f2a04dc3ad1e5ef4fc64d57b071c14146a451f6a043156d2880f5957
            d78dfd3ff2b880f624ac70f27094f37734eaf1924f66ac3d648ae232930544a4
            420b65eed4696f7f50fe05fc948516650bfb9b65f953d848e3456965d0d76b62
            7a84e35e9ddabd8b43f0fadaee458cdf59ebd773922e0ae507d5e64092e90ec6
            7ed8439e8f221c753a9f9216f1cb85b5107bc7cc7c4fb2c3eed1afc709b192f5
            0de69c1ffca5650efb523b5fab5997cac4b7ef5af2bf5973e6293bae1fc1da49
            9be5515077de4ddb3f7fbcd741711c62b7d803b8d054cf578182714d1c445bd6
            92ba1b839a09e7266fc85daa8fad433dabbd206cde1ea571770c6bfa7956c266
            ee8435eb01caa6f583c0d83c33eefcf3f97db917bdb299f8a89fb8860ab1cd64
            4c1e82cce1323a9eb79d25f5dc570b70b40bb20061743353d0536ecdabd82f22
            77756228cb54fe6932c4c9bd130d2bfc700bf5d85da6946e96f82e0afd8e9c20
            cfeabf9a6a189bb17bbef539d1d9e73ee966fcb5d6bdbf98444de865be1605e3
            4087b34cdf04e3aff55bd4137c522d2e3c7bf2634db326b22a474db7f8a0952a
            b3510de555396c18a378a8390b73bff7772fb2760fa5786a3b0459c45a1d1b0d
            ff4cbbb65da0ed34f32116c3c2cc2b95825111bcfbb246c1505aa00c970d06d7
            6cc950ce368b220db20487cba02bb1fc54b36567b42913d6b885062cd7795601
            d31a4a8e6d56467fa5c52162676fd526122513c3e47f2e6d9d6a19c4f8795431
            a94ced039221d27ac68a7a770e9305252271459b71d05505c4977b70e9685120
            8bacdcdf7e682b3848840880f1fec2a32fb1406862bc83cad89adf729f3ba6ff
            d3fe808e8403e7c6a0f6dcda3211898f6f16505b078cc78b80db600ded2f200f
            25ff5dcb31d32cbe2056b8bdc31091631abbd2ac28d61fe32480ec5035bbf35f
            173393f0d59a21d2300b2db4b59eaa63ffe0f93d65dc028516905f22a9c7dff3
            87c4eb78c6300e7ebbb2a6663cfbe5a9977caf5764ba3f0aba57db4e6051e0ae
            c6e05b1bdaa649a97875edbc40bcc4214bb7fef72730d4368acbd3e10ab4c764
            2a1c53f93ca26db9c766555be26fdff0e2a721425b95762b0b776fd3e3eb1731
            3d53129c9f34003c99a5196a8c6aacb6d64b51dd98b27c5b59a70bd941a1ba03
            00fb744cfc499d997e6d93392d28a767d116dfbc2cb9eb40540d11eb304ad932
            2386fdc597d55d3d1c67bc54df35479afb19ea2cd204dd331efb49c1e172f6bb
            89fbf58207dcae6c12f8a7598bef1e872c0c35f22b4c29df10f9bb1add3aeb88
            7ab5fb38c036b88346f761c42f295dfe0b437dfb4f30a71276ab7d409ce42496
            3f9ebb4f1f47e52b18786f279b5a87226f66981dd6d0ad11f49af31055ff6971
            0fda3457c4b7852db2e3936d0778bf879f1734ad3a24ffb1ae9584760b9cb045
            2a53ba0962ffe2f605af52830bd211a5488894cc0b052255048711cd198510a9
            e943bf8b839198455fbd41073005d303990b88d9b63656d43cfec8ed83748f4b
            0f0fc5120216794b22a054e5bc58abd8c41096070884393453ce509694afbeab
            e0
            """);

    private HandshakeTestSupport() {
    }

    /** Bytes from hex digits; whitespace is ignored. */
    static byte[] hex(String hex) {
        return ByteBufUtil.decodeHexDump(hex.replaceAll("\\s", ""));
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static byte[] hmacSha256(byte[] key, byte[]... parts) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            for (byte[] p : parts) {
                mac.update(p);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    /** Field guide section 3: scheme 0 sums bytes 8..11, scheme 1 bytes 772..775; mod 728; plus 12 or 776. */
    static int offsetOf(byte[] packet, int scheme) {
        int first = scheme == 0 ? 8 : 772;
        int sum = 0;
        for (int i = first; i < first + 4; i++) {
            sum += packet[i] & 0xFF;
        }
        return sum % 728 + (scheme == 0 ? 12 : 776);
    }

    /** HMAC-SHA256 of the packet minus its 32 digest bytes at {@code offset}, keyed with {@code key}. */
    static byte[] digestAround(byte[] packet, int offset, byte[] key) {
        return hmacSha256(key, Arrays.copyOfRange(packet, 0, offset),
                Arrays.copyOfRange(packet, offset + 32, PACKET));
    }

    /** The 32 bytes at {@code offset}. */
    static byte[] digestAt(byte[] packet, int offset) {
        return Arrays.copyOfRange(packet, offset, offset + 32);
    }

    /** A plain C1: time 0x01020304 (so that the echo of the time is visible), zero 00000000, 1528 seeded bytes. */
    static byte[] plainC1(long seed) {
        byte[] c1 = random(seed, PACKET);
        System.arraycopy(hex("01020304 00000000"), 0, c1, 0, 8);
        return c1;
    }

    /**
     * A complex C1 the way FFmpeg builds it (rtmpproto.c rtmp_handshake and rtmp_handshake_imprint_with_digest):
     * time, version, seeded random bytes, then the digest keyed with the first 30 bytes of the Flash Player key
     * written at the scheme's offset.
     */
    static byte[] complexC1(long seed, int scheme, String timeAndVersionHex) {
        byte[] c1 = random(seed, PACKET);
        System.arraycopy(hex(timeAndVersionHex), 0, c1, 0, 8);
        int offset = offsetOf(c1, scheme);
        System.arraycopy(digestAround(c1, offset, Arrays.copyOf(FP_KEY, 30)), 0, c1, offset, 32);
        return c1;
    }

    static byte[] random(long seed, int length) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    static ByteBuf buf(byte[]... parts) {
        return Unpooled.wrappedBuffer(concat(parts));
    }

    /**
     * An allocator whose buffers the leak detector does not track. Only the loops over every split size use it:
     * at PARANOID level each tracked buffer access records a stack trace, which makes those loops take many
     * seconds; the same code paths run with tracked buffers in the tests of representative split sizes.
     */
    static final ByteBufAllocator UNTRACKED = new UnpooledByteBufAllocator(false, true);

    /** Feeds {@code input} to the channel in slices of {@code chunk} bytes, in order. */
    static void feed(EmbeddedChannel ch, byte[] input, int chunk) {
        for (int i = 0; i < input.length && ch.isOpen(); i += chunk) {
            ch.writeInbound(Unpooled.wrappedBuffer(input, i, Math.min(chunk, input.length - i)));
        }
    }

    /** Reads, copies and releases every outbound message. */
    static List<byte[]> drainOutbound(EmbeddedChannel ch) {
        List<byte[]> messages = new ArrayList<>();
        for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
            try {
                messages.add(ByteBufUtil.getBytes(b));
            } finally {
                b.release();
            }
        }
        return messages;
    }

    /** Reads, copies and releases every inbound message that reached the end of the pipeline, concatenated. */
    static byte[] drainInbound(EmbeddedChannel ch) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuf b; (b = ch.readInbound()) != null; ) {
            try {
                out.writeBytes(ByteBufUtil.getBytes(b));
            } finally {
                b.release();
            }
        }
        return out.toByteArray();
    }

    /**
     * Records, in order, the user events and the inbound bytes that reach it (bytes are copied and released).
     * Optionally writes {@code onHandshake} (without flushing) when it sees {@link HandshakeCompleted}, as the
     * session layer does with SetChunkSize and connect.
     */
    static final class Recorder extends ChannelInboundHandlerAdapter {
        final List<Object> seen = new ArrayList<>();
        private final byte[] onHandshake;

        Recorder() {
            this(null);
        }

        Recorder(byte[] onHandshake) {
            this.onHandshake = onHandshake;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = (ByteBuf) msg;
            try {
                seen.add(ByteBufUtil.getBytes(b));
            } finally {
                b.release();
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            seen.add(evt);
            if (evt instanceof HandshakeCompleted && onHandshake != null) {
                ctx.write(Unpooled.wrappedBuffer(onHandshake));
            }
        }

        List<HandshakeCompleted> events() {
            List<HandshakeCompleted> events = new ArrayList<>();
            for (Object o : seen) {
                if (o instanceof HandshakeCompleted e) {
                    events.add(e);
                }
            }
            return events;
        }

        /** All bytes received, concatenated. */
        byte[] bytes() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (Object o : seen) {
                if (o instanceof byte[] b) {
                    out.writeBytes(b);
                }
            }
            return out.toByteArray();
        }

        /** Index in {@link #seen} of the first byte[] entry, or -1. */
        int firstBytesIndex() {
            for (int i = 0; i < seen.size(); i++) {
                if (seen.get(i) instanceof byte[]) {
                    return i;
                }
            }
            return -1;
        }
    }
}
