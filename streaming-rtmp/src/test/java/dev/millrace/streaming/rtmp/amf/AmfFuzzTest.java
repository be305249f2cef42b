package dev.millrace.streaming.rtmp.amf;

import static dev.millrace.streaming.rtmp.amf.AmfTestSupport.bytes;
import static dev.millrace.streaming.rtmp.amf.AmfTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.streaming.rtmp.RtmpLimits;
import dev.millrace.streaming.rtmp.RtmpProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * A bounded, reproducible fuzz loop: random and mutated inputs must either decode or fail with BAD_AMF, never with
 * another exception, an error or a hang. Whatever decodes as a map must survive sanitizing, encoding and decoding
 * again unchanged.
 */
class AmfFuzzTest {

    private static final long SEED = 0x4D696C6C72616365L;
    private static final int ITERATIONS = 20_000;

    /** Markers, lengths and U29 bytes that steer random input into the interesting paths. */
    private static final byte[] INTERESTING = {
        0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11,
        0x13, 0x1b, 0x2b, 0x7f, (byte) 0x80, (byte) 0x81, (byte) 0xc0, (byte) 0xff};

    private static final List<byte[]> SEEDS = List.of(
            bytes(AmfVectors.FFMPEG_CONNECT),
            bytes(AmfVectors.FFMPEG_8_0_1_CAPTURED_CONNECT),
            bytes(AmfVectors.OBS_CONNECT),
            bytes(AmfVectors.OBS_SET_DATA_FRAME),
            bytes(AmfVectors.AVMPLUS_OBJECTS),
            bytes("0a 00000002 03 0001 61 00 3ff0000000000000 000009 07 0001"),                  // AMF0 reference
            bytes("0b 408f400000000000 ff88 0f 00000003 3c613e 10 0001 54 0001 6e 0d 000009"),    // date, XML, typed
            bytes("11 09 0d 01 08 01 408f400000000000 07 03 78 0c 03 07 08 02 07 04 0c 06"),      // AMF3 leaf refs
            bytes("11 09 05 03 62 03 03 61 02 01 04 05 01"),                                    // AMF3 mixed array
            bytes("11 0a 13 0b" + utf8("Point") + "03 78 04 c0 80 80 00"),                      // AMF3 typed object
            bytes("11 0d 05 00 ffffffff 00000002 11 0e 03 01 ffffffff 11 0f 03 00 3ff0000000000000"),
            bytes("11 10 05 00 01 06 03 61 01 11 06 09" + utf8("live")));                      // AMF3 vectors

    private final Amf0Reader amf0Default = Amf0Reader.of(RtmpLimits.DEFAULT);
    private final Amf0Reader amf0Tight = new Amf0Reader(3, 16, 24);
    private final Amf3Reader amf3Default = Amf3Reader.of(RtmpLimits.DEFAULT);
    private final Amf3Reader amf3Tight = new Amf3Reader(3, 16, 24);
    private final Amf0Reader reReader = new Amf0Reader(Amf0Reader.MAX_DEPTH_CEILING, 1 << 20, 1 << 20);

    @Test
    void onlyBadAmfEscapesTheReadersForTwentyThousandRandomAndMutatedInputs() {
        Random random = new Random(SEED);
        int[] decoded = new int[4];
        int[] refused = new int[4];
        for (int i = 0; i < ITERATIONS; i++) {
            byte[] input = i % 5 == 0 ? randomBytes(random) : mutate(random, SEEDS.get(random.nextInt(SEEDS.size())));
            count(0, decoded, refused, input, in -> {
                List<Object> values = amf0Default.readAll(in);
                values.forEach(this::checkSanitizedRoundTrip);
                return values;
            });
            count(1, decoded, refused, input, amf0Tight::readAll);
            count(2, decoded, refused, input, amf3Default::read);
            count(3, decoded, refused, input, amf3Tight::read);
        }
        // The loop reaches both outcomes for every reader, so it exercises the decoders and not only their guards.
        for (int r = 0; r < 4; r++) {
            assertThat(decoded[r]).as("decoded by reader %d", r).isGreaterThan(500);
            assertThat(refused[r]).as("refused by reader %d", r).isGreaterThan(500);
        }
    }

    private static void count(int reader, int[] decoded, int[] refused, byte[] input, Function<ByteBuf, Object> read) {
        ByteBuf in = Unpooled.wrappedBuffer(input);
        try {
            read.apply(in);
            decoded[reader]++;
        } catch (RtmpProtocolException e) {
            if (e.reason() != RtmpProtocolException.Reason.BAD_AMF) {
                throw new AssertionError("reason " + e.reason() + " for " + ByteBufUtil.hexDump(input), e);
            }
            refused[reader]++;
        } catch (Throwable t) {
            throw new AssertionError("reader " + reader + " threw " + t + " for " + ByteBufUtil.hexDump(input), t);
        } finally {
            in.release();
        }
    }

    /** Decoded maps, once sanitized, encode and decode again to an equal value. */
    private void checkSanitizedRoundTrip(Object value) {
        if (!(value instanceof Map<?, ?> map)) {
            return;
        }
        @SuppressWarnings("unchecked")
        AmfEcmaArray sanitized = AmfMetadata.sanitizeForPlayers((Map<String, ?>) map);
        ByteBuf out = Unpooled.buffer();
        try {
            Amf0Writer.write(out, sanitized);
            Object again = reReader.read(out);
            assertThat(again).isEqualTo(sanitized);
            assertThat(out.readableBytes()).isZero();
        } finally {
            out.release();
        }
    }

    private static byte[] randomBytes(Random random) {
        byte[] bytes = new byte[random.nextInt(65)];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = random.nextInt(10) < 6
                    ? INTERESTING[random.nextInt(INTERESTING.length)]
                    : (byte) random.nextInt(256);
        }
        return bytes;
    }

    /** One to three random edits: overwrite, truncate, insert, delete, duplicate a slice, or a length bomb. */
    private static byte[] mutate(Random random, byte[] seed) {
        byte[] bytes = seed.clone();
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits && bytes.length > 0; e++) {
            int at = random.nextInt(bytes.length);
            switch (random.nextInt(6)) {
                case 0 -> bytes[at] = random.nextBoolean()
                        ? INTERESTING[random.nextInt(INTERESTING.length)]
                        : (byte) random.nextInt(256);
                case 1 -> bytes = Arrays.copyOf(bytes, at);
                case 2 -> {
                    byte[] inserted = randomBytes(random);
                    bytes = splice(bytes, at, at, Arrays.copyOf(inserted, Math.min(inserted.length, 4)));
                }
                case 3 -> bytes = splice(bytes, at, Math.min(bytes.length, at + 1 + random.nextInt(8)), new byte[0]);
                case 4 -> {
                    int end = Math.min(bytes.length, at + 1 + random.nextInt(16));
                    int where = random.nextInt(bytes.length + 1);
                    bytes = splice(bytes, where, where, Arrays.copyOfRange(bytes, at, end));
                }
                default -> {
                    byte fill = random.nextBoolean() ? (byte) 0xff : (byte) 0x7f;
                    for (int k = at; k < Math.min(bytes.length, at + 2 + 2 * random.nextInt(2)); k++) {
                        bytes[k] = fill;
                    }
                }
            }
        }
        return bytes;
    }

    /** {@code bytes} with [from, to) replaced by {@code insert}. */
    private static byte[] splice(byte[] bytes, int from, int to, byte[] insert) {
        byte[] out = new byte[bytes.length - (to - from) + insert.length];
        System.arraycopy(bytes, 0, out, 0, from);
        System.arraycopy(insert, 0, out, from, insert.length);
        System.arraycopy(bytes, to, out, from + insert.length, bytes.length - to);
        return out;
    }
}
